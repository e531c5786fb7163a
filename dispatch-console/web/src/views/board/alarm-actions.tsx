import { useState } from 'preact/hooks';
import type { knownOutcomes } from '../../../../../contract/alarms.ts';
import { api, ApiError } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';
import { reassignGroups } from '../../lib/on-duty.ts';
import { board, connection } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';
import type { Alarm, Session } from '../../types.ts';

// copied as values (a value import from contract/ would bundle zod); the type keeps them in step
const OUTCOMES: typeof knownOutcomes = ['assisted', 'false_alarm', 'ambulance_called', 'service_done', 'no_answer_escalated', 'restored', 'test'];
const OTHER = '__other';

type Action = 'accept' | 'arrive' | 'resolve' | 'cancel' | 'reassign' | 'note';

/** Which actions make sense now, mirroring the server's lifecycle rules (alarm-transitions.ts). */
function availableActions(a: Alarm, s: Session): Set<Action> {
  const operator = s.role !== 'caregiver';
  const mine = s.caregiverId !== null && a.acceptedBy === s.caregiverId;
  const can = new Set<Action>(['note']);
  if (a.status === 'open') can.add('accept').add('arrive').add('resolve');
  if (a.status === 'accepted' && (operator || mine)) can.add('arrive').add('resolve');
  if (a.status === 'on_site' && (operator || mine)) can.add('resolve');
  const active = a.status === 'open' || a.status === 'accepted' || a.status === 'on_site';
  if (operator && active) can.add('cancel');
  if (operator && (a.status === 'open' || a.status === 'accepted')) can.add('reassign');
  return can;
}

export function AlarmActions({ alarm: a, session, onDone }: { alarm: Alarm; session: Session; onDone: () => void }) {
  const tr = useT();
  const { t } = tr;
  const caregivers = useStore(board, (s) => s.caregivers);
  const areas = useStore(board, (s) => s.areas);
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState('');
  const [outcomeText, setOutcomeText] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<{ text: string; conflict: boolean } | null>(null);

  const can = availableActions(a, session);
  // on duty for the alarm's grid first, then everyone else on duty (labelled apart)
  const groups = reassignGroups(a, [...caregivers.values()], areas);
  const onDuty = [...groups.grid, ...groups.others];
  const chosenOutcome = outcome === OTHER ? outcomeText.trim() : outcome;
  // the chosen caregiver may have gone off duty (or taken it) since: not offered, not sent
  const targetOk = onDuty.some((c) => c.id === target);

  const act = async (action: Action) => {
    // the one action that cannot be undone and ends the help: asked once more
    if (action === 'cancel' && !window.confirm(t('action.confirmCancel'))) return;
    const body: { note?: string; outcome?: string; caregiverId?: string } = {};
    if (note.trim()) body.note = note.trim();
    if (action === 'resolve' || action === 'cancel') {
      if (chosenOutcome) body.outcome = chosenOutcome;
    }
    if (action === 'reassign') body.caregiverId = target;
    setBusy(action);
    setError(null);
    try {
      const updated = await api<Alarm | undefined>(`/api/alarms/${encodeURIComponent(a.id)}/${action}`, { method: 'POST', body });
      // with the stream live its update is authoritative (and may already be newer than this answer)
      if (updated?.id && connection.get().kind !== 'live') board.update((s) => ({ ...s, alarms: new Map(s.alarms).set(updated.id, updated) }));
      setNote('');
      if (action === 'reassign') setTarget('');
      onDone();
    } catch (err) {
      const conflict = err instanceof ApiError && err.status === 409;
      setError({ text: errorText(err, tr), conflict });
      // someone else changed it: show what it is now
      if (conflict) onDone();
    } finally {
      setBusy(null);
    }
  };

  const button = (action: Action, label: string, style: string, disabled = false) =>
    can.has(action) && (
      <button type="button" class={`btn ${style}`} data-testid={`action-${action}`} disabled={busy !== null || disabled} onClick={() => void act(action)}>
        {busy === action ? t('action.busy') : label}
      </button>
    );

  return (
    <section class="actions" aria-label={t('detail.actions')}>
      {error && (
        <p class={error.conflict ? 'error conflict' : 'error'} role="alert" data-testid="action-error">
          {error.conflict ? t('action.conflict', { error: error.text }) : error.text}
        </p>
      )}
      <div class="actions-row">
        {button('accept', t('action.accept'), 'btn-primary')}
        {button('arrive', t('action.arrive'), 'btn-secondary')}
      </div>
      {can.has('resolve') && (
        <div class="actions-row">
          <select data-testid="outcome-select" aria-label={t('action.outcome')} value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">{t('action.outcome')}…</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {tr.label('outcome', o)}
              </option>
            ))}
            <option value={OTHER}>{t('action.outcomeOther')}</option>
          </select>
          {outcome === OTHER && (
            <input data-testid="outcome-text" class="grow" maxLength={500} aria-label={t('action.outcomeText')} placeholder={t('action.outcomeText')} value={outcomeText} onInput={(e) => setOutcomeText(e.currentTarget.value)} />
          )}
          {button('resolve', t('action.resolve'), 'btn-ok', outcome === OTHER && chosenOutcome === '')}
        </div>
      )}
      {can.has('reassign') && (
        <div class="actions-row">
          <select data-testid="reassign-select" aria-label={t('action.reassign')} value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="">{onDuty.length > 0 ? t('action.reassignTo') : t('action.nobodyOnDuty')}</option>
            {(
              [
                ['grid', groups.grid],
                ['others', groups.others],
              ] as const
            ).map(
              ([key, list]) =>
                list.length > 0 && (
                  <optgroup key={key} label={t(key === 'grid' ? 'action.reassignGrid' : 'action.reassignOthers')} data-group={key}>
                    {list.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                        {c.role === 'supervisor' ? ` (${t('role.supervisor')})` : ''}
                        {c.activeAlarms > 0 ? ` (${t('onduty.active', { n: c.activeAlarms })})` : ''}
                      </option>
                    ))}
                  </optgroup>
                ),
            )}
          </select>
          {button('reassign', t('action.reassign'), 'btn-secondary', !targetOk)}
        </div>
      )}
      <div class="actions-row">
        <textarea data-testid="note-input" class="grow" rows={2} maxLength={2000} aria-label={t('action.notePlaceholder')} placeholder={t('action.notePlaceholder')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        <div class="actions-col">
          {button('note', t('action.note'), 'btn-secondary', note.trim() === '')}
          {button('cancel', t('action.cancel'), 'btn-danger')}
        </div>
      </div>
    </section>
  );
}
