import type { Queryable } from '../types.ts';

/** Takes the lease on `key` for ttlMs if it is free or expired (or already ours). */
export async function tryTakeLease(q: Queryable, key: string, holder: string, ttlMs: number): Promise<boolean> {
  const res = await q.query(
    `INSERT INTO job_leases (key, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE job_leases.expires_at < now() OR job_leases.holder = EXCLUDED.holder
     RETURNING holder`,
    [key, holder, ttlMs],
  );
  return res.rowCount > 0;
}

export async function releaseLease(q: Queryable, key: string, holder: string): Promise<void> {
  await q.query('DELETE FROM job_leases WHERE key = $1 AND holder = $2', [key, holder]);
}

/** Dedup keys older than the window: a retransmission that late is not a retransmission. */
export async function pruneEventKeys(q: Queryable, olderThan: Date): Promise<number> {
  const res = await q.query('DELETE FROM event_keys WHERE received_at < $1::timestamptz', [olderThan.toISOString()]);
  return res.rowCount;
}

/** TimescaleDB policy jobs (compression, retention, aggregate refresh) of this database. */
export async function timescalePolicyJobs(q: Queryable): Promise<Array<{ jobId: number; proc: string }>> {
  const res = await q.query<{ job_id: number; proc_name: string }>(
    `SELECT job_id, proc_name FROM timescaledb_information.jobs WHERE proc_name LIKE 'policy\\_%' ORDER BY job_id`,
  );
  return res.rows.map((r) => ({ jobId: r.job_id, proc: r.proc_name }));
}

export async function runTimescaleJob(q: Queryable, jobId: number): Promise<void> {
  await q.query('CALL run_job($1)', [jobId]);
}
