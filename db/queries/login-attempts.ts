import type { Queryable } from '../types.ts';

/** How failed logins turn into a lockout of the username. */
export interface LockoutRule {
  /** The failure in a row that locks the username first. */
  lockAfter: number;
  /** The first lock; each further failure doubles it … */
  baseLockMs: number;
  /** … up to this. */
  maxLockMs: number;
  /** A failure older than this no longer counts: the next one starts again from 1. */
  forgetAfterMs: number;
}

/** When a username's logins are refused until, if it is locked now. */
export async function lockedUntil(q: Queryable, username: string, now: Date): Promise<Date | undefined> {
  const r = await q.query<{ lockedUntil: Date | null }>(
    `SELECT locked_until AS "lockedUntil" FROM login_failures WHERE username = $1 AND locked_until > $2::timestamptz`,
    [username, now.toISOString()],
  );
  return r.rows[0]?.lockedUntil ?? undefined;
}

// the failure count after this one: 1 again once the last failure is old enough to forget
const NEXT = `(CASE WHEN f.last_failure_at < $2::timestamptz - make_interval(secs => $6::float8 / 1000) THEN 1 ELSE f.failures + 1 END)`;

/**
 * Counts one failed login in one statement (concurrent failures each count) and locks the
 * username from the lockAfter-th failure on: base × 2^(failures − lockAfter), capped.
 * Returns the count and the lock, if any.
 */
export async function recordLoginFailure(
  q: Queryable,
  username: string,
  now: Date,
  rule: LockoutRule,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const r = await q.query<{ failures: number; lockedUntil: Date | null }>(
    `INSERT INTO login_failures AS f (username, failures, last_failure_at) VALUES ($1, 1, $2::timestamptz)
     ON CONFLICT (username) DO UPDATE SET
       failures = ${NEXT},
       last_failure_at = $2::timestamptz,
       locked_until = CASE WHEN ${NEXT} >= $3::int
         THEN $2::timestamptz + make_interval(secs => LEAST($4::float8 * power(2, LEAST(${NEXT} - $3::int, 30)), $5::float8) / 1000)
         ELSE NULL END
     RETURNING f.failures, f.locked_until AS "lockedUntil"`,
    [username, now.toISOString(), rule.lockAfter, rule.baseLockMs, rule.maxLockMs, rule.forgetAfterMs],
  );
  const row = r.rows[0]!;
  return { failures: Number(row.failures), lockedUntil: row.lockedUntil };
}

/** A successful login: the username's failures are forgiven. */
export async function clearLoginFailures(q: Queryable, username: string): Promise<void> {
  await q.query('DELETE FROM login_failures WHERE username = $1', [username]);
}

/** Housekeeping: failures nobody has repeated for a while, and no lock still running. */
export async function pruneLoginFailures(q: Queryable, before: Date): Promise<number> {
  return (
    await q.query('DELETE FROM login_failures WHERE last_failure_at < $1::timestamptz AND (locked_until IS NULL OR locked_until < $1::timestamptz)', [
      before.toISOString(),
    ])
  ).rowCount;
}
