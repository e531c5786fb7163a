import { z } from 'zod';

/**
 * Duty (DESIGN "Duty: weekly rotas, absences, who is on duty"): rotas, absences and the
 * per-grid "who is on duty" answer. Times of day and dates are local to the service's `TZ`;
 * instants cross the wire as ISO 8601 strings (z.date() here: the server serialises them).
 */

export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekDaySchema = z.enum(weekDays);
export type WeekDay = z.infer<typeof weekDaySchema>;

/** "08:00": a local time of day, 00:00-23:59. */
export const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM, 00:00 to 23:59');

/** "2026-12-01": a local calendar date that exists. */
export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= '1970-01-01' && s <= '9998-12-31';
  }, 'must be a calendar date that exists, 1970-01-01 to 9998-12-31');

/** The days, unique and at least one. */
export const rotaDaysSchema = z
  .array(weekDaySchema)
  .min(1, 'must name at least one day')
  .max(7)
  .refine((d) => new Set(d).size === d.length, 'must not name a day twice');

/**
 * A rota's pattern: on each of `days`, from `start` to `end` local time; `end` ≤ `start` runs
 * past midnight into the next day (the day counts by when the shift starts). `from`/`until`
 * are inclusive local dates bounding the start day; `until: null` = open-ended.
 */
export const rotaFields = {
  days: rotaDaysSchema,
  start: timeOfDaySchema,
  end: timeOfDaySchema,
  from: localDateSchema,
  until: localDateSchema.nullable(),
};

/** A rota as stored and answered. */
export const rotaSchema = z.object({
  id: z.string(),
  caregiverId: z.string(),
  days: z.array(weekDaySchema),
  start: z.string(),
  end: z.string(),
  from: z.string(),
  until: z.string().nullable(),
  createdAt: z.date(),
});
export type Rota = z.infer<typeof rotaSchema>;

export const absenceReasons = ['leave', 'sickness', 'training', 'other'] as const;
export const absenceReasonSchema = z.enum(absenceReasons);
export type AbsenceReason = z.infer<typeof absenceReasonSchema>;

/** The longest absence accepted in one entry (a longer one is entered as several). */
export const MAX_ABSENCE_DAYS = 366;

/** An absence: the caregiver is off duty in [start, end), whatever rota or shift says. */
export const absenceSchema = z.object({
  id: z.string(),
  caregiverId: z.string(),
  start: z.date(),
  end: z.date(),
  reason: absenceReasonSchema,
  createdAt: z.date(),
});
export type Absence = z.infer<typeof absenceSchema>;

/**
 * A window in the next 7 days where a grid would have nobody on duty (DESIGN: "a rota that
 * would leave a grid uncovered is allowed but flagged"): [from, to).
 */
export const coverageGapSchema = z.object({
  areaId: z.string(),
  name: z.string(),
  from: z.date(),
  to: z.date(),
});
export type CoverageGap = z.infer<typeof coverageGapSchema>;

/** How far ahead a write's answer looks for gaps. */
export const GAP_HORIZON_DAYS = 7;

/** POST/PATCH /api/rotas answer: the rota, and the gaps left in the grids its caregiver covers. */
export const rotaWriteSchema = rotaSchema.extend({ gaps: z.array(coverageGapSchema) });
/** POST /api/absences answer. */
export const absenceWriteSchema = absenceSchema.extend({ gaps: z.array(coverageGapSchema) });
/** DELETE /api/rotas/:id and /api/absences/:id answer (200): what was removed and the gaps after. */
export const dutyDeleteSchema = z.object({ id: z.string(), gaps: z.array(coverageGapSchema) });

/** One caregiver on duty in a grid: `until` is when their current duty ends (null: beyond what is known). */
export const onDutyCaregiverSchema = z.object({
  id: z.string(),
  name: z.string(),
  until: z.date().nullable(),
  wearableOnline: z.boolean(),
});

/** GET /api/on-duty: every grid in scope with who is on duty at `at`; nobody = empty array. */
export const onDutyGridSchema = z.object({
  areaId: z.string(),
  name: z.string(),
  caregivers: z.array(onDutyCaregiverSchema),
});
export const onDutySchema = z.array(onDutyGridSchema);
export type OnDutyGrid = z.infer<typeof onDutyGridSchema>;

/*
 * Request bodies (validated in console/routes/rotas.ts and absences.ts; each failure is a 400
 * naming the field):
 *   POST  /api/rotas        {caregiverId, days, start, end, from, until?}   (until defaults to null; from ≤ until)
 *   PATCH /api/rotas/:id    any of {days, start, end, from, until}          (caregiverId cannot change)
 *   POST  /api/absences     {caregiverId, start, end, reason}               (ISO instants; end > start; at most MAX_ABSENCE_DAYS)
 *   GET   /api/rotas?caregiverId=   GET /api/absences?caregiverId=&from=&to=   GET /api/on-duty?at=
 */
