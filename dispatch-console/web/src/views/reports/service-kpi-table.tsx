import { useT } from '../../i18n/index.ts';
import type { ReportGrouping, ReportRow } from '../../types.ts';
import { groupLabel } from './reports-table.tsx';

/**
 * Service orders' own figures (DESIGN "Service orders"): accepted within 15 min, done (resolved)
 * the same local day. Groups without any order are left out.
 */
export function ServiceKpiTable({ rows, groupBy }: { rows: readonly ReportRow[]; groupBy: ReportGrouping }) {
  const tr = useT();
  const { t } = tr;
  // an older server answers without kpi.service: no orders to show
  const shown = rows.filter((r) => (r.kpi.service?.alarms ?? 0) > 0);
  return (
    <div class="table-wrap">
      <h3 class="report-sub">{t('reports.serviceTitle')}</h3>
      {shown.length === 0 ? (
        <p class="placeholder" data-testid="service-kpi-empty">
          {t('reports.serviceNone')}
        </p>
      ) : (
        <table class="report report-small" data-testid="service-kpi-table">
          <thead>
            <tr>
              <th class="left">{tr.label('group', groupBy)}</th>
              <th>{t('col.orders')}</th>
              <th class="share-head">{t('col.acc15m')}</th>
              <th class="share-head">{t('col.doneSameDay')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key ?? '∅'} data-testid="service-kpi-row" data-key={r.key ?? ''}>
                <th scope="row" class="left">
                  {groupLabel(r, groupBy, tr)}
                </th>
                <td>{r.kpi.service.alarms}</td>
                <td class="share" data-testid="service-acceptedWithin15m">
                  {tr.percent(r.kpi.service.acceptedWithin15m)}
                </td>
                <td class="share" data-testid="service-doneSameDay">
                  {tr.percent(r.kpi.service.doneSameDay)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
