import { useEffect, useState } from 'preact/hooks';
import type { ImportFile, ImportIssue, ImportResult } from '../../../../../contract/import.ts';
import { api, ApiError } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { adminError } from '../setup/admin-kit.tsx';
import type { SetupPageProps } from '../setup/setup-page-props.ts';

const files: ImportFile[] = ['residents', 'devices', 'caregivers'];

type Outcome = { kind: 'done'; result: ImportResult } | { kind: 'refused'; issues: ImportIssue[]; message: string } | { kind: 'failed'; text: string };

/** A 400 with the import's report: every bad row. */
const issuesOf = (err: unknown): ImportIssue[] | undefined =>
  err instanceof ApiError && err.status === 400 && Array.isArray(err.details) && err.details.every((d) => typeof (d as ImportIssue)?.line === 'number')
    ? (err.details as ImportIssue[])
    : undefined;

/**
 * `#/setup/import`: a centre moving in uploads its CSV files; Validate checks them (nothing is
 * written), Import writes them all or nothing. Every bad row is listed with its line; the new
 * devices' secrets are offered once as a CSV download and forgotten when the page is left.
 */
export function ImportView(_props: SetupPageProps) {
  const tr = useT();
  const { t } = tr;
  const [chosen, setChosen] = useState<Partial<Record<ImportFile, File>>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [secretsUrl, setSecretsUrl] = useState<string | null>(null);
  // the secrets exist only in this page's memory: the link dies with it
  useEffect(() => () => void (secretsUrl && URL.revokeObjectURL(secretsUrl)), [secretsUrl]);

  const send = async (dryRun: boolean) => {
    setBusy(true);
    setOutcome(null);
    setSecretsUrl(null);
    try {
      const body: Partial<Record<ImportFile, string>> & { dryRun: boolean } = { dryRun };
      for (const f of files) {
        const file = chosen[f];
        if (file) body[f] = await file.text();
      }
      const result = await api<ImportResult>('/api/import', { method: 'POST', body });
      setOutcome({ kind: 'done', result });
      if (result.secretsCsv) setSecretsUrl(URL.createObjectURL(new Blob([result.secretsCsv], { type: 'text/csv' })));
    } catch (err) {
      const issues = issuesOf(err);
      setOutcome(issues ? { kind: 'refused', issues, message: (err as ApiError).message } : { kind: 'failed', text: adminError(err, tr) });
    } finally {
      setBusy(false);
    }
  };
  const nothing = files.every((f) => !chosen[f]);

  return (
    <div class="import-page" data-testid="import-page">
      <h2 class="panel-title">{t('import.title')}</h2>
      <p class="muted">{t('import.intro')}</p>
      <div class="import-files">
        {files.map((f) => (
          <label key={f} class="import-file">
            <span class="import-file-name">{t(`import.file.${f}`)}</span>
            <input
              type="file"
              accept=".csv,text/csv"
              data-testid={`import-file-${f}`}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                setChosen((c) => ({ ...c, [f]: file }));
                setOutcome(null);
              }}
            />
            <span class="muted small">{t(`import.columns.${f}`)}</span>
          </label>
        ))}
      </div>
      <div class="import-actions">
        <button type="button" class="btn btn-secondary" data-testid="import-validate" disabled={busy || nothing} onClick={() => void send(true)}>
          {t('import.validate')}
        </button>
        <button type="button" class="btn btn-primary" data-testid="import-run" disabled={busy || nothing} onClick={() => void send(false)}>
          {t('import.run')}
        </button>
        {busy && <span class="muted">{t('import.busy')}</span>}
      </div>
      {outcome?.kind === 'failed' && (
        <p class="error" role="alert" data-testid="import-error">
          {outcome.text}
        </p>
      )}
      {outcome?.kind === 'refused' && <Problems issues={outcome.issues} />}
      {outcome?.kind === 'done' && <Counts result={outcome.result} />}
      {outcome?.kind === 'done' && secretsUrl && (
        <div class="import-secrets notice" role="alert" data-testid="import-secrets">
          <p>{t('import.secrets.warning')}</p>
          <a class="btn btn-primary" href={secretsUrl} download={`device-secrets-${new Date().toISOString().slice(0, 10)}.csv`} data-testid="import-secrets-download">
            {t('import.secrets.download')}
          </a>
        </div>
      )}
    </div>
  );
}

function Problems({ issues }: { issues: ImportIssue[] }) {
  const { t } = useT();
  return (
    <section class="import-report" data-testid="import-problems">
      <p class="error" role="alert">
        {t('import.refused', { n: issues.length })}
      </p>
      <table class="import-table">
        <thead>
          <tr>
            <th>{t('import.col.file')}</th>
            <th class="num">{t('import.col.line')}</th>
            <th>{t('import.col.field')}</th>
            <th>{t('import.col.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {issues.map((i, n) => (
            <tr key={n} data-testid="import-problem">
              <td>{t(`import.file.${i.file}`)}</td>
              <td class="num">{i.line}</td>
              <td class="mono">{i.field ?? '—'}</td>
              <td>{i.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Counts({ result }: { result: ImportResult }) {
  const { t } = useT();
  return (
    <section class="import-report" data-testid="import-counts">
      <p class="import-done" role="status">
        {t(result.dryRun ? 'import.checked' : 'import.done')}
      </p>
      <table class="import-table import-counts-table">
        <thead>
          <tr>
            <th />
            <th class="num">{t('import.count.created')}</th>
            <th class="num">{t('import.count.updated')}</th>
            <th class="num">{t('import.count.unchanged')}</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f} data-testid={`import-count-${f}`}>
              <th scope="row">{t(`import.file.${f}`)}</th>
              <td class="num">{result[f].created}</td>
              <td class="num">{result[f].updated}</td>
              <td class="num">{result[f].unchanged}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.areasCreated.length > 0 && (
        <p class="small" data-testid="import-areas">
          {t('import.areasCreated', { n: result.areasCreated.length })} {result.areasCreated.join(' · ')}
        </p>
      )}
    </section>
  );
}
