import { z } from 'zod';

/** Device ids double as MQTT usernames and topic levels: no wildcards, slashes or spaces. */
export const deviceIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

export const eventTypes = [
  'button.pressed',
  'fall.detected',
  'smoke.detected',
  'co.detected',
  'flood.detected',
  'door.opened',
  'door.closed',
  'motion',
  'bed.exit',
  'bed.enter',
  'temperature',
  'battery.low',
  'heartbeat',
  'checkin',
  'cancel',
  'service.request',
  // a device reporting its own fault (data.code): a technical alarm (DESIGN: device supervision)
  'device.fault',
] as const;
export const eventTypeSchema = z.enum(eventTypes);
export type EventType = z.infer<typeof eventTypeSchema>;

export const serviceKinds = ['meal', 'bathing', 'haircut', 'housekeeping', 'massage', 'doctor', 'other'] as const;
export const serviceKindSchema = z.enum(serviceKinds);
export type ServiceKind = z.infer<typeof serviceKindSchema>;

/** Text PostgreSQL can store as sent: no NUL, no lone UTF-16 surrogates. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

const MAX_DATA_DEPTH = 8;
const MAX_DATA_NODES = 500;

/** Why a JSON value cannot be stored as event data, or undefined when it can. */
export function unstorableJson(value: unknown): string | undefined {
  let nodes = 0;
  const visit = (v: unknown, depth: number): string | undefined => {
    if (++nodes > MAX_DATA_NODES) return `more than ${MAX_DATA_NODES} values`;
    if (typeof v === 'string') return isStorableText(v) ? undefined : 'text with NUL or broken UTF-16';
    if (v === null || typeof v !== 'object') return undefined;
    if (depth >= MAX_DATA_DEPTH) return `nested deeper than ${MAX_DATA_DEPTH} levels`;
    for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      if (typeof k === 'string' && !isStorableText(k)) return 'a key with NUL or broken UTF-16';
      const why = visit(child, depth + 1);
      if (why) return why;
    }
    return undefined;
  };
  return visit(value, 0);
}

// Whatever passes here must be storable: one unstorable row would fail its whole batch.
const looseData = z
  .record(z.string(), z.unknown())
  .superRefine((data, ctx) => {
    const why = unstorableJson(data);
    if (why) ctx.addIssue({ code: 'custom', message: `data cannot be stored: ${why}` });
  })
  .default({});

const storableString = (max: number) =>
  z.string().min(1).max(max).refine(isStorableText, { message: 'must not contain NUL or broken UTF-16' });

// PostgreSQL timestamptz and sane device clocks: years 1970–9998
const deviceTime = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const t = Date.parse(v);
    return t >= 0 && t < Date.UTC(9999, 0, 1);
  }, { message: 'must be a time between 1970 and 9998' });

/** Per-type `data` shape; types not listed take any JSON object. */
const dataSchemas: Partial<Record<EventType, z.ZodType<Record<string, unknown>>>> = {
  'button.pressed': z.looseObject({ button: storableString(64).optional() }),
  temperature: z.looseObject({ celsius: z.number().min(-60).max(100) }),
  'battery.low': z.looseObject({ level: z.number().min(0).max(1) }),
  'service.request': z.looseObject({ service: z.enum(serviceKinds), note: storableString(500).optional() }),
  'device.fault': z.looseObject({ code: storableString(64) }),
};

const eventEnvelope = z.object({
  // "a UUID or a counter"
  id: z.union([storableString(128), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]).transform(String),
  type: eventTypeSchema,
  // Optional: devices without a clock still raise alarms; the gateway's receive time is trusted.
  ts: deviceTime.optional(),
  data: looseData,
});

export const deviceEventSchema = eventEnvelope.superRefine((event, ctx) => {
  const schema = dataSchemas[event.type];
  if (!schema) return;
  const result = schema.safeParse(event.data);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: ['data', ...issue.path] } as never);
  }
});
export type DeviceEvent = z.infer<typeof deviceEventSchema>;

export const deviceStatusSchema = z.looseObject({
  online: z.boolean(),
  battery: z.number().min(0).max(1).optional(),
  rssi: z.number().int().min(-150).max(0).optional(),
  fw: storableString(64).optional(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

export const ackActions = ['accept', 'decline', 'arrived', 'resolve'] as const;
export const wearableAckSchema = z.object({
  alarmId: storableString(64),
  action: z.enum(ackActions),
  ts: deviceTime.optional(),
  outcome: storableString(500).optional(),
  // accepting a service order: when the caregiver will come (the resident's device is told)
  at: deviceTime.optional(),
});
export type WearableAck = z.infer<typeof wearableAckSchema>;

export const priorities = ['emergency', 'urgent', 'service', 'technical'] as const;
export const prioritySchema = z.enum(priorities);

export const alertSchema = z.object({
  type: z.literal('alarm.alert'),
  alarmId: z.string(),
  priority: prioritySchema,
  kind: z.string(),
  resident: z.object({
    id: z.string(),
    name: z.string(),
    address: z.string().nullable(),
    grid: z.string().nullable(),
    notes: z.string().nullable(),
    // how to get in (key safe code, door access); optional: older senders leave it out
    accessInfo: z.string().nullable().optional(),
  }),
  raisedAt: z.string(),
  step: z.number().int(),
  acceptBy: z.string(),
  // a service order: which service the resident asked for
  service: serviceKindSchema.optional(),
});
export type Alert = z.infer<typeof alertSchema>;

/**
 * To the wrist of the caregiver holding an alarm who is not on site within the arrive limit
 * (counted from their accept): are you still on the way? Another caregiver has been alerted
 * (`also`: their name). Answering "arrived" keeps it theirs; "decline" gives it back.
 */
export const arrivalCheckSchema = z.object({ type: z.literal('arrival.check'), alarmId: z.string(), also: z.string().optional() });
export type ArrivalCheck = z.infer<typeof arrivalCheckSchema>;

/** Stable reasons the gateway gives a device on its `commands` topic when it discards a message. */
export const rejectCodes = ['invalid_json', 'payload_too_large', 'invalid_event', 'unknown_type', 'invalid_status', 'invalid_ack', 'unknown_device'] as const;
export type RejectCode = (typeof rejectCodes)[number];

export const deviceCommandSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('alarm.accepted'), alarmId: z.string(), by: z.string(), eta_s: z.number().optional() }),
  z.looseObject({ type: z.literal('alarm.resolved'), alarmId: z.string() }),
  z.looseObject({ type: z.literal('checkin.reminder') }),
  // weekly button test (JGJ/T 484): untested for 7 days → reminded; a test press → confirmed
  z.looseObject({ type: z.literal('test.reminder') }),
  z.looseObject({ type: z.literal('test.ok'), eventId: z.string().optional() }),
  // a service order: taken down at once, then scheduled when a caregiver accepts (at: when they come)
  z.looseObject({ type: z.literal('service.received'), alarmId: z.string(), service: serviceKindSchema }),
  z.looseObject({ type: z.literal('service.scheduled'), alarmId: z.string(), by: z.string(), at: z.string().optional() }),
  z.looseObject({
    type: z.literal('error'),
    code: z.enum(rejectCodes),
    message: z.string(),
    eventId: z.string().optional(),
    topic: z.string().optional(),
  }),
]);
export type DeviceCommand = z.infer<typeof deviceCommandSchema>;

export const deviceKinds = [
  'pendant',
  'pull_cord',
  'button',
  'fall_sensor',
  'smoke_detector',
  'co_detector',
  'flood_sensor',
  'door_sensor',
  'motion_sensor',
  'bed_sensor',
  'temperature_sensor',
  'hub',
  'wearable',
] as const;
export const deviceKindSchema = z.enum(deviceKinds);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

/** Sensors report less often (they sleep between events); everything a person wears or presses, 5 minutes. */
const SENSOR_KINDS: ReadonlySet<DeviceKind> = new Set([
  'fall_sensor',
  'smoke_detector',
  'co_detector',
  'flood_sensor',
  'door_sensor',
  'motion_sensor',
  'bed_sensor',
  'temperature_sensor',
]);

/** DESIGN "Device supervision": a device's heartbeat by kind when it has none of its own (seconds). */
export const defaultHeartbeatS = (kind: DeviceKind): number => (SENSOR_KINDS.has(kind) ? 900 : 300);

/** The stored value wins; NULL means the kind's default; 0 means not supervised. */
export const effectiveHeartbeatS = (kind: DeviceKind, stored: number | null): number => stored ?? defaultHeartbeatS(kind);
