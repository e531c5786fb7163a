import { z } from 'zod';
import { deviceIdSchema } from '../../contract/device-messages.ts';

/** Any 8-4-4-4-12 hex id, as PostgreSQL's uuid type accepts (stricter RFC checks buy nothing here). */
export const idSchema = z.guid('must be a UUID');
export const idParams = z.object({ id: idSchema });
export const deviceIdParams = z.object({ id: deviceIdSchema });

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(200);
export const textSchema = (max: number) => z.string().trim().max(max);

/** Lenient on purpose (spaces, brackets, dashes); the SMS layer normalises to E.164. */
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ().-]{2,30}$/, 'must be a phone number: digits, optionally a leading + and spaces or dashes');

/**
 * ISO 8601 date-time. With `Z` or an offset it is that instant; without one it is local time
 * in the server's TZ (DESIGN: "TZ — shift and schedule times").
 */
export const instantSchema = z.iso
  .datetime({ offset: true, local: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-22T08:00:00+08:00' })
  .transform((s) => new Date(s));
