import { z } from 'zod';

/**
 * Per-resident settings (DESIGN.md "Per-resident settings"): each overrides one centre default
 * for one resident. Stored as given (residents.settings); `PATCH … {"settings":{…}}` replaces
 * the whole object, so a key left out falls back to the centre's default again.
 */
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HOURS = /^([01]\d|2[0-3])-([01]\d|2[0-4])$/;

export const clockTimeSchema = z.string().regex(HHMM, { message: 'must be a local time "HH:MM", e.g. 10:00' });
export const hourWindowSchema = z
  .string()
  .regex(HOURS, { message: 'must be local hours "HH-HH", e.g. 07-22' })
  .refine((v) => v.slice(0, 2) !== v.slice(3, 5), { message: 'start and end hour must differ' });

const instant = z.iso.datetime({ offset: true });

/** In hospital or with family: inactivity and check-in rules pause in [from, until); emergencies still route. */
export const awaySchema = z
  .strictObject({ from: instant, until: instant, reason: z.string().trim().min(1).max(200).optional() })
  .refine((a) => Date.parse(a.from) < Date.parse(a.until), { message: 'away.from must be before away.until', path: ['until'] });
export type Away = z.infer<typeof awaySchema>;

export const residentSettingsSchema = z.strictObject({
  /** No motion, door or bed event for this long inside the waking hours: inactivity alarm. */
  inactivityHours: z.number().min(1).max(72).optional(),
  /** "07-22": the inactivity rule runs only between these local hours. */
  wakingHours: hourWindowSchema.optional(),
  /** Daily check-in by this local time; `true`: by the centre's CHECKIN_BY; null: no check-in (the default). */
  checkinBy: z.union([clockTimeSchema, z.literal(true), z.null()]).optional(),
  /** A door opening at night opens an urgent alarm (residents who wander). */
  nightDoorAlarm: z.boolean().optional(),
  bedReturnMinutes: z.number().int().min(1).max(24 * 60).optional(),
  /** How long after an alarm opens the resident's own cancel closes it as a false alarm. */
  cancelWindowS: z.number().int().min(0).max(86_400).optional(),
  away: awaySchema.nullable().optional(),
});
export type ResidentSettings = z.infer<typeof residentSettingsSchema>;

export const settingKeys = ['inactivityHours', 'wakingHours', 'checkinBy', 'nightDoorAlarm', 'bedReturnMinutes', 'cancelWindowS', 'away'] as const;
export type SettingKey = (typeof settingKeys)[number];

/** The settings in force for a resident: the centre's defaults merged with their own. */
export const effectiveSettingsSchema = z.object({
  inactivityHours: z.number(),
  wakingHours: z.string(),
  checkinBy: z.string().nullable(),
  nightDoorAlarm: z.boolean(),
  bedReturnMinutes: z.number(),
  cancelWindowS: z.number(),
  away: awaySchema.nullable(),
  /** Which of them the resident's own settings set (the rest are the centre's defaults). */
  fromResident: z.array(z.enum(settingKeys)),
});
export type EffectiveSettings = z.infer<typeof effectiveSettingsSchema>;
