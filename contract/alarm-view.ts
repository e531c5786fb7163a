import { z } from 'zod';
import {
  alarmKindSchema,
  alarmStatuses,
  notificationAudienceSchema,
  notificationChannelSchema,
  notificationStatusSchema,
  priorities,
  stepKindSchema,
} from './alarms.ts';
import { serviceKindSchema } from './device-messages.ts';
import { timelineEntrySchema, type TimelineEntry } from './timeline.ts';

export { timelineEntrySchema, type TimelineEntry };

/** An alarm as the console and integrators see it (HTTP answers and the /ws stream). */
export const alarmViewSchema = z.object({
  id: z.string(),
  status: z.enum(alarmStatuses),
  priority: z.enum(priorities),
  kind: alarmKindSchema,
  residentId: z.string().nullable(),
  resident: z.object({ name: z.string(), address: z.string().nullable(), grid: z.string().nullable(), notes: z.string().nullable(), phone: z.string().nullable() }),
  deviceId: z.string(),
  areaId: z.string().nullable(),
  raisedAt: z.date(),
  acceptedAt: z.date().nullable(),
  acceptedBy: z.string().nullable(),
  acceptedByName: z.string().nullable(),
  arrivedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  outcome: z.string().nullable(),
  acceptLimitS: z.number(),
  arriveLimitS: z.number(),
  /** When the accept limit runs out (the console's clock turns red). */
  acceptBy: z.date(),
  step: z.number(),
  stepKind: stepKindSchema.nullable(),
  stepDeadline: z.date().nullable(),
  /** Caregiver ids alerted so far, and those being asked at the current step. */
  notified: z.array(z.string()),
  currentNotified: z.array(z.string()),
  declined: z.array(z.string()),
  replyCode: z.string(),
  eventCount: z.number(),
  lastEventAt: z.date(),
  arrivalOverdue: z.boolean(),
  /** A service order's service kind (meal, bathing, …); absent on every other alarm. */
  service: serviceKindSchema.optional(),
  timeToAcceptS: z.number().nullable(),
  timeToArriveS: z.number().nullable(),
  timeToResolveS: z.number().nullable(),
});
export type AlarmView = z.infer<typeof alarmViewSchema>;

export const notificationViewSchema = z.object({
  id: z.string(),
  step: z.number(),
  channel: notificationChannelSchema,
  audience: notificationAudienceSchema,
  caregiverId: z.string().nullable(),
  recipientName: z.string().nullable(),
  target: z.string().nullable(),
  body: z.string().nullable(),
  status: notificationStatusSchema,
  providerSid: z.string().nullable(),
  attempts: z.number(),
  error: z.string().nullable(),
  createdAt: z.date(),
});
export type NotificationView = z.infer<typeof notificationViewSchema>;

export const alarmDetailSchema = alarmViewSchema.extend({ timeline: z.array(timelineEntrySchema), notifications: z.array(notificationViewSchema) });
export type AlarmDetail = z.infer<typeof alarmDetailSchema>;

/** What JSON makes of a type: dates travel as ISO strings (the web page's view of the contract). */
export type Wire<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<Wire<U>>
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
