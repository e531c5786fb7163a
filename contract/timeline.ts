import { z } from 'zod';
import {
  actorKindSchema,
  alarmKindSchema,
  alarmStatusSchema,
  notificationChannelSchema,
  prioritySchema,
  stepKindSchema,
  type Actor,
  type TimelineCode,
} from './alarms.ts';

/**
 * The alarm timeline: one row per thing that happened, keyed by a stable code (alarms.ts
 * `timelineCodes`) with that code's `detail`. Integrators key on the codes and read the
 * details, so each code's detail is typed here. Details are loose objects: a field added
 * later still reaches readers (and the response serializer keeps it); a field some writers
 * leave out is optional.
 */

/** Where an alarm action came from. */
export const actionVias = ['wearable', 'console', 'sms', 'device'] as const;
export const actionViaSchema = z.enum(actionVias);
export type ActionVia = z.infer<typeof actionViaSchema>;

/** An ISO 8601 instant as the dispatcher writes it (`Date.toISOString()`). */
const instant = z.string();

/**
 * What every operator/caregiver/resident action row carries. `alerted: false`: taken by a
 * caregiver on duty nearby whom no step had asked (nurse call's "I've got it").
 */
const action = { via: actionViaSchema, note: z.string().optional(), alerted: z.boolean().optional() };

/** Which notification a row is about (sent, delivered, failed, kept in the outbox). */
const notification = {
  notificationId: z.string(),
  channel: notificationChannelSchema,
  /** The recipient's name ("operators" for the console). */
  to: z.string().nullable(),
  /** The wearable id or phone number. */
  target: z.string().nullable(),
};

export const timelineDetailSchemas = {
  /** The opening event (or absence): what the device sent and the priority it opened with. */
  'alarm.raised': z.looseObject({
    deviceId: z.string(),
    eventId: z.string(),
    type: alarmKindSchema,
    priority: prioritySchema,
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  /** Another event of the resident joined the open alarm. */
  'event.joined': z.looseObject({ deviceId: z.string(), eventId: z.string(), type: alarmKindSchema }),
  /** A graver event joined: the alarm took its priority and kind. */
  'priority.raised': z.looseObject({ from: prioritySchema, to: prioritySchema, type: alarmKindSchema, previousKind: alarmKindSchema }),
  /** An escalation step began; `deadline` is when it runs out (absent for a step without one). */
  'step.started': z.looseObject({ step: z.number().int(), kind: stepKindSchema, repeated: z.boolean(), deadline: instant.optional() }),
  /** A step had nobody to ask and was passed over. */
  'step.skipped': z.looseObject({ step: z.number().int(), kind: stepKindSchema, reason: z.string() }),
  'notification.sent': z.looseObject({ ...notification, step: z.number().int() }),
  /** The SMS provider's delivery report. */
  'notification.delivered': z.looseObject({ ...notification, error: z.string().optional() }),
  /** A send that failed (the provider's refusal or its delivery report). */
  'notification.failed': z.looseObject({
    ...notification,
    error: z.string().optional(),
    code: z.union([z.string(), z.number()]).optional(),
    retryable: z.boolean().optional(),
  }),
  /** No SMS provider configured: the message waits in the outbox. */
  'sms.outbox': z.looseObject({ ...notification, error: z.string().optional() }),
  /** `reopened`: the caregiver who had accepted declined, so the alarm is open again. */
  'alarm.declined': z.looseObject({ ...action, reopened: z.boolean() }),
  /** `seconds` from raised; `withinLimit` against the alarm's accept limit. */
  'alarm.accepted': z.looseObject({ ...action, seconds: z.number(), withinLimit: z.boolean() }),
  'alarm.withdrawn': z.looseObject({}),
  /** `seconds` from raised; `withinLimit` against the alarm's arrive limit. */
  'alarm.arrived': z.looseObject({ ...action, seconds: z.number(), withinLimit: z.boolean() }),
  'alarm.resolved': z.looseObject({ ...action, outcome: z.string() }),
  'alarm.cancelled': z.looseObject({ ...action, outcome: z.string() }),
  /** The resident cancelled after the cancel window: the alarm stays, the console is called. */
  'cancel.late': z.looseObject({ deviceId: z.string().optional(), status: alarmStatusSchema }),
  'alarm.reassigned': z.looseObject({
    ...action,
    to: z.string(),
    toName: z.string(),
    from: z.string().nullable(),
    fromName: z.string().nullable(),
    onDuty: z.boolean(),
    step: z.number().int(),
    deadline: instant.optional(),
  }),
  /**
   * The operators were called: either as an escalation step (the notification fields) or for
   * a `reason` (resident_cancelled, resident_cancel_too_late, missed_deadline, arrival_overdue).
   */
  'console.called': z.looseObject({
    reason: z.string().optional(),
    notificationId: z.string().optional(),
    channel: notificationChannelSchema.optional(),
    to: z.string().nullable().optional(),
    target: z.string().nullable().optional(),
    step: z.number().int().optional(),
  }),
  'note.added': z.looseObject({ via: actionViaSchema.optional(), note: z.string() }),
  /** An inbound SMS naming the alarm's reply code (written before it is acted on). */
  'sms.reply': z.looseObject({ from: z.string(), body: z.string(), messageSid: z.string().optional() }),
  /** An action the alarm's status did not allow (`reason` says why, e.g. already_taken). */
  'ack.refused': z.looseObject({ ...action, action: z.string(), reason: z.string(), status: alarmStatusSchema }),
  /** A step's deadline passed unserved and the watchdog ran it late. */
  'watchdog.missed_deadline': z.looseObject({ deadline: instant.optional(), lateMs: z.number().nullable() }),
  /** Accepted but nobody arrived within the arrive limit. */
  'arrival.overdue': z.looseObject({ limitS: z.number(), acceptedBy: z.string().nullable() }),
  /** Accepted, not arrived within the arrive limit counted from the accept: the next caregiver alerted, the first asked. */
  'arrival.redispatched': z.looseObject({ limitS: z.number(), acceptedBy: z.string().nullable(), to: z.array(z.string()).optional() }),
  /** The cause of a technical alarm went away by itself (`reason`: device_heard, battery_ok, covered…). */
  'alarm.restored': z.looseObject({ reason: z.string(), deviceId: z.string().optional() }),
  /** A weekly button test (a test event, or a press resolved as `test`). */
  'test.recorded': z.looseObject({ deviceId: z.string(), eventId: z.string().optional() }),
  /** The alarm opened as an unassigned device; the resident it belongs to is now known. */
  'resident.identified': z.looseObject({ residentId: z.string(), name: z.string(), grid: z.string().nullable() }),
} as const satisfies Record<TimelineCode, z.ZodType>;

type DetailSchemas = typeof timelineDetailSchemas;
/** The detail of one code, as stored and read. */
export type TimelineDetail<C extends TimelineCode = TimelineCode> = z.infer<DetailSchemas[C]>;

const rowOf = <C extends TimelineCode>(code: C) =>
  z.object({
    id: z.number(),
    at: z.date(),
    code: z.literal(code),
    actorKind: actorKindSchema,
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    detail: timelineDetailSchemas[code],
  });

/** A timeline row as stored and as the console and integrators see it. */
export const timelineEntrySchema = z.discriminatedUnion('code', [
  rowOf('alarm.raised'),
  rowOf('event.joined'),
  rowOf('priority.raised'),
  rowOf('step.started'),
  rowOf('step.skipped'),
  rowOf('notification.sent'),
  rowOf('notification.delivered'),
  rowOf('notification.failed'),
  rowOf('sms.outbox'),
  rowOf('alarm.declined'),
  rowOf('alarm.accepted'),
  rowOf('alarm.withdrawn'),
  rowOf('alarm.arrived'),
  rowOf('alarm.resolved'),
  rowOf('alarm.cancelled'),
  rowOf('cancel.late'),
  rowOf('alarm.reassigned'),
  rowOf('console.called'),
  rowOf('note.added'),
  rowOf('sms.reply'),
  rowOf('ack.refused'),
  rowOf('watchdog.missed_deadline'),
  rowOf('arrival.overdue'),
  rowOf('arrival.redispatched'),
  rowOf('alarm.restored'),
  rowOf('test.recorded'),
  rowOf('resident.identified'),
]);
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** A new row as a writer hands it over, typed by its code (what `appendTimeline` takes). */
export type NewTimelineEntry = {
  [C in TimelineCode]: { alarmId: string; at: Date; code: C; actor: Actor; detail: z.input<DetailSchemas[C]> };
}[TimelineCode];

/**
 * The same, loosely typed: for writers that build the detail generically. What they write is
 * still checked against the code's detail schema when the stored row is read back.
 */
export interface TimelineEntryInput {
  alarmId: string;
  at: Date;
  code: TimelineCode;
  actor: Actor;
  detail?: Record<string, unknown>;
}
