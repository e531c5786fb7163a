import { z } from 'zod';

/** The coarse, stable code of every error answer (`{"error","code","reason"?,"details"?}`). */
export const errorCodeSchema = z.enum(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unavailable']);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/**
 * A finer, stable reason beside the coarse `code`, where the code alone does not say what
 * went wrong (a 401 for a wrong password vs an expired session, a 409 for "someone else
 * accepted it" vs "it is closed"). Programs and the web page translate by these; the English
 * `error` text is for people reading logs and curl output. Add values, never rename them.
 */
export const errorReasonSchema = z.enum([
  'bad_credentials',
  'auth_required',
  'session_expired',
  'role_required',
  'not_caregiver_login',
  'operators_only',
  'reassign_target_missing',
  'caregiver_not_found',
  'note_missing',
  'alarm_closed',
  'alarm_already_accepted',
  'alarm_not_yours',
  'alarm_not_open',
  'alarm_not_allowed',
  'alarm_not_found',
  'alarm_not_alerted',
]);
export type ErrorReason = z.infer<typeof errorReasonSchema>;
