import { z } from 'zod';
import { alarmViewSchema, timelineEntrySchema } from './alarm-view.ts';

/**
 * The console's live stream, `GET /ws?token=…` (DESIGN: HTTP API). Every server message is
 * `{"type", "data"}`. On connect the server sends one `snapshot`; after that, changes as they
 * happen. A client that falls behind is skipped (its messages dropped) and, once it has
 * caught up, sent a fresh `snapshot` with `resync: true`; one that stays behind is closed
 * (code 4008) and reconnects.
 */

export const areaViewSchema = z.object({ id: z.string(), name: z.string(), kind: z.string(), parentId: z.string().nullable() });

/** A caregiver as the board shows them: on duty now, their wrist, how busy. */
export const caregiverStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  phone: z.string().nullable(),
  areaIds: z.array(z.string()),
  onDuty: z.boolean(),
  /** End of the current shift when on duty, else the start of the next one within 6 h (or null). */
  shiftEndsAt: z.date().nullable(),
  nextShiftAt: z.date().nullable(),
  wearableId: z.string().nullable(),
  wearableOnline: z.boolean(),
  battery: z.number().nullable(),
  /** Alarms accepted and not yet closed. */
  activeAlarms: z.number(),
});
export type CaregiverStatus = z.infer<typeof caregiverStatusSchema>;

/** A resident device or wearable: presence and battery. */
export const deviceStatusSchema = z.object({
  id: z.string(),
  kind: z.string(),
  residentId: z.string().nullable(),
  residentName: z.string().nullable(),
  areaId: z.string().nullable(),
  /** The caregiver wearing it (wearables). */
  caregiverId: z.string().nullable(),
  online: z.boolean(),
  /** The last battery reading of a status message (0..1), or null. */
  battery: z.number().nullable(),
  /**
   * The battery needs someone: an active `battery.low` alarm holds an event of this device, or
   * the last status reading is under 20 %. The one answer the board's alarms and the device
   * list share (a device's `battery.low` event does not change its status reading).
   */
  batteryLow: z.boolean(),
  lastSeenAt: z.date().nullable(),
  statusAt: z.date().nullable(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

/** An SMS notification moved on (sent, delivered, failed, outbox). The number is masked. */
export const smsStatusSchema = z.object({
  alarmId: z.string(),
  notificationId: z.string(),
  status: z.string(),
  recipientName: z.string().nullable(),
  target: z.string().nullable(),
  error: z.string().nullable(),
});

export const snapshotSchema = z.object({
  serverTime: z.date(),
  /** Who is connected: a caregiver login sees only its own alarms and no device list. */
  user: z.object({ username: z.string(), role: z.string(), caregiverId: z.string().nullable() }),
  resync: z.boolean(),
  alarms: z.array(alarmViewSchema),
  areas: z.array(areaViewSchema),
  caregivers: z.array(caregiverStatusSchema),
  devices: z.array(deviceStatusSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** `alarm.updated` also carries the timeline rows that change added (append-only). */
export const alarmChangeSchema = alarmViewSchema.extend({ timeline: z.array(timelineEntrySchema) });

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), data: snapshotSchema }),
  z.object({ type: z.literal('alarm.raised'), data: alarmChangeSchema }),
  z.object({ type: z.literal('alarm.updated'), data: alarmChangeSchema }),
  z.object({ type: z.literal('device.status'), data: deviceStatusSchema }),
  z.object({ type: z.literal('caregiver.status'), data: caregiverStatusSchema }),
  z.object({ type: z.literal('sms.status'), data: smsStatusSchema }),
  z.object({ type: z.literal('pong'), data: z.object({ serverTime: z.date() }) }),
  z.object({ type: z.literal('error'), data: z.object({ code: z.string(), message: z.string() }) }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export const serverMessageTypes = ['snapshot', 'alarm.raised', 'alarm.updated', 'device.status', 'caregiver.status', 'sms.status', 'pong', 'error'] as const;

/** What a console may send: a ping (answered with pong), or a request for a fresh snapshot. */
export const clientMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('ping') }), z.object({ type: z.literal('resync') })]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Close codes: 4001 no or bad token (also answered 401 before the upgrade), 4008 fell too far behind. */
export const WS_CLOSE = { unauthorized: 4001, tooSlow: 4008 } as const;
