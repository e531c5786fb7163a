import type { KpiShares, Measure, ReportGrouping, ReportRow } from '../../contract/reports.ts';
import type { Queryable, Row } from '../types.ts';
import { activeStatusSql } from './alarms.ts';
import { scopeSql, type Scope } from '../scope.ts';
import { groupKey, localDay, type ReportQuery } from './report-groups.ts';
import { NO_SERVICE_KPI, withServiceKpis } from './service-reports.ts';

export type { ReportQuery };

export interface ReportOptions {
  /** 'facts': ignore the continuous aggregate even where it exists (tests compare both ways). */
  source?: 'auto' | 'facts';
}

/** The continuous aggregate of db/migrations/005_response_reports.sql (TimescaleDB only). */
const AGGREGATE = 'alarm_responses_15m';
const BUCKET_MS = 15 * 60_000;

/** The priorities whose emergency-response KPIs are reported, each apart (column prefix). */
const KPI_PRIORITIES = { em: 'emergency', ur: 'urgent' } as const;
type KpiPrefix = keyof typeof KPI_PRIORITIES;
const KPI_PREFIXES = Object.keys(KPI_PRIORITIES) as KpiPrefix[];
/** The KPI thresholds: milestone column and limit in ms. */
const KPI_LIMITS = { accept_60s: ['accept_ms', 60_000], accept_180s: ['accept_ms', 180_000], arrive_45m: ['arrive_ms', 2_700_000], arrive_60m: ['arrive_ms', 3_600_000] } as const;
type KpiName = keyof typeof KPI_LIMITS;
const KPI_NAMES = Object.keys(KPI_LIMITS) as KpiName[];

// The additive figures, as the aggregate defines them (keep in step with migration 006); the
// *_max columns roll up with max(), all others with sum().
const FACT_MEASURES = `
  count(*) AS alarms,
  count(*) FILTER (WHERE cancelled_unaccepted) AS cancelled_unaccepted,
  count(accept_ms) AS accept_count, max(accept_ms) AS accept_max,
  count(arrive_ms) AS arrive_count, max(arrive_ms) AS arrive_max,
  count(resolve_ms) AS resolve_count, max(resolve_ms) AS resolve_max,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= accept_limit_s * 1000::bigint) AS within_accept,
  count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= arrive_limit_s * 1000::bigint) AS within_arrive,
  ${KPI_PREFIXES.map((p) => {
    const is = `priority = '${KPI_PRIORITIES[p]}'`;
    return [
      `count(*) FILTER (WHERE ${is}) AS ${p}_alarms`,
      `count(*) FILTER (WHERE ${is} AND cancelled_unaccepted) AS ${p}_cancelled_unaccepted`,
      ...KPI_NAMES.map((k) => `count(*) FILTER (WHERE ${is} AND NOT cancelled_unaccepted AND ${KPI_LIMITS[k][0]} <= ${KPI_LIMITS[k][1]}) AS ${p}_${k}`),
    ].join(',\n  ');
  }).join(',\n  ')}`;
const COLUMNS = [
  'alarms', 'cancelled_unaccepted', 'accept_count', 'accept_max', 'arrive_count', 'arrive_max', 'resolve_count', 'resolve_max',
  'within_accept', 'within_arrive',
  ...KPI_PREFIXES.flatMap((p) => [`${p}_alarms`, `${p}_cancelled_unaccepted`, ...KPI_NAMES.map((k) => `${p}_${k}`)]),
];
const ROLLUP = COLUMNS.map((c) => `${c.endsWith('_max') ? 'max' : 'sum'}(${c}) AS ${c}`).join(', ');

const IN_PERIOD = `raised_at >= $1::timestamptz AND raised_at < $2::timestamptz`;
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

function countsSql(g: ReportGrouping, useAggregate: boolean, inScope: string): string {
  const facts = (where: string) => `SELECT ${groupKey(g, 'raised_at')} AS gkey, ${FACT_MEASURES} FROM alarm_responses WHERE ${where} GROUP BY 1`;
  if (!useAggregate) return facts(`${IN_PERIOD} AND ${inScope}`);
  return `SELECT gkey, ${ROLLUP} FROM (
      SELECT ${groupKey(g, 'bucket')} AS gkey, ${COLUMNS.join(', ')} FROM ${AGGREGATE}
       WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ${wholeBucket(g, 'bucket')} AND ${inScope}
      UNION ALL
      ${facts(`${IN_PERIOD} AND ${inScope} AND NOT (${wholeBucket(g, `time_bucket(interval '15 minutes', raised_at)`)})`)}
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
const PENDING: Record<string, [string, string, string]> = {
  within_accept: ['accept_ms', "accept_limit_s * interval '1 second'", 'true'],
  within_arrive: ['arrive_ms', "arrive_limit_s * interval '1 second'", 'true'],
  ...Object.fromEntries(
    KPI_PREFIXES.flatMap((p) =>
      KPI_NAMES.map((k) => [`${p}_${k}`, [KPI_LIMITS[k][0], `${KPI_LIMITS[k][1]} * interval '1 millisecond'`, `priority = '${KPI_PRIORITIES[p]}'`]]),
    ),
  ),
};
const PENDING_COUNTS = Object.entries(PENDING)
  .map(([n, [ms, limit, which]]) => `count(*) FILTER (WHERE ${which} AND ${ms} IS NULL AND raised_at + ${limit} > $3::timestamptz) AS ${n}`)
  .join(',\n    ');
/** A share of the alarms that needed an answer (of one KPI priority, for `em_…`/`ur_…`). */
const share = (n: string) => {
  const p = KPI_PREFIXES.find((x) => n.startsWith(`${x}_`));
  const [alarms, cancelled] = p ? [`c.${p}_alarms`, `c.${p}_cancelled_unaccepted`] : ['c.alarms', 'c.cancelled_unaccepted'];
  return `(c.${n}::float8 / NULLIF((${alarms} - ${cancelled} - COALESCE(pe.${n}, 0))::float8, 0))`;
};
const KPI_SELECT = KPI_PREFIXES.flatMap((p) => [`c.${p}_alarms::int AS ${p}_alarms`, ...KPI_NAMES.map((k) => `${share(`${p}_${k}`)} AS ${p}_${k}`)]).join(', ');

/** `inScope`: the area-scope condition on `area_id` (facts and aggregate rows both carry it). */
function reportSql(g: ReportGrouping, useAggregate: boolean, inScope: string): string {
  const { label, join } = labelling(g);
  const measures = ['accept', 'arrive', 'resolve'].map(
    (m) => `c.${m}_count::int AS ${m}_count, ${seconds(`p.${m}_p50`)} AS ${m}_p50, ${seconds(`p.${m}_p90`)} AS ${m}_p90, ${seconds(`c.${m}_max`)} AS ${m}_max`,
  );
  // "C" collation: the same order on every server, whatever its locale
  const order = g === 'day' ? 'key COLLATE "C"' : 'alarms DESC, label COLLATE "C", key COLLATE "C" NULLS LAST';
  return `WITH counts AS (${countsSql(g, useAggregate, inScope)}),
    pct AS (SELECT ${groupKey(g, 'raised_at')} AS gkey, ${PERCENTILES} FROM alarm_responses WHERE ${IN_PERIOD} AND ${inScope} GROUP BY 1),
    pe AS (SELECT ${groupKey(g, 'raised_at')} AS gkey, ${PENDING_COUNTS} FROM alarm_responses
            WHERE ${IN_PERIOD} AND ${inScope} AND ${activeStatusSql()} AND NOT cancelled_unaccepted GROUP BY 1)
    SELECT * FROM (
      SELECT c.gkey AS key, ${label} AS label, c.alarms::int AS alarms, c.cancelled_unaccepted::int AS cancelled_unaccepted,
        ${measures.join(',\n        ')},
        ${share('within_accept')} AS within_accept, ${share('within_arrive')} AS within_arrive,
        ${KPI_SELECT}
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
    ...kpi(r, 'em'),
    kpi: { emergency: { alarms: r.em_alarms as number, ...kpi(r, 'em') }, urgent: { alarms: r.ur_alarms as number, ...kpi(r, 'ur') }, service: NO_SERVICE_KPI },
  };
}

function kpi(r: ReportSqlRow, p: KpiPrefix): Omit<KpiShares, 'alarms'> {
  const n = (k: KpiName) => r[`${p}_${k}`] as number | null;
  return { acceptedWithin60s: n('accept_60s'), acceptedWithin180s: n('accept_180s'), arrivedWithin45m: n('arrive_45m'), arrivedWithin60m: n('arrive_60m') };
}

const noKpi: KpiShares = { alarms: 0, acceptedWithin60s: null, acceptedWithin180s: null, arrivedWithin45m: null, arrivedWithin60m: null };

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
export async function responseTimeReport(q: Queryable, scope: Scope, r: ReportQuery, opts: ReportOptions = {}): Promise<ReportRow[]> {
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
  const inScope = scopeSql(scope, 'area_id', params);
  const rows = (await q.query<ReportSqlRow>(reportSql(r.groupBy, useAggregate, inScope), params)).rows.map(toReportRow);
  if (r.groupBy === 'none' && rows.length === 0) {
    // one row whatever happened: a period without alarms is an answer too
    return [{
      key: 'all', label: 'all', alarms: 0, cancelledUnaccepted: 0, accept: emptyMeasure, arrive: emptyMeasure, resolve: emptyMeasure,
      withinAcceptLimit: null, withinArriveLimit: null, acceptedWithin60s: null, acceptedWithin180s: null, arrivedWithin45m: null, arrivedWithin60m: null,
      kpi: { emergency: noKpi, urgent: noKpi, service: NO_SERVICE_KPI },
    }];
  }
  return withServiceKpis(q, scope, r, rows);
}
