import { useT, type Translator } from '../../i18n/index.ts';
import { formatDuration } from '../../lib/duration.ts';
import type { ReportGrouping, ReportRow } from '../../types.ts';
import { shareLevel, type Share } from './report-targets.ts';

type MeasureName = 'accept' | 'arrive' | 'resolve';
const measures: MeasureName[] = ['accept', 'arrive', 'resolve'];
const shares: Array<{ key: Share; label: 'col.withinAccept' | 'col.withinArrive' | 'col.acc60' | 'col.acc180' | 'col.arr45' | 'col.arr60' }> = [
  { key: 'withinAcceptLimit', label: 'col.withinAccept' },
  { key: 'withinArriveLimit', label: 'col.withinArrive' },
  { key: 'acceptedWithin60s', label: 'col.acc60' },
  { key: 'acceptedWithin180s', label: 'col.acc180' },
  { key: 'arrivedWithin45m', label: 'col.arr45' },
  { key: 'arrivedWithin60m', label: 'col.arr60' },
];

/** A group's name: kinds translated, missing keys (no area, not accepted) named as such. */
export function groupLabel(row: ReportRow, groupBy: ReportGrouping, tr: Translator): string {
  if (groupBy === 'kind' && row.key) return tr.label('kind', row.key);
  if (groupBy === 'none') return tr.t('group.none');
  // the server labels a missing key in English ("(no area)"): named here in the page's language
  if (row.key === null) return tr.t(groupBy === 'area' ? 'reports.noArea' : groupBy === 'caregiver' ? 'reports.notAccepted' : 'reports.noKey');
  return row.label || row.key;
}

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
            {shares.map((s, i) => (
              <th key={s.key} rowSpan={2} class={i === 0 ? 'group-start share-head' : 'share-head'}>
                {t(s.label)}
              </th>
            ))}
          </tr>
          <tr>
            {measures.map((m) =>
              (['col.count', 'col.p50', 'col.p90', 'col.max'] as const).map((c, i) => (
                <th key={m + c} class={i === 0 ? 'group-start sub' : 'sub'}>
                  {t(c)}
                </th>
              )),
            )}
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
              {shares.map((s, i) => {
                const v = r[s.key];
                return (
                  <td key={s.key} class={`share share-${shareLevel(s.key, v)}${i === 0 ? ' group-start' : ''}`}>
                    {v === null ? '–' : tr.percent(v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
