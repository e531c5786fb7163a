import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';
import { setupHref } from '../../lib/hash-route.ts';
import { AbsenceList, absenceBody, type AbsenceDraft } from './absence-list.tsx';
import { localDate, WEEK_DAYS } from './duty-time.ts';
import type { AbsenceRow, AbsenceWrite, CaregiverRow, DutyDelete, Gap, RotaDraft, RotaRow, RotaWrite } from './duty-types.ts';
import { GapWarning } from './gap-warning.tsx';
import { draftOf, RotaForm, rotaBody } from './rota-form.tsx';

/** `of`: whose lists these are (another caregiver's must not show while this one's load). */
type Loaded = { kind: 'loading' } | { kind: 'ok'; of: string; rotas: RotaRow[]; absences: AbsenceRow[] } | { kind: 'error'; text: string };

const q = encodeURIComponent;
/** A new rota: every day, a day shift, from today, open-ended. */
const newRota = (now: Date): RotaDraft => ({ days: [...WEEK_DAYS], start: '08:00', end: '20:00', from: localDate(now), until: '' });
const byStart = (a: { start: string }, b: { start: string }) => a.start.localeCompare(b.start);

/**
 * One caregiver's duty (#/setup/duty/<caregiverId>): their rotas and absences, each change
 * sent at once; the server's "gaps" answer is shown in red, and `onChanged` redraws the table.
 */
export function DutyEditor({ caregiverId, onChanged }: { caregiverId: string | undefined; onChanged: () => void }) {
  const tr = useT();
  const { t } = tr;
  const [caregivers, setCaregivers] = useState<CaregiverRow[] | undefined>();
  const [listError, setListError] = useState<string | undefined>();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState(false);
  const [writeError, setWriteError] = useState<string | undefined>();
  const [gaps, setGaps] = useState<Gap[] | undefined>();
  // a new key empties the "add" forms after a successful add
  const [added, setAdded] = useState(0);
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    api<CaregiverRow[]>('/api/caregivers')
      .then((list) => setCaregivers([...list].sort((a, b) => a.name.localeCompare(b.name))))
      .catch((err: unknown) => setListError(errorText(err, tr)));
  }, []);

  useEffect(() => {
    setGaps(undefined);
    setWriteError(undefined);
  }, [caregiverId]);

  useEffect(() => {
    if (caregiverId === undefined) return;
    const ctl = new AbortController();
    const at = new Date();
    setNow(at);
    // after an edit the lists stay on screen until read again; another caregiver's do not
    setLoaded((l) => (l.kind === 'ok' && l.of === caregiverId ? l : { kind: 'loading' }));
    Promise.all([
      api<RotaRow[]>(`/api/rotas?caregiverId=${q(caregiverId)}`, { signal: ctl.signal }),
      api<AbsenceRow[]>(`/api/absences?caregiverId=${q(caregiverId)}&from=${q(at.toISOString())}`, { signal: ctl.signal }),
    ])
      .then(([rotas, absences]) =>
        setLoaded({
          kind: 'ok',
          of: caregiverId,
          rotas: [...rotas].sort((a, b) => a.from.localeCompare(b.from) || byStart(a, b)),
          // upcoming and current only: what has ended changes nothing any more
          absences: absences.filter((a) => new Date(a.end) > at).sort(byStart),
        }),
      )
      .catch((err: unknown) => !ctl.signal.aborted && setLoaded({ kind: 'error', text: errorText(err, tr) }));
    return () => ctl.abort();
  }, [caregiverId, reload]);

  /** One write: its gaps shown, the lists and the table read again. */
  const write = async (send: () => Promise<{ gaps: Gap[] }>, after?: () => void) => {
    setBusy(true);
    setWriteError(undefined);
    try {
      const answer = await send();
      setGaps(answer.gaps);
      after?.();
      setReload((n) => n + 1);
      onChanged();
    } catch (err) {
      setWriteError(errorText(err, tr));
    } finally {
      setBusy(false);
    }
  };
  const id = caregiverId ?? '';
  const addRota = (d: RotaDraft) => write(() => api<RotaWrite>('/api/rotas', { method: 'POST', body: { caregiverId: id, ...rotaBody(d) } }), () => setAdded((n) => n + 1));
  const saveRota = (rotaId: string, d: RotaDraft) => write(() => api<RotaWrite>(`/api/rotas/${q(rotaId)}`, { method: 'PATCH', body: rotaBody(d) }));
  const deleteRota = (rotaId: string) => write(() => api<DutyDelete>(`/api/rotas/${q(rotaId)}`, { method: 'DELETE' }));
  const addAbsence = (d: AbsenceDraft) => write(() => api<AbsenceWrite>('/api/absences', { method: 'POST', body: { caregiverId: id, ...absenceBody(d) } }), () => setAdded((n) => n + 1));
  const deleteAbsence = (absenceId: string) => write(() => api<DutyDelete>(`/api/absences/${q(absenceId)}`, { method: 'DELETE' }));

  const chosen = caregivers?.find((c) => c.id === caregiverId);
  return (
    <section class="panel duty-editor" data-testid="duty-editor">
      <div class="duty-editor-head">
        <h3>{t('duty.editor.title')}</h3>
        <label>
          {t('duty.editor.caregiver')}
          <select
            data-testid="duty-caregiver"
            value={caregiverId ?? ''}
            onChange={(e) => {
              location.hash = e.currentTarget.value === '' ? setupHref('duty') : setupHref('duty', e.currentTarget.value);
            }}
          >
            <option value="">{t('duty.editor.choose')}</option>
            {caregiverId !== undefined && caregivers && !chosen && <option value={caregiverId}>{caregiverId}</option>}
            {caregivers?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {listError && <p class="error">{listError}</p>}
      {caregiverId === undefined ? (
        <p class="placeholder">{t('duty.editor.hint')}</p>
      ) : loaded.kind === 'loading' || (loaded.kind === 'ok' && loaded.of !== caregiverId) ? (
        <p class="placeholder">{t('duty.loading')}</p>
      ) : loaded.kind === 'error' ? (
        <p class="error" role="alert" data-testid="duty-editor-error">
          {loaded.text}
        </p>
      ) : (
        <div class="duty-editor-body" data-testid="duty-editor-body" data-caregiver-id={caregiverId}>
          {writeError && (
            <p class="error" role="alert" data-testid="duty-write-error">
              {writeError}
            </p>
          )}
          {chosen && chosen.areaIds.length === 0 && (
            <p class="duty-no-areas" data-testid="duty-no-areas">
              {t('duty.editor.noAreas')} <a href={setupHref('caregivers')}>{t('duty.editor.toCaregiver')}</a>
            </p>
          )}
          <GapWarning gaps={gaps} />
          <section class="duty-rotas" data-testid="rotas">
            <h3>{t('duty.rotas', { name: chosen?.name ?? '' })}</h3>
            {loaded.rotas.length === 0 && (
              <p class="placeholder" data-testid="rotas-empty">
                {t('duty.rota.none')}
              </p>
            )}
            {loaded.rotas.map((r) => (
              <RotaForm key={r.id} rotaId={r.id} initial={draftOf(r)} busy={busy} onSave={(d) => saveRota(r.id, d)} onDelete={() => deleteRota(r.id)} />
            ))}
            <h4>{t('duty.rota.new')}</h4>
            <RotaForm key={`new-${added}`} initial={newRota(now)} busy={busy} onSave={addRota} />
          </section>
          <AbsenceList key={`absences-${added}`} absences={loaded.absences} now={now} busy={busy} onAdd={addAbsence} onDelete={deleteAbsence} />
        </div>
      )}
    </section>
  );
}
