import { z } from 'zod';
import {
  alarmKindSchema,
  alarmLaneSchema,
  alarmStatusSchema,
  notificationAudienceSchema,
  notificationChannelSchema,
  notificationStatusSchema,
  prioritySchema,
  stepKindSchema,
} from './alarms.ts';
import { serviceKindSchema } from './device-messages.ts';
import { alarmPolicySchema } from './escalation-policy.ts';

/** What the alerts say about the resident, frozen when the alarm opens. */
export const residentSnapshotSchema = z.object({
  id: z.string().nullable(),
  name: z.string(),
  address: z.string().nullable(),
  grid: z.string().nullable(),
  notes: z.string().nullable(),
  // key safe code, door access; alarms stored before it was kept have none
  accessInfo: z.string().nullable().optional(),
  phone: z.string().nullable(),
});
export type ResidentSnapshot = z.infer<typeof residentSnapshotSchema>;

/**
 * An alarm as stored: its lifecycle, the resident snapshot, the escalation policy snapshot
 * and the escalation cursor (step, deadline, token, who was asked). What the alarm engine
 * decides on and the database keeps; `alarm-view.ts` is what the console sees of it.
 */
export const alarmRecordSchema = z.object({
  id: z.string(),
  residentId: z.string().nullable(),
  deviceId: z.string(),
  areaId: z.string().nullable(),
  lane: alarmLaneSchema,
  kind: alarmKindSchema,
  priority: prioritySchema,
  status: alarmStatusSchema,
  raisedAt: z.date(),
  acceptedAt: z.date().nullable(),
  acceptedBy: z.string().nullable(),
  acceptedByName: z.string().nullable(),
  arrivedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  outcome: z.string().nullable(),
  resident: residentSnapshotSchema,
  /** The escalation policy snapshot taken at opening: later config edits do not move it. */
  policy: alarmPolicySchema,
  acceptLimitS: z.number().int(),
  arriveLimitS: z.number().int(),
  step: z.number().int(),
  stepKind: stepKindSchema.nullable(),
  deadline: z.date().nullable(),
  token: z.number().int(),
  /** Caregiver ids alerted so far, those asked at the current step, and those who declined. */
  notified: z.array(z.string()),
  currentNotified: z.array(z.string()),
  declined: z.array(z.string()),
  replyCode: z.string(),
  eventCount: z.number().int(),
  lastEventAt: z.date(),
  arrivalOverdue: z.boolean(),
  /** A service order's service kind (routing by skill, the wrist, the SMS); null otherwise. */
  service: serviceKindSchema.nullable().optional(),
  updatedAt: z.date().optional(),
});
export type AlarmRecord = z.infer<typeof alarmRecordSchema>;

/** One alert, SMS or console call sent for an alarm (SMS rows double as the outbox). */
export const notificationRecordSchema = z.object({
  id: z.string(),
  alarmId: z.string(),
  step: z.number().int(),
  channel: notificationChannelSchema,
  audience: notificationAudienceSchema,
  caregiverId: z.string().nullable(),
  recipientName: z.string().nullable(),
  /** The wearable id or phone number. */
  target: z.string().nullable(),
  body: z.string().nullable(),
  status: notificationStatusSchema,
  providerSid: z.string().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date().optional(),
});
export type NotificationRecord = z.infer<typeof notificationRecordSchema>;
