import { z } from 'zod';
import type { EventType } from './device-messages.ts';

/**
 * A resident's recent activity (issue 12, "the resident record"): their sensors' events per hour,
 * by kind, so an operator answering an inactivity alarm sees what "normal" looks like.
 */
export const activityKinds = ['motion', 'door', 'bed'] as const;
export type ActivityKind = (typeof activityKinds)[number];

/**
 * Which event types count as which kind. Every other type (button presses, falls, smoke,
 * temperature, heartbeats, check-ins…) is left out: they are alarms or housekeeping, not the
 * daily rhythm of the home.
 */
export const activityEventTypes: Record<ActivityKind, readonly EventType[]> = {
  motion: ['motion'],
  door: ['door.opened', 'door.closed'],
  bed: ['bed.exit', 'bed.enter'],
};

export const ACTIVITY_MAX_DAYS = 31;

/** `GET /api/residents/:id/activity?days=` */
export const activityQuerySchema = z.strictObject({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(ACTIVITY_MAX_DAYS)
    .default(7)
    .describe(`how many days back (1..${ACTIVITY_MAX_DAYS}, default 7), counted in whole UTC hours ending with the current one`),
});

const count = z.number().int().nonnegative();
const counts = { motion: count, door: count, bed: count };

/** One whole UTC hour starting at `at`: events received in [at, at + 1 h). */
export const activityHourSchema = z.object({ at: z.date(), ...counts });
export type ActivityHour = z.infer<typeof activityHourSchema>;

export const residentActivitySchema = z.object({
  residentId: z.string(),
  /** The first hour's start (a whole UTC hour). */
  from: z.date(),
  /** The end of the last hour (exclusive): the start of the hour after the current one. */
  to: z.date(),
  /** Every hour of [from, to), oldest first, quiet ones as zeros: days × 24 entries. */
  hours: z.array(activityHourSchema),
  totals: z.object(counts),
});
export type ResidentActivity = z.infer<typeof residentActivitySchema>;
