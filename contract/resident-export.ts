import { z } from 'zod';
import { alarmRecordSchema, notificationRecordSchema } from './alarm-record.ts';
import { auditEntrySchema } from './audit.ts';
import { deviceKindSchema } from './device-messages.ts';
import { residentSchema } from './residents.ts';
import { smsReplyOutcomeSchema } from './sms-replies.ts';
import { timelineEntrySchema } from './timeline.ts';

/**
 * Everything the service holds about one resident (GET /api/residents/:id/export, issue 11
 * "data lifecycle"): the resident, their devices (never a secret hash), their sensor events,
 * their alarms with timelines and notifications (SMS bodies included), the SMS replies to
 * those alarms and the audit lines naming them. After an erasure the same document shows what
 * is left: the personal fields erased, the response-time facts kept.
 */

/** The residents row, all its fields; `erasedAt` is set once the resident was erased on request. */
export const exportedResidentSchema = residentSchema.extend({ erasedAt: z.date().nullable() });

export const exportedDeviceSchema = z.object({
  id: z.string(),
  kind: deviceKindSchema,
  residentId: z.string().nullable(),
  online: z.boolean(),
  battery: z.number().nullable(),
  rssi: z.number().nullable(),
  fw: z.string().nullable(),
  lastSeenAt: z.date().nullable(),
  statusAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** A row of the `events` table (what a device of the resident sent, and when it was received). */
export const exportedEventSchema = z.object({
  receivedAt: z.date(),
  deviceId: z.string(),
  eventId: z.string(),
  type: z.string(),
  deviceTs: z.date().nullable(),
  data: z.record(z.string(), z.unknown()),
});

/**
 * An alarm as stored, without what is not about the resident (the escalation policy snapshot,
 * the escalation token, the SMS reply code), with its timeline and notifications.
 */
export const exportedAlarmSchema = alarmRecordSchema.omit({ policy: true, token: true, replyCode: true }).extend({
  timeline: z.array(timelineEntrySchema),
  notifications: z.array(notificationRecordSchema),
});

/** An inbound SMS reply to one of the resident's alarms, as kept (sender digits and the answer given). */
export const exportedSmsReplySchema = z.object({
  messageSid: z.string(),
  fromDigits: z.string(),
  outcome: smsReplyOutcomeSchema.nullable(),
  receivedAt: z.date(),
  answeredAt: z.date().nullable(),
});

export const residentExportSchema = z.object({
  exportedAt: z.date(),
  resident: exportedResidentSchema,
  devices: z.array(exportedDeviceSchema),
  events: z.array(exportedEventSchema),
  alarms: z.array(exportedAlarmSchema),
  smsReplies: z.array(exportedSmsReplySchema),
  audit: z.array(auditEntrySchema),
});
export type ResidentExport = z.infer<typeof residentExportSchema>;

/** POST /api/residents/:id/erase: the resident's own id again, so a slip of the keyboard erases nobody. */
export const eraseRequestSchema = z.strictObject({ confirm: z.string() });

/** What an erasure changed, rows per table. */
export const erasureCountsSchema = z.object({
  residents: z.number().int(),
  alarms: z.number().int(),
  alarmResponses: z.number().int(),
  alarmTimeline: z.number().int(),
  notifications: z.number().int(),
  smsReplies: z.number().int(),
  smsReplyWrongCodes: z.number().int(),
  events: z.number().int(),
  devices: z.number().int(),
});
export const erasureResultSchema = z.object({ id: z.string(), erasedAt: z.date(), changed: erasureCountsSchema });
export type ErasureResult = z.infer<typeof erasureResultSchema>;
