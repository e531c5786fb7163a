import { z } from 'zod';
import { effectiveSettingsSchema, residentSettingsSchema } from './resident-settings.ts';

/** A resident's family contact: reached by SMS when escalation gets that far, may accept by reply. */
export const contactSchema = z.object({
  name: z.string(),
  phone: z.string(),
  relation: z.string().nullable().optional(),
});
export type Contact = z.infer<typeof contactSchema>;

export const residentSchema = z.object({
  id: z.string(),
  name: z.string(),
  areaId: z.string(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  notes: z.string().nullable(),
  /** Key safe code, door access: how a caregiver gets in (apart from the medical notes). */
  accessInfo: z.string().nullable(),
  contacts: z.array(contactSchema),
  /** The resident's own rule settings (overrides of the centre defaults; see resident-settings.ts). */
  settings: residentSettingsSchema,
  /** On a single resident (GET/PATCH /api/residents/:id): the settings in force. */
  effectiveSettings: effectiveSettingsSchema.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Resident = z.infer<typeof residentSchema>;
