import { useEffect, useState } from 'preact/hooks';
import { useT, type MessageKey } from '../../i18n/index.ts';
import { WEEK_DAYS } from './duty-time.ts';
import type { RotaDraft, RotaRow, WeekDay } from './duty-types.ts';

export const draftOf = (r: RotaRow): RotaDraft => ({ days: [...r.days], start: r.start, end: r.end, from: r.from, until: r.until ?? '' });

/** What the form can send: at least one day, both times, a start date, an end date not before it. */
export function validDraft(d: RotaDraft): boolean {
  const time = /^([01]\d|2[0-3]):[0-5]\d$/;
  const date = /^\d{4}-\d{2}-\d{2}$/;
  return d.days.length > 0 && time.test(d.start) && time.test(d.end) && date.test(d.from) && (d.until === '' || (date.test(d.until) && d.until >= d.from));
}

/** The API's body for the draft: days in week order, '' until as null (open-ended). */
export const rotaBody = (d: RotaDraft) => ({
  days: WEEK_DAYS.filter((w) => d.days.includes(w)),
  start: d.start,
  end: d.end,
  from: d.from,
  until: d.until === '' ? null : d.until,
});

/**
 * One rota's fields: a new one ("Add") or an existing one ("Save", "Delete" — asked twice).
 * `end` at or before `start` runs past midnight, said under the times.
 */
export function RotaForm(props: { initial: RotaDraft; rotaId?: string; busy: boolean; onSave: (d: RotaDraft) => void; onDelete?: () => void }) {
  const { t } = useT();
  const { initial, rotaId, busy, onSave, onDelete } = props;
  const [draft, setDraft] = useState<RotaDraft>(initial);
  const [armed, setArmed] = useState(false);
  // the rota as stored changed (saved here, or read again after another change): show it as it is now
  const stored = JSON.stringify(rotaBody(initial));
  useEffect(() => setDraft(initial), [stored]);
  const set = (part: Partial<RotaDraft>) => setDraft({ ...draft, ...part });
  const toggle = (day: WeekDay) => set({ days: draft.days.includes(day) ? draft.days.filter((d) => d !== day) : [...draft.days, day] });
  const changed = JSON.stringify(rotaBody(draft)) !== stored;
  const ok = validDraft(draft);
  const overnight = draft.end !== '' && draft.start !== '' && draft.end <= draft.start;
  const testid = rotaId === undefined ? 'rota-new' : 'rota';

  return (
    <form class="duty-rota" data-testid={testid} data-rota-id={rotaId} onSubmit={(e) => (e.preventDefault(), ok && !busy && onSave(draft))}>
      <fieldset class="duty-days">
        <legend class="small muted">{t('duty.rota.days')}</legend>
        {WEEK_DAYS.map((d) => (
          <label key={d} class={draft.days.includes(d) ? 'duty-day-on' : undefined}>
            <input type="checkbox" data-testid={`rota-day-${d}`} checked={draft.days.includes(d)} onChange={() => toggle(d)} />
            {t(`duty.day.${d}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      <label>
        {t('duty.rota.start')}
        <input type="time" required data-testid="rota-start" value={draft.start} onInput={(e) => set({ start: e.currentTarget.value })} />
      </label>
      <label>
        {t('duty.rota.end')}
        <input type="time" required data-testid="rota-end" value={draft.end} onInput={(e) => set({ end: e.currentTarget.value })} />
      </label>
      <label>
        {t('duty.rota.from')}
        <input type="date" required data-testid="rota-from" value={draft.from} onInput={(e) => set({ from: e.currentTarget.value })} />
      </label>
      <label>
        {t('duty.rota.until')}
        <input type="date" data-testid="rota-until" value={draft.until} min={draft.from} title={t('duty.rota.untilHint')} onInput={(e) => set({ until: e.currentTarget.value })} />
      </label>
      <button type="submit" class="btn btn-primary" data-testid="rota-save" disabled={!ok || busy || (rotaId !== undefined && !changed)}>
        {rotaId === undefined ? t('duty.rota.add') : t('duty.rota.save')}
      </button>
      {onDelete &&
        (armed ? (
          <>
            <button type="button" class="btn btn-danger" data-testid="rota-delete-confirm" disabled={busy} onClick={() => (setArmed(false), onDelete())}>
              {t('duty.confirmDelete')}
            </button>
            <button type="button" class="btn btn-quiet" onClick={() => setArmed(false)}>
              {t('duty.keep')}
            </button>
          </>
        ) : (
          <button type="button" class="btn btn-danger" data-testid="rota-delete" disabled={busy} onClick={() => setArmed(true)}>
            {t('duty.delete')}
          </button>
        ))}
      <p class="small muted duty-rota-note">
        {overnight ? t('duty.rota.overnight') : ''}
        {draft.days.length === 0 ? t('duty.rota.noDays') : ''}
        {draft.until !== '' && draft.until < draft.from ? t('duty.rota.badUntil') : ''}
      </p>
    </form>
  );
}
