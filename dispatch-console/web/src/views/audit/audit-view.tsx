import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';
import type { AuditRow } from '../../types.ts';
import { AUDIT_LIMIT, auditUrl, defaultAuditQuery, validAuditRange, validId, type AuditQuery } from './audit-query.ts';

type Result = { kind: 'idle' } | { kind: 'ok'; rows: AuditRow[] } | { kind: 'error'; text: string };

const newestFirst = (a: AuditRow, b: AuditRow) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id);

/**
 * `#/audit` (admins): who read or changed which record, when and from where (GET /api/audit).
 * The form is a draft until "Show"; a period left at its default follows the clock, so "Show"
 * again brings what happened since.
 */
export function AuditView() {
  const tr = useT();
  const { t } = tr;
  const [draft, setDraft] = useState<AuditQuery>(defaultAuditQuery);
  const [query, setQuery] = useState<AuditQuery>(() => draft);
  const [result, setResult] = useState<Result>({ kind: 'idle' });
  const [loading, setLoading] = useState(false);
  const [refresh, setRefresh] = useState(0);
  // whether the period was chosen by hand (then it stays) or is the default last 24 h (it follows the clock)
  const periodChosen = useRef(false);
  const rangeOk = validAuditRange(draft);
  const idsOk = validId(draft.userId) && validId(draft.residentId);

  useEffect(() => {
    if (!validAuditRange(query) || !validId(query.userId) || !validId(query.residentId)) return;
    const ctl = new AbortController();
    setLoading(true);
    api<AuditRow[]>(auditUrl(query), { signal: ctl.signal })
      .then((rows) => setResult({ kind: 'ok', rows: Array.isArray(rows) ? [...rows].sort(newestFirst) : [] }))
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setResult({ kind: 'error', text: errorText(err, tr) });
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
  }, [query, refresh]);

  const show = (next: AuditQuery) => {
    const q = periodChosen.current ? next : { ...next, ...periodOf(defaultAuditQuery()) };
    setDraft(q);
    setQuery(q);
    setRefresh((n) => n + 1);
  };
  const setPeriod = (part: Partial<AuditQuery>) => {
    periodChosen.current = true;
    setDraft({ ...draft, ...part });
  };
  const filterBy = (part: Partial<AuditQuery>) => show({ ...draft, ...part });

  const rows = result.kind === 'ok' ? result.rows : [];
  return (
    <main class="reports audit" data-testid="audit-view">
      <form class="reports-form panel" onSubmit={(e) => (e.preventDefault(), rangeOk && idsOk && show(draft))}>
        <h2 class="panel-title">{t('audit.title')}</h2>
        <label>
          {t('audit.from')}
          <input type="datetime-local" data-testid="audit-from" value={draft.from} max={draft.to} onChange={(e) => setPeriod({ from: e.currentTarget.value })} />
        </label>
        <label>
          {t('audit.to')}
          <input type="datetime-local" data-testid="audit-to" value={draft.to} min={draft.from} onChange={(e) => setPeriod({ to: e.currentTarget.value })} />
        </label>
        <label>
          {t('audit.userId')}
          <input
            class="audit-id"
            data-testid="audit-user"
            value={draft.userId}
            placeholder={t('audit.anyone')}
            spellcheck={false}
            aria-invalid={!validId(draft.userId)}
            onInput={(e) => setDraft({ ...draft, userId: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('audit.residentId')}
          <input
            class="audit-id"
            data-testid="audit-resident"
            value={draft.residentId}
            placeholder={t('audit.anyone')}
            spellcheck={false}
            aria-invalid={!validId(draft.residentId)}
            onInput={(e) => setDraft({ ...draft, residentId: e.currentTarget.value })}
          />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="audit-show" disabled={!rangeOk || !idsOk}>
          {t('audit.show')}
        </button>
        {(draft.userId || draft.residentId) && (
          <button type="button" class="btn btn-secondary" data-testid="audit-clear" onClick={() => filterBy({ userId: '', residentId: '' })}>
            {t('audit.clear')}
          </button>
        )}
      </form>
      {!rangeOk && <p class="error">{t('audit.badRange')}</p>}
      {!idsOk && <p class="error">{t('audit.badId')}</p>}
      {result.kind === 'error' && (
        <p class="error" role="alert" data-testid="audit-error">
          {result.text}
        </p>
      )}
      {loading && result.kind === 'idle' && <p class="placeholder">{t('audit.loading')}</p>}
      {result.kind === 'ok' && (
        <section class={loading ? 'panel reports-body stale' : 'panel reports-body'} aria-busy={loading}>
          <p class="muted small" data-testid="audit-count">
            {rows.length >= AUDIT_LIMIT ? t('audit.truncated', { n: AUDIT_LIMIT }) : t('audit.count', { n: rows.length })}
          </p>
          {rows.length === 0 ? (
            <p class="placeholder" data-testid="audit-empty">
              {t('audit.empty')}
            </p>
          ) : (
            <div class="table-wrap">
              <table class="report audit-table" data-testid="audit-table">
                <thead>
                  <tr>
                    <th class="left">{t('audit.col.at')}</th>
                    <th class="left">{t('audit.col.user')}</th>
                    <th class="left">{t('audit.col.action')}</th>
                    <th class="left">{t('audit.col.resource')}</th>
                    <th class="left">{t('audit.col.resourceId')}</th>
                    <th class="left">{t('audit.col.residentId')}</th>
                    <th class="left">{t('audit.col.request')}</th>
                    <th>{t('audit.col.status')}</th>
                    <th class="left">{t('audit.col.ip')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr
                      key={r.id}
                      data-testid="audit-row"
                      data-action={r.action}
                      data-resource={r.resource}
                      data-resource-id={r.resourceId ?? ''}
                      data-resident-id={r.residentId ?? ''}
                      data-user-id={r.userId ?? ''}
                      class={r.status >= 400 ? 'audit-refused' : undefined}
                    >
                      <td class="left" title={r.at}>
                        {tr.dateTime(r.at)}
                      </td>
                      <td class="left">
                        {r.userId ? (
                          <button type="button" class="link-btn" title={t('audit.filterUser')} onClick={() => filterBy({ userId: r.userId ?? '' })}>
                            {r.username ?? r.userId}
                          </button>
                        ) : (
                          (r.username ?? '–')
                        )}
                      </td>
                      <td class="left">{tr.label('auditAction', r.action)}</td>
                      <td class="left">{tr.label('auditResource', r.resource)}</td>
                      <td class="left mono">{r.resourceId ?? ''}</td>
                      <td class="left mono">
                        {r.residentId && (
                          <button type="button" class="link-btn mono" title={t('audit.filterResident')} onClick={() => filterBy({ residentId: r.residentId ?? '' })}>
                            {r.residentId}
                          </button>
                        )}
                      </td>
                      <td class="left mono">
                        {r.method} {r.route}
                      </td>
                      <td>{r.status}</td>
                      <td class="left mono">{r.ip ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </main>
  );
}

const periodOf = (q: AuditQuery): Pick<AuditQuery, 'from' | 'to'> => ({ from: q.from, to: q.to });
