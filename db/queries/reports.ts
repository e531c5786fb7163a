import type { Measure, ReportGrouping, ReportRow } from '../../contract/reports.ts';
import type { Queryable, Row } from '../types.ts';

/** `[from, to)` by raising time; `tz` names the local day for `groupBy: 'day'` (e.g. 'Asia/Shanghai'). */
export interface ReportQuery {
  from: Date;
  to: Date;
  groupBy: ReportGrouping;
  tz: string;
  /** The report's "now": an active alarm whose limit has not passed by then is still pending. */
  now?: Date;
}

export interface ReportOptions {
  /** 'facts': ignore the continuous aggregate even where it exists (tests compare both ways). */
  source?: 'auto' | 'facts';
}

/** The continuous aggregate of db/migrations/005_response_reports.sql (TimescaleDB only). */
const AGGREGATE = 'alarm_responses_15m';
const BUCKET_MS = 15 * 60_000;

// The additive figures, as the aggregate defines them (keep in step with the migration); the
// *_max columns roll up with max(), all others with sum().
const FACT_MEASURES = `
  count(*) AS alarms,
  count(*) FILTER (WHERE cancelled_unaccepted) AS cancelled_unaccepted,
  count(accept_ms) AS accept_count, max(accept_ms) AS accept_max,
  count(arrive_ms) AS arrive_count, max(arrive_ms) AS arrive_max,
  count(resolve_ms) AS resolve_count, max(resolve_ms) AS resolve_max,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= accept_limit_s * 1000::bigint) AS within_accept,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= arrive_limit_s * 1000::bigint) AS within_arrive,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= 60000) AS accept_60s,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= 180000) AS accept_180s,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= 2700000) AS arrive_45m,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= 3600000) AS arrive_60m`;
const COLUMNS = [
  'alarms', 'cancelled_unaccepted', 'accept_count', 'accept_max', 'arrive_count', 'arrive_max', 'resolve_count', 'resolve_max',
  'within_accept', 'within_arrive', 'accept_60s', 'accept_180s', 'arrive_45m', 'arrive_60m',
];
const ROLLUP = COLUMNS.map((c) => `${c.endsWith('_max') ? 'max' : 'sum'}(${c}) AS ${c}`).join(', ');

const IN_PERIOD = `raised_at >= $1::timestamptz AND raised_at < $2::timestamptz`;
const localDay = (t: string) => `to_char(${t} AT TIME ZONE $4::text, 'YYYY-MM-DD')`;

/** The group key (text) of a fact row or an aggregate row, by its time column `t`. */
function groupKey(g: ReportGrouping, t: string): string {
  switch (g) {
    case 'area': return 'area_id::text';
    case 'caregiver': return 'accepted_by::text';
    case 'kind': return 'kind';
    case 'day': return localDay(t);
    case 'none': return `'all'::text`;
  }
}

/**
 * A 15-minute bucket the aggregate may answer for: wholly inside [from, to) and, by day, inside
 * one local day (a zone whose offset is not a multiple of 15 minutes splits buckets at midnight).
 * Every other bucket — the partial edges — is counted from the facts, so results are exact.
 */
function wholeBucket(g: ReportGrouping, b: string): string {
  const inside = `${b} >= $1::timestamptz AND ${b} + interval '15 minutes' <= $2::timestamptz`;
  if (g !== 'day') return inside;
  return `${inside} AND ${localDay(b)} = ${localDay(`(${b} + interval '15 minutes' - interval '1 microsecond')`)}`;
}

function countsSql(g: ReportGrouping, useAggregate: boolean): string {
  const facts = (where: string) => `SELECT ${groupKey(g, 'raised_at')} AS gkey, ${FACT_MEASURES} FROM alarm_responses WHERE ${where} GROUP BY 1`;
  if (!useAggregate) return facts(IN_PERIOD);
  return `SELECT gkey, ${ROLLUP} FROM (
      SELECT ${groupKey(g, 'bucket')} AS gkey, ${COLUMNS.join(', ')} FROM ${AGGREGATE}
       WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ${wholeBucket(g, 'bucket')}
      UNION ALL
      ${facts(`${IN_PERIOD} AND NOT (${wholeBucket(g, `time_bucket(interval '15 minutes', raised_at)`)})`)}
    ) parts GROUP BY gkey`;
}

// Exact percentiles cannot be rolled up from buckets (a median of medians is not the median),
// so they always read the facts of the period.
const PERCENTILES = ['accept', 'arrive', 'resolve']
  .flatMap((m) => [`percentile_disc(0.5) WITHIN GROUP (ORDER BY ${m}_ms) AS ${m}_p50`, `percentile_disc(0.9) WITHIN GROUP (ORDER BY ${m}_ms) AS ${m}_p90`])
  .join(',\n  ');

function labelling(g: ReportGrouping): { label: string; join: string } {
  switch (g) {
    case 'area':
      return {
        label: `COALESCE(ar.name, CASE WHEN c.gkey IS NULL THEN '(no area)' ELSE c.gkey END)`,
        join: 'LEFT JOIN areas ar ON ar.id = c.gkey::uuid',
      };
    case 'caregiver':
      // a deleted caregiver keeps the name their last acceptance recorded
      return {
        label: `CASE WHEN c.gkey IS NULL THEN '(not accepted by a caregiver)' ELSE COALESCE(cg.name,
          (SELECT x.accepted_by_name FROM alarm_responses x WHERE x.accepted_by = c.gkey::uuid AND x.accepted_by_name IS NOT NULL
            ORDER BY x.raised_at DESC LIMIT 1), c.gkey) END`,
        join: 'LEFT JOIN caregivers cg ON cg.id = c.gkey::uuid',
      };
    case 'none':
      return { label: `'all'`, join: '' };
    default:
      return { label: 'c.gkey', join: '' };
  }
}

const seconds = (ms: string) => `(${ms} / 1000.0)::float8`;

// Still undecided: an active alarm that has not reached the milestone and whose limit has not
// passed by the report's now ($3). It is neither within nor late yet, so it is left out of that
// share (an alarm on its way for 5 minutes must not show as "arrived late"). Depends on now, so
// never rolled up: read from the facts, which only holds active alarms of the period here.
const PENDING: Record<string, [string, string]> = {
  within_accept: ['accept_ms', "accept_limit_s * interval '1 second'"],
  within_arrive: ['arrive_ms', "arrive_limit_s * interval '1 second'"],
  accept_60s: ['accept_ms', "interval '60 seconds'"],
  accept_180s: ['accept_ms', "interval '180 seconds'"],
  arrive_45m: ['arrive_ms', "interval '45 minutes'"],
  arrive_60m: ['arrive_ms', "interval '60 minutes'"],
};
const PENDING_COUNTS = Object.entries(PENDING)
  .map(([n, [ms, limit]]) => `count(*) FILTER (WHERE ${ms} IS NULL AND raised_at + ${limit} > $3::timestamptz) AS ${n}`)
  .join(',\n    ');
const share = (n: string) =>
  `(c.${n}::float8 / NULLIF((c.alarms - c.cancelled_unaccepted - COALESCE(pe.${n}, 0))::float8, 0))`;

function reportSql(g: ReportGrouping, useAggregate: boolean): string {
  const { label, join } = labelling(g);
  const measures = ['accept', 'arrive', 'resolve'].map(
    (m) => `c.${m}_count::int AS ${m}_count, ${seconds(`p.${m}_p50`)} AS ${m}_p50, ${seconds(`p.${m}_p90`)} AS ${m}_p90, ${seconds(`c.${m}_max`)} AS ${m}_max`,
  );
  // "C" collation: the same order on every server, whatever its locale
  const order = g === 'day' ? 'key COLLATE "C"' : 'alarms DESC, label COLLATE "C", key COLLATE "C" NULLS LAST';
  return `WITH counts AS (${countsSql(g, useAggregate)}),
    pct AS (SELECT ${groupKey(g, 'raised_at')} AS gkey, ${PERCENTILES} FROM alarm_responses WHERE ${IN_PERIOD} GROUP BY 1),
    pe AS (SELECT ${groupKey(g, 'raised_at')} AS gkey, ${PENDING_COUNTS} FROM alarm_responses
            WHERE ${IN_PERIOD} AND status IN ('open', 'accepted', 'on_site') AND NOT cancelled_unaccepted GROUP BY 1)
    SELECT * FROM (
      SELECT c.gkey AS key, ${label} AS label, c.alarms::int AS alarms, c.cancelled_unaccepted::int AS cancelled_unaccepted,
        ${measures.join(',\n        ')},
        ${share('within_accept')} AS within_accept, ${share('within_arrive')} AS within_arrive,
        ${share('accept_60s')} AS accept_60s, ${share('accept_180s')} AS accept_180s,
        ${share('arrive_45m')} AS arrive_45m, ${share('arrive_60m')} AS arrive_60m
      FROM counts c LEFT JOIN pct p ON p.gkey IS NOT DISTINCT FROM c.gkey
      LEFT JOIN pe ON pe.gkey IS NOT DISTINCT FROM c.gkey
      ${join}
    ) r ORDER BY ${order}`;
}

type ReportSqlRow = Row & Record<string, number | string | null> & { key: string | null; label: string };

const measure = (r: ReportSqlRow, m: string): Measure => ({
  count: r[`${m}_count`] as number,
  p50: r[`${m}_p50`] as number | null,
  p90: r[`${m}_p90`] as number | null,
  max: r[`${m}_max`] as number | null,
});

function toReportRow(r: ReportSqlRow): ReportRow {
  const n = (c: string) => r[c] as number | null;
  return {
    key: r.key,
    label: r.label,
    alarms: r.alarms as number,
    cancelledUnaccepted: r.cancelled_unaccepted as number,
    accept: measure(r, 'accept'),
    arrive: measure(r, 'arrive'),
    resolve: measure(r, 'resolve'),
    withinAcceptLimit: n('within_accept'),
    withinArriveLimit: n('within_arrive'),
    acceptedWithin60s: n('accept_60s'),
    acceptedWithin180s: n('accept_180s'),
    arrivedWithin45m: n('arrive_45m'),
    arrivedWithin60m: n('arrive_60m'),
  };
}

const emptyMeasure: Measure = { count: 0, p50: null, p90: null, max: null };

// Whether the aggregate exists is fixed once migrations ran: asked once per connection/pool.
const aggregateKnown = new WeakMap<Queryable, Promise<boolean>>();
export function hasResponseAggregate(q: Queryable): Promise<boolean> {
  let known = aggregateKnown.get(q);
  if (!known) {
    known = q.query<{ present: boolean }>(`SELECT to_regclass('${AGGREGATE}') IS NOT NULL AS present`).then((r) => r.rows[0]?.present === true);
    known.catch(() => aggregateKnown.delete(q));
    aggregateKnown.set(q, known);
  }
  return known;
}

/**
 * Response-time figures per group (contract/reports.ts). Where the continuous aggregate exists,
 * its whole buckets of the period are refreshed first: alarms are accepted and resolved after
 * their bucket was materialised, and real-time aggregation only covers buckets past the last
 * refresh — without it, counts could lag the facts. The refresh cannot run inside a
 * transaction, so pass the pool (db), not a transaction.
 */
export async function responseTimeReport(q: Queryable, r: ReportQuery, opts: ReportOptions = {}): Promise<ReportRow[]> {
  const start = Math.ceil(r.from.getTime() / BUCKET_MS) * BUCKET_MS;
  const end = Math.floor(r.to.getTime() / BUCKET_MS) * BUCKET_MS;
  const useAggregate = opts.source !== 'facts' && end > start && (await hasResponseAggregate(q));
  if (useAggregate) {
    await q.query(`CALL refresh_continuous_aggregate('${AGGREGATE}', $1::timestamptz, $2::timestamptz)`, [
      new Date(start).toISOString(),
      new Date(end).toISOString(),
    ]);
  }
  const params: unknown[] = [r.from.toISOString(), r.to.toISOString(), (r.now ?? new Date()).toISOString()];
  if (r.groupBy === 'day') params.push(r.tz);
  const rows = (await q.query<ReportSqlRow>(reportSql(r.groupBy, useAggregate), params)).rows.map(toReportRow);
  if (r.groupBy === 'none' && rows.length === 0) {
    // one row whatever happened: a period without alarms is an answer too
    return [{
      key: 'all', label: 'all', alarms: 0, cancelledUnaccepted: 0, accept: emptyMeasure, arrive: emptyMeasure, resolve: emptyMeasure,
      withinAcceptLimit: null, withinArriveLimit: null, acceptedWithin60s: null, acceptedWithin180s: null, arrivedWithin45m: null, arrivedWithin60m: null,
    }];
  }
  return rows;
}
