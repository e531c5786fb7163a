import { z } from 'zod';
import { eventTypes, priorities, prioritySchema } from './device-messages.ts';

/** The alarm lifecycle of DESIGN.md: open → accepted → on_site → resolved, or cancelled. */
export const alarmStatuses = ['open', 'accepted', 'on_site', 'resolved', 'cancelled'] as const;
export const alarmStatusSchema = z.enum(alarmStatuses);
export type AlarmStatus = z.infer<typeof alarmStatusSchema>;
/** The statuses of an alarm still being handled (the one list: SQL and the page derive from it). */
export const activeStatuses = ['open', 'accepted', 'on_site'] as const satisfies readonly AlarmStatus[];
export type ActiveStatus = (typeof activeStatuses)[number];
export const isActive = (s: AlarmStatus): boolean => (activeStatuses as readonly AlarmStatus[]).includes(s);

/** Alarms the dispatcher opens from the lack of an event (the care rules' absence checks). */
export const absenceKinds = ['bed.no_return', 'checkin.missed', 'inactivity'] as const;
export const absenceKindSchema = z.enum(absenceKinds);
export type AbsenceKind = z.infer<typeof absenceKindSchema>;

/** Technical alarms about the service itself, raised by what it notices (device supervision, coverage). */
export const technicalKinds = ['device.offline', 'coverage.gap', 'centre.outage'] as const;
export type TechnicalKind = (typeof technicalKinds)[number];

/** What an alarm is about: the device event that raised it, an absence, or a technical fault. */
export const alarmKinds = [...eventTypes, ...absenceKinds, ...technicalKinds] as const;
export const alarmKindSchema = z.enum(alarmKinds);
export type AlarmKind = z.infer<typeof alarmKindSchema>;

export { priorities, prioritySchema };
export type Priority = z.infer<typeof prioritySchema>;

/**
 * Care alarms (emergency/urgent) of one resident group into one; technical ones (battery,
 * offline) group separately so they never hold back or absorb a call for help; service orders
 * (a meal, a bath) are a lane of their own, so a fall never waits behind a meal request.
 */
export const alarmLanes = ['care', 'technical', 'service'] as const;
export const alarmLaneSchema = z.enum(alarmLanes);
export type AlarmLane = z.infer<typeof alarmLaneSchema>;

/** Escalation step kinds, in the order a default policy uses them. */
export const stepKinds = ['next_in_grid', 'all_in_grid', 'community_pool', 'supervisor', 'sms_family', 'console'] as const;
export const stepKindSchema = z.enum(stepKinds);
export type StepKind = z.infer<typeof stepKindSchema>;

/** Stable timeline codes: reports, the console and integrators key on these. */
export const timelineCodes = [
  'alarm.raised',
  'event.joined',
  'priority.raised',
  'step.started',
  'step.skipped',
  'notification.sent',
  'notification.delivered',
  'notification.failed',
  'sms.outbox',
  'alarm.declined',
  'alarm.accepted',
  'alarm.withdrawn',
  'alarm.arrived',
  'alarm.resolved',
  'alarm.cancelled',
  'cancel.late',
  'alarm.reassigned',
  'console.called',
  'note.added',
  'sms.reply',
  'ack.refused',
  'watchdog.missed_deadline',
  'arrival.overdue',
  // the accepted caregiver has not arrived in time: the next one is alerted, the first asked
  'arrival.redispatched',
  // a technical alarm's cause went away by itself (the device heard again, the grid covered)
  'alarm.restored',
  // a weekly button test was recorded (no emergency opened)
  'test.recorded',
  // an alarm opened before the directory knew its device's resident: now it names them (and routes to their grid)
  'resident.identified',
] as const;
export const timelineCodeSchema = z.enum(timelineCodes);
export type TimelineCode = z.infer<typeof timelineCodeSchema>;

export const actorKinds = ['system', 'resident', 'caregiver', 'operator', 'contact'] as const;
export const actorKindSchema = z.enum(actorKinds);
export type ActorKind = z.infer<typeof actorKindSchema>;
export const actorSchema = z.object({
  kind: actorKindSchema,
  id: z.string().optional(),
  name: z.string().optional(),
});
export interface Actor {
  kind: ActorKind;
  id?: string | undefined;
  name?: string | undefined;
}

export const notificationChannels = ['wearable', 'sms', 'console'] as const;
export const notificationChannelSchema = z.enum(notificationChannels);
export type NotificationChannel = z.infer<typeof notificationChannelSchema>;
export const notificationStatuses = ['pending', 'sent', 'queued', 'delivered', 'failed', 'outbox', 'withdrawn'] as const;
export const notificationStatusSchema = z.enum(notificationStatuses);
export type NotificationStatus = z.infer<typeof notificationStatusSchema>;
/** Whom a notification is for: the console's operators get the `console` channel. */
export const notificationAudiences = ['caregiver', 'supervisor', 'family', 'operator'] as const;
export const notificationAudienceSchema = z.enum(notificationAudiences);
export type NotificationAudience = z.infer<typeof notificationAudienceSchema>;

export const outcomeSchema = z.string().trim().min(1).max(500);
export const knownOutcomes = ['assisted', 'false_alarm', 'ambulance_called', 'service_done', 'no_answer_escalated', 'restored', 'test'] as const;

/** Body of `POST /api/alarms/:id/{accept|arrive|resolve|cancel|reassign|note}`. */
export const alarmActionBodySchema = z
  .object({
    note: z.string().trim().min(1).max(2000).optional(),
    outcome: outcomeSchema.optional(),
    caregiverId: z.guid('must be a UUID').optional(),
    // accepting a service order: when the caregiver will come (told to the resident's device)
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type AlarmActionBody = z.infer<typeof alarmActionBodySchema>;

/** `note` adds a note to the timeline and changes nothing else. */
export const operatorActions = ['accept', 'arrive', 'resolve', 'cancel', 'reassign', 'note'] as const;
export type OperatorAction = (typeof operatorActions)[number];

/** Tells a wrist to stop: `alarm.taken` (someone else has it) or `alarm.closed`. */
export interface AlarmWithdrawal {
  type: 'alarm.taken' | 'alarm.closed';
  alarmId: string;
  reason: 'accepted' | 'cancelled' | 'resolved' | 'reassigned' | 'closed' | 'unknown';
  by?: string;
}
