import type { Db, Queryable } from '../types.ts';

/**
 * Sensor events are kept `days` days. On TimescaleDB a retention policy drops whole chunks
 * (the server's background worker runs it; embedded, the maintenance job that runs policies).
 * Answers false where the policy cannot be had (plain PostgreSQL, or a build without it): the
 * caller then deletes old rows itself (deleteEventsBefore).
 */
export async function applyEventRetentionPolicy(db: Db, days: number): Promise<boolean> {
  if (!db.timescale) return false;
  try {
    // the setting may have changed since the last start: replace, never stack, the policy
    await db.query(`SELECT remove_retention_policy('events', if_exists => true)`);
    await db.query(`SELECT add_retention_policy('events', make_interval(days => $1::int))`, [days]);
    return true;
  } catch {
    return false; // (a TimescaleDB build without policies: the DELETE job does it)
  }
}

/** Sensor events received before `before`, deleted (plain PostgreSQL; a TimescaleDB without policies). */
export async function deleteEventsBefore(q: Queryable, before: Date): Promise<number> {
  const res = await q.query('DELETE FROM events WHERE received_at < $1::timestamptz', [before.toISOString()]);
  return res.rowCount;
}
