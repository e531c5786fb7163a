import { PG_CHECK_VIOLATION, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION } from '../db-error.ts';

/** The SQLSTATE and constraint of a failed statement (DbError from pg or PGlite), if any. */
export function dbFailure(err: unknown): { code: string | undefined; constraint: string | undefined } {
  if (typeof err !== 'object' || err === null) return { code: undefined, constraint: undefined };
  const e = err as { code?: unknown; constraint?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
  };
}

export const isUniqueViolation = (err: unknown, constraint?: string) => matches(err, PG_UNIQUE_VIOLATION, constraint);
export const isForeignKeyViolation = (err: unknown, constraint?: string) => matches(err, PG_FOREIGN_KEY_VIOLATION, constraint);
export const isCheckViolation = (err: unknown, constraint?: string) => matches(err, PG_CHECK_VIOLATION, constraint);

function matches(err: unknown, code: string, constraint: string | undefined): boolean {
  const f = dbFailure(err);
  // PGlite may leave `constraint` empty; then the code alone decides.
  return f.code === code && (constraint === undefined || f.constraint === undefined || f.constraint === constraint);
}
