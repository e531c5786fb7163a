import { z } from 'zod';

/** A resident whose button was not pressed or tested for a week (GET /api/residents/untested). */
export const untestedResidentSchema = z.object({
  residentId: z.string(),
  name: z.string(),
  areaId: z.string(),
  /** Their buttons (pendant, button, pull cord). */
  deviceIds: z.array(z.string()),
  /** The latest press or test within the lookback (35 days); null: none. */
  lastButtonTestAt: z.date().nullable(),
  /** Since when it counts as untested: the later of the last press/test and the first button's registration. */
  untestedSince: z.date(),
});
export type UntestedResident = z.infer<typeof untestedResidentSchema>;
