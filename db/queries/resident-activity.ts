import { activityEventTypes, type ActivityHour } from '../../contract/resident-record.ts';
import { scopeSql, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';

// the hour an event falls in, aligned to whole UTC hours either way: TimescaleDB's buckets start
// at its origin (a UTC midnight); date_trunc would follow the session's TimeZone, which a
// half-hour zone would shift, so plain PostgreSQL floors the epoch instead
const BUCKET = {
  timescale: `time_bucket('1 hour', e.received_at)`,
  plain: `to_timestamp(floor(extract(epoch FROM e.received_at) / 3600) * 3600)`,
};

/**
 * A resident's motion / door / bed events per hour in [from, to) (whole UTC hours), every hour
 * present (zeros for quiet ones), oldest first; undefined when the resident is not inside `scope`.
 * `timescale` picks `time_bucket` on a hypertable, plain SQL otherwise: the same rows either way.
 */
export async function residentActivity(
  q: Queryable,
  scope: Scope,
  residentId: string,
  window: { from: Date; to: Date },
  timescale: boolean,
): Promise<ActivityHour[] | undefined> {
  const params: unknown[] = [residentId];
  const found = await q.query(`SELECT 1 FROM residents r WHERE r.id = $1::uuid AND ${scopeSql(scope, 'r.area_id', params)}`, params);
  if (found.rowCount === 0) return undefined;
  const { motion, door, bed } = activityEventTypes;
  const r = await q.query<{ at: Date; motion: number; door: number; bed: number }>(
    `WITH counts AS (
       SELECT ${timescale ? BUCKET.timescale : BUCKET.plain} AS at,
              count(*) FILTER (WHERE e.type = ANY($4::text[]))::int AS motion,
              count(*) FILTER (WHERE e.type = ANY($5::text[]))::int AS door,
              count(*) FILTER (WHERE e.type = ANY($6::text[]))::int AS bed
         FROM events e
        WHERE e.resident_id = $1::uuid AND e.received_at >= $2::timestamptz AND e.received_at < $3::timestamptz
          AND e.type = ANY($7::text[])
        GROUP BY 1
     )
     SELECT h.at, coalesce(c.motion, 0) AS motion, coalesce(c.door, 0) AS door, coalesce(c.bed, 0) AS bed
       FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 hour', interval '1 hour') AS h(at)
       LEFT JOIN counts c ON c.at = h.at
      ORDER BY h.at`,
    [residentId, window.from.toISOString(), window.to.toISOString(), motion, door, bed, [...motion, ...door, ...bed]],
  );
  return r.rows.map((row) => ({ at: new Date(row.at), motion: row.motion, door: row.door, bed: row.bed }));
}
