import { useT, type Translator } from '../../i18n/index.ts';
import { formatDuration } from '../../lib/duration.ts';
import type { ReportGrouping, ReportRow } from '../../types.ts';
import { kpiShares, ownLimitShares, shareLevel, type KpiShare, type Share } from './report-targets.ts';

type MeasureName = 'accept' | 'arrive' | 'resolve';
const measures: MeasureName[] = ['accept', 'arrive', 'resolve'];
const shareLabel: Record<Share, 'col.withinAccept' | 'col.withinArrive' | 'col.acc60' | 'col.acc180' | 'col.arr45' | 'col.arr60'> = {
  withinAcceptLimit: 'col.withinAccept',
  withinArriveLimit: 'col.withinArrive',
  acceptedWithin60s: 'col.acc60',
  acceptedWithin180s: 'col.acc180',
  arrivedWithin45m: 'col.arr45',
  arrivedWithin60m: 'col.arr60',
};

/** A group's name: kinds translated, missing keys (no area, not accepted) named as such. */
export function groupLabel(row: ReportRow, groupBy: ReportGrouping, tr: Translator): string {
  if (groupBy === 'kind' && row.key) return tr.label('kind', row.key);
  if (groupBy === 'none') return tr.t('group.none');
  // the server labels a missing key in English ("(no area)"): named here in the page's language
  if (row.key === null) return tr.t(groupBy === 'area' ? 'reports.noArea' : groupBy === 'caregiver' ? 'reports.notAccepted' : 'reports.noKey');
  return row.label || row.key;
}

function ShareCell({ share, value, first, testId }: { share: Share; value: number | null; first?: boolean; testId?: string }) {
  const tr = useT();
  return (
    <td class={`share share-${shareLevel(share, value)}${first ? ' group-start' : ''}`} data-testid={testId} data-share={share}>
      {tr.percent(value)}
    </td>
  );
}

/**
 * Response times per group, each alarm against its own limits, and the emergency KPIs (60 s /
 * 180 s, 45 / 60 min: emergencies only). Urgent alarms' KPIs are in a table of their own below.
 */
export function ReportsTable({ rows, groupBy }: { rows: readonly ReportRow[]; groupBy: ReportGrouping }) {
  const tr = useT();
  const { t } = tr;
  return (
    <div class="table-wrap">
      <table class="report" data-testid="reports-table">
        <thead>
          <tr>
            <th rowSpan={2} class="left">
              {tr.label('group', groupBy)}
            </th>
            <th rowSpan={2}>{t('col.alarms')}</th>
            <th rowSpan={2}>{t('col.cancelled')}</th>
            {measures.map((m) => (
              <th key={m} colSpan={4} class="group-start">
                {t(m === 'accept' ? 'col.accept' : m === 'arrive' ? 'col.arrive' : 'col.resolve')}
              </th>
            ))}
            <th colSpan={ownLimitShares.length} class="group-start">
              {t('col.ownLimits')}
            </th>
            <th colSpan={kpiShares.length + 1} class="group-start">
              {t('col.emergencyKpi')}
            </th>
          </tr>
          <tr>
            {measures.map((m) =>
              (['col.count', 'col.p50', 'col.p90', 'col.max'] as const).map((c, i) => (
                <th key={m + c} class={i === 0 ? 'group-start sub' : 'sub'}>
                  {t(c)}
                </th>
              )),
            )}
            {ownLimitShares.map((s, i) => (
              <th key={s} class={i === 0 ? 'group-start sub share-head' : 'sub share-head'}>
                {t(shareLabel[s])}
              </th>
            ))}
            <th class="group-start sub">{t('col.alarms')}</th>
            {kpiShares.map((s) => (
              <th key={s} class="sub share-head">
                {t(shareLabel[s])}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key ?? '∅'} data-testid="reports-row" data-key={r.key ?? ''}>
              <th scope="row" class="left">
                {groupLabel(r, groupBy, tr)}
              </th>
              <td>{r.alarms}</td>
              <td>{r.cancelledUnaccepted}</td>
              {measures.map((m) => {
                const v = r[m];
                return [
                  <td key={`${m}n`} class="group-start">
                    {v.count}
                  </td>,
                  <td key={`${m}50`}>{formatDuration(v.p50)}</td>,
                  <td key={`${m}90`}>{formatDuration(v.p90)}</td>,
                  <td key={`${m}max`}>{formatDuration(v.max)}</td>,
                ];
              })}
              {ownLimitShares.map((s, i) => (
                <ShareCell key={s} share={s} value={r[s]} first={i === 0} />
              ))}
              <td class="group-start">{r.kpi.emergency.alarms}</td>
              {kpiShares.map((s) => (
                <ShareCell key={s} share={s} value={r.kpi.emergency[s]} testId={`emergency-${s}`} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The same KPIs over urgent alarms only, apart from the emergencies'. Groups without any are left out. */
export function UrgentKpiTable({ rows, groupBy }: { rows: readonly ReportRow[]; groupBy: ReportGrouping }) {
  const tr = useT();
  const { t } = tr;
  const shown = rows.filter((r) => r.kpi.urgent.alarms > 0);
  return (
    <div class="table-wrap">
      <h3 class="report-sub">{t('reports.urgentTitle')}</h3>
      {shown.length === 0 ? (
        <p class="placeholder" data-testid="urgent-kpi-empty">
          {t('reports.urgentNone')}
        </p>
      ) : (
        <table class="report report-small" data-testid="urgent-kpi-table">
          <thead>
            <tr>
              <th class="left">{tr.label('group', groupBy)}</th>
              <th>{t('col.alarms')}</th>
              {kpiShares.map((s: KpiShare) => (
                <th key={s} class="share-head">
                  {t(shareLabel[s])}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key ?? '∅'} data-testid="urgent-kpi-row" data-key={r.key ?? ''}>
                <th scope="row" class="left">
                  {groupLabel(r, groupBy, tr)}
                </th>
                <td>{r.kpi.urgent.alarms}</td>
                {kpiShares.map((s) => (
                  <ShareCell key={s} share={s} value={r.kpi.urgent[s]} testId={`urgent-${s}`} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
