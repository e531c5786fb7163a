import { z } from 'zod';
import { deviceIdSchema } from '../../../contract/device-messages.ts';

/** Any 8-4-4-4-12 hex id, as PostgreSQL's uuid type accepts (stricter RFC checks buy nothing here). */
export const idSchema = z.guid('must be a UUID');
export const idParams = z.object({ id: idSchema });
export const deviceIdParams = z.object({ id: deviceIdSchema });

// PostgreSQL cannot store NUL in text or jsonb (the insert would fail), and an unpaired UTF-16
// surrogate (a lone "\uD800" escape) would be stored as U+FFFD, silently changing what was sent.
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Free text as the database can keep it exactly. */
export const storableText = () =>
  z.string().refine((s) => !UNSTORABLE.test(s), 'must not contain NUL (\\u0000) or unpaired surrogate (\\uD800-\\uDFFF) characters');

export const nameSchema = storableText().trim().min(1, 'must not be empty').max(200);
export const textSchema = (max: number) => storableText().trim().max(max);

/** Lenient on purpose (spaces, brackets, dashes); the SMS layer normalises to E.164. */
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ().-]{2,30}$/, 'must be a phone number: digits, optionally a leading + and spaces or dashes');

// What the database and toISOString() both handle: year 0 and five-digit years are refused there.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 0, 1);

/**
 * ISO 8601 date-time. With `Z` or an offset it is that instant; without one it is local time
 * in the server's TZ (DESIGN: "TZ — shift and schedule times").
 */
export const instantSchema = z.iso
  .datetime({ offset: true, local: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-22T08:00:00+08:00' })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() >= EARLIEST && d.getTime() < LATEST, 'must be between 1970-01-01 and 9998-12-31');

/**
 * A PATCH body must change something: `{}` is almost always a client bug (a field name in the
 * wrong case, a form that sent nothing), so it is refused rather than answered as a success.
 */
export function nonEmptyPatch<T extends z.ZodObject>(schema: T): T {
  const fields = Object.keys(schema.shape).join(', ');
  return schema.refine((patch) => Object.values(patch as object).some((v) => v !== undefined), {
    message: `nothing to change: send at least one of ${fields}`,
  });
}

/**
 * Every error answer (error-handler.ts): `error` for people, `code` stable for programs, and
 * `details` / `reason` where there are any. Loose on purpose: the response serializer parses
 * a body with its schema and drops the fields a plain object does not name, so a field the
 * error handler adds later still reaches the caller. Its id makes it one shared component,
 * `#/components/schemas/Error`, in the OpenAPI document.
 */
export const errorBodySchema = z
  .looseObject({
    error: z.string().describe('what went wrong, for people'),
    code: z
      .string()
      .describe('stable, for programs: validation_failed, invalid_json, unauthorized, forbidden, not_found, conflict, unavailable, …'),
    reason: z
      .string()
      .optional()
      .describe('stable, for programs, where code alone does not say what went wrong: e.g. bad_credentials, session_expired, alarm_already_accepted'),
    details: z.unknown().optional().describe('machine-readable specifics, e.g. the validation issues `[{path, message, code}]`'),
  })
  .meta({ id: 'Error' });

/** The error statuses an API route can answer; a 5xx other than 503 is ours to fix and not described. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 503;

/**
 * The `response` entries of a route's error answers, all with the one error body:
 * `response: { 200: thing, ...errorResponses(400, 401, 404) }`.
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof errorBodySchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorBodySchema])) as Record<S, typeof errorBodySchema>;
}

/** A `204` answer: no body (the serializer never sees one), documented as such. */
export const noContent = (what: string) => z.undefined().describe(what);
