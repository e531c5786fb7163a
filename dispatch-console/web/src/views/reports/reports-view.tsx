import { useEffect, useState } from 'preact/hooks';
import { api, apiBlob } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';
import type { ReportGrouping, ReportRow } from '../../types.ts';
import { defaultQuery, groupings, periodSeconds, reportUrl, validRange, type ReportQuery } from './report-query.ts';
import { targets } from './report-targets.ts';
import { ReportsChart } from './reports-chart.tsx';
import { ReportsTable, UrgentKpiTable } from './reports-table.tsx';
import { ServiceKpiTable } from './service-kpi-table.tsx';

type Result = { kind: 'idle' } | { kind: 'ok'; rows: ReportRow[]; query: ReportQuery } | { kind: 'error'; text: string };

/** `#/reports`: response times by grid, caregiver, kind or day, against the centre's targets. */
export function ReportsView() {
  const tr = useT();
  const { t } = tr;
  const [query, setQuery] = useState<ReportQuery>(defaultQuery);
  const [result, setResult] = useState<Result>({ kind: 'idle' });
  const [loading, setLoading] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [csvError, setCsvError] = useState<string | null>(null);
  const rangeOk = validRange(query);

  useEffect(() => {
    if (!rangeOk) {
      // a request in flight was aborted by the change: nothing is loading any more
      setLoading(false);
      return;
    }
    const ctl = new AbortController();
    // the previous figures stay on screen until the new ones arrive
    setLoading(true);
    api<ReportRow[]>(reportUrl(query), { signal: ctl.signal })
      .then((rows) => setResult({ kind: 'ok', rows: Array.isArray(rows) ? rows : [], query }))
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setResult({ kind: 'error', text: errorText(err, tr) });
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
  }, [query, refresh]);

  const exportCsv = async () => {
    setCsvError(null);
    try {
      const { blob, filename } = await apiBlob(reportUrl(query, 'csv'));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename ?? `response-times_${query.from}_${query.to}_${query.groupBy}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      // revoked at once, some browsers (Firefox, Safari) cancel the download that has only
      // just started reading it: freed a minute later instead
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setCsvError(errorText(err, tr));
    }
  };

  const pct = (v: number) => tr.percent(v);
  return (
    <main class="reports">
      <form class="reports-form panel" onSubmit={(e) => (e.preventDefault(), setRefresh((n) => n + 1))}>
        <h2 class="panel-title">{t('reports.title')}</h2>
        <label>
          {t('reports.from')}
          <input type="date" data-testid="reports-from" value={query.from} max={query.to} onChange={(e) => setQuery({ ...query, from: e.currentTarget.value })} />
        </label>
        <label>
          {t('reports.to')}
          <input type="date" data-testid="reports-to" value={query.to} min={query.from} onChange={(e) => setQuery({ ...query, to: e.currentTarget.value })} />
        </label>
        <label>
          {t('reports.groupBy')}
          <select data-testid="reports-groupby" value={query.groupBy} onChange={(e) => setQuery({ ...query, groupBy: e.currentTarget.value as ReportGrouping })}>
            {groupings.map((g) => (
              <option key={g} value={g}>
                {tr.label('group', g)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-primary" disabled={!rangeOk}>
          {t('reports.show')}
        </button>
        <button type="button" class="btn btn-secondary" data-testid="reports-csv" disabled={!rangeOk} onClick={() => void exportCsv()}>
          {t('reports.csv')}
        </button>
      </form>
      {!rangeOk && <p class="error">{t('reports.badRange')}</p>}
      {csvError && (
        <p class="error" role="alert" data-testid="reports-csv-error">
          {csvError}
        </p>
      )}
      {result.kind === 'error' && (
        <p class="error" role="alert" data-testid="reports-error">
          {result.text}
        </p>
      )}
      {loading && result.kind === 'idle' && <p class="placeholder">{t('reports.loading')}</p>}
      {result.kind === 'ok' && (
        <section class={loading ? 'panel reports-body stale' : 'panel reports-body'} aria-busy={loading}>
          {result.rows.length === 0 && <p class="placeholder">{t('reports.empty')}</p>}
          <ReportsChart rows={result.rows} groupBy={result.query.groupBy} period={periodSeconds(result.query)} />
          <ReportsTable rows={result.rows} groupBy={result.query.groupBy} />
          {result.rows.length > 0 && <UrgentKpiTable rows={result.rows} groupBy={result.query.groupBy} />}
          {result.rows.length > 0 && <ServiceKpiTable rows={result.rows} groupBy={result.query.groupBy} />}
          <p class="muted small">
            {t('reports.targets', {
              limit: pct(targets.withinAcceptLimit),
              a60: pct(targets.acceptedWithin60s),
              a180: pct(targets.acceptedWithin180s),
              r45: pct(targets.arrivedWithin45m),
              r60: pct(targets.arrivedWithin60m),
            })}
          </p>
        </section>
      )}
    </main>
  );
}
