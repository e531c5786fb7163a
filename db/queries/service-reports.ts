import type { ReportRow, ServiceKpi } from '../../contract/reports.ts';
import { scopeSql, type Scope } from '../scope.ts';
import type { Queryable, Row } from '../types.ts';
import { activeStatusSql } from './alarms.ts';
import { groupKey, localDay, type ReportQuery } from './report-groups.ts';

export const NO_SERVICE_KPI: ServiceKpi = { alarms: 0, acceptedWithin15m: null, doneSameDay: null };

const ACCEPT_LIMIT_MS = 15 * 60_000;
const ANSWERED = 'NOT cancelled_unaccepted';

/**
 * The service-order KPIs per report group, from the facts table (alarm_responses): "done the
 * same day" depends on the report's time zone, which the continuous aggregate's buckets do not
 * know, and service orders are few, so the facts of the period answer quickly without adding
 * columns to the aggregate. Pending orders (active, limit not passed by the report's now) are
 * left out of a share's denominator, as the other KPIs do.
 */
function serviceSql(g: ReportQuery['groupBy'], inScope: string): string {
  const active = activeStatusSql();
  return `SELECT ${groupKey(g, 'raised_at')} AS gkey,
      count(*)::int AS alarms,
      count(*) FILTER (WHERE ${ANSWERED})::int AS answered,
      count(*) FILTER (WHERE ${ANSWERED} AND accept_ms <= ${ACCEPT_LIMIT_MS})::int AS accepted_15m,
      count(*) FILTER (WHERE ${ANSWERED} AND accept_ms IS NULL AND ${active}
                         AND raised_at + interval '${ACCEPT_LIMIT_MS} milliseconds' > $3::timestamptz)::int AS accept_pending,
      count(*) FILTER (WHERE ${ANSWERED} AND resolve_ms IS NOT NULL
                         AND ${localDay('raised_at')} = ${localDay(`(raised_at + resolve_ms * interval '1 millisecond')`)})::int AS done_same_day,
      count(*) FILTER (WHERE ${ANSWERED} AND ${active} AND ${localDay('raised_at')} = ${localDay('$3::timestamptz')})::int AS done_pending
    FROM alarm_responses
   WHERE priority = 'service' AND raised_at >= $1::timestamptz AND raised_at < $2::timestamptz AND ${inScope}
   GROUP BY 1`;
}

type ServiceSqlRow = Row & {
  gkey: string | null;
  alarms: number;
  answered: number;
  accepted_15m: number;
  accept_pending: number;
  done_same_day: number;
  done_pending: number;
};

const shareOf = (n: number, of: number): number | null => (of > 0 ? n / of : null);

/** The report's rows with `kpi.service` filled in (rows without service orders keep zero/null). */
export async function withServiceKpis(q: Queryable, scope: Scope, r: ReportQuery, rows: ReportRow[]): Promise<ReportRow[]> {
  const params: unknown[] = [r.from.toISOString(), r.to.toISOString(), (r.now ?? new Date()).toISOString(), r.tz];
  const inScope = scopeSql(scope, 'area_id', params);
  const found = (await q.query<ServiceSqlRow>(serviceSql(r.groupBy, inScope), params)).rows;
  const byKey = new Map(found.map((f) => [f.gkey, f]));
  return rows.map((row) => {
    const f = byKey.get(row.key);
    if (!f) return row;
    const service: ServiceKpi = {
      alarms: f.alarms,
      acceptedWithin15m: shareOf(f.accepted_15m, f.answered - f.accept_pending),
      doneSameDay: shareOf(f.done_same_day, f.answered - f.done_pending),
    };
    return { ...row, kpi: { ...row.kpi, service } };
  });
}
