import { useState } from 'preact/hooks';
import { useT, type MessageKey } from '../../i18n/index.ts';
import { fromLocalMinute, localMinute, minuteLabel } from './duty-time.ts';
import { ABSENCE_REASONS, type AbsenceReason, type AbsenceRow } from './duty-types.ts';

export interface AbsenceDraft {
  start: string;
  end: string;
  reason: AbsenceReason;
}

/** A new absence starts now (to the minute) and lasts a working day until changed. */
export function newAbsence(now: Date): AbsenceDraft {
  const start = new Date(now);
  start.setSeconds(0, 0);
  return { start: localMinute(start), end: localMinute(new Date(start.getTime() + 8 * 3600_000)), reason: 'leave' };
}

/** The API's body, or undefined when the window is not a window. */
export function absenceBody(d: AbsenceDraft): { start: string; end: string; reason: AbsenceReason } | undefined {
  const start = fromLocalMinute(d.start);
  const end = fromLocalMinute(d.end);
  if (!start || !end || end <= start) return undefined;
  return { start: start.toISOString(), end: end.toISOString(), reason: d.reason };
}

/** The caregiver's absences that have not ended, and a form to add one. */
export function AbsenceList(props: { absences: AbsenceRow[]; now: Date; busy: boolean; onAdd: (d: AbsenceDraft) => void; onDelete: (id: string) => void }) {
  const tr = useT();
  const { t } = tr;
  const { absences, now, busy, onAdd, onDelete } = props;
  const [draft, setDraft] = useState<AbsenceDraft>(() => newAbsence(now));
  const [armed, setArmed] = useState<string | undefined>();
  const body = absenceBody(draft);
  const set = (part: Partial<AbsenceDraft>) => setDraft({ ...draft, ...part });

  return (
    <section class="duty-absences" data-testid="absences">
      <h3>{t('duty.absences')}</h3>
      {absences.length === 0 ? (
        <p class="placeholder" data-testid="absences-empty">
          {t('duty.absence.none')}
        </p>
      ) : (
        <table class="report duty-absence-table">
          <thead>
            <tr>
              <th class="left">{t('duty.absence.start')}</th>
              <th class="left">{t('duty.absence.end')}</th>
              <th class="left">{t('duty.absence.reason')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {absences.map((a) => (
              <tr key={a.id} data-testid="absence" data-absence-id={a.id} class={new Date(a.start) <= now ? 'duty-absence-current' : undefined}>
                <td class="left" title={a.start}>
                  {minuteLabel(new Date(a.start), now)}
                </td>
                <td class="left" title={a.end}>
                  {minuteLabel(new Date(a.end), now)}
                </td>
                <td class="left">{tr.label('duty.reason', a.reason)}</td>
                <td>
                  {armed === a.id ? (
                    <button type="button" class="btn btn-danger" data-testid="absence-delete-confirm" disabled={busy} onClick={() => (setArmed(undefined), onDelete(a.id))}>
                      {t('duty.confirmDelete')}
                    </button>
                  ) : (
                    <button type="button" class="btn btn-danger" data-testid="absence-delete" disabled={busy} onClick={() => setArmed(a.id)}>
                      {t('duty.delete')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="duty-absence-form" data-testid="absence-new" onSubmit={(e) => (e.preventDefault(), body && !busy && onAdd(draft))}>
        <label>
          {t('duty.absence.start')}
          <input type="datetime-local" required data-testid="absence-start" value={draft.start} onInput={(e) => set({ start: e.currentTarget.value })} />
        </label>
        <label>
          {t('duty.absence.end')}
          <input type="datetime-local" required data-testid="absence-end" value={draft.end} min={draft.start} onInput={(e) => set({ end: e.currentTarget.value })} />
        </label>
        <label>
          {t('duty.absence.reason')}
          <select data-testid="absence-reason" value={draft.reason} onChange={(e) => set({ reason: e.currentTarget.value as AbsenceReason })}>
            {ABSENCE_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`duty.reason.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-primary" data-testid="absence-add" disabled={!body || busy}>
          {t('duty.absence.add')}
        </button>
        {!body && <span class="error small">{t('duty.absence.badWindow')}</span>}
      </form>
    </section>
  );
}
