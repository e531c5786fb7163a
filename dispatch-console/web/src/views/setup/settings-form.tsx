import { useT } from '../../i18n/index.ts';
import type { ResidentSettings } from '../../../../../contract/resident-settings.ts';
import { Field } from './admin-kit.tsx';

/** The resident's own settings as the form edits them (an empty field: the centre's default). */
export interface SettingsDraft {
  inactivityHours: string;
  wakingFrom: string;
  wakingTo: string;
  checkin: 'none' | 'centre' | 'own';
  checkinAt: string;
  nightDoor: 'default' | 'on' | 'off';
  bedReturnMinutes: string;
  cancelWindowS: string;
  awayFrom: string;
  awayUntil: string;
  awayReason: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
// <input type="datetime-local"> speaks local wall time; the API speaks instants
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export function draftOf(s: ResidentSettings | undefined): SettingsDraft {
  const v = s ?? {};
  return {
    inactivityHours: v.inactivityHours === undefined ? '' : String(v.inactivityHours),
    wakingFrom: v.wakingHours?.slice(0, 2) ?? '',
    wakingTo: v.wakingHours?.slice(3, 5) ?? '',
    checkin: v.checkinBy === true ? 'centre' : typeof v.checkinBy === 'string' ? 'own' : 'none',
    checkinAt: typeof v.checkinBy === 'string' ? v.checkinBy : '',
    nightDoor: v.nightDoorAlarm === undefined ? 'default' : v.nightDoorAlarm ? 'on' : 'off',
    bedReturnMinutes: v.bedReturnMinutes === undefined ? '' : String(v.bedReturnMinutes),
    cancelWindowS: v.cancelWindowS === undefined ? '' : String(v.cancelWindowS),
    awayFrom: v.away ? toLocalInput(v.away.from) : '',
    awayUntil: v.away ? toLocalInput(v.away.until) : '',
    awayReason: v.away?.reason ?? '',
  };
}

/** What PATCH /api/residents/:id takes: only what differs from the centre (the server validates). */
export function settingsOf(d: SettingsDraft): ResidentSettings {
  const out: ResidentSettings = {};
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  if (num(d.inactivityHours) !== undefined) out.inactivityHours = num(d.inactivityHours);
  if (d.wakingFrom && d.wakingTo) out.wakingHours = `${d.wakingFrom}-${d.wakingTo}`;
  if (d.checkin === 'centre') out.checkinBy = true;
  if (d.checkin === 'own' && d.checkinAt) out.checkinBy = d.checkinAt;
  if (d.nightDoor !== 'default') out.nightDoorAlarm = d.nightDoor === 'on';
  if (num(d.bedReturnMinutes) !== undefined) out.bedReturnMinutes = num(d.bedReturnMinutes);
  if (num(d.cancelWindowS) !== undefined) out.cancelWindowS = num(d.cancelWindowS);
  if (d.awayFrom && d.awayUntil) {
    out.away = { from: new Date(d.awayFrom).toISOString(), until: new Date(d.awayUntil).toISOString(), ...(d.awayReason.trim() && { reason: d.awayReason.trim() }) };
  }
  return out;
}

const HOURS = Array.from({ length: 25 }, (_, h) => pad(h));

/** The "Settings" section of the resident form (DESIGN "Per-resident settings"). */
export function SettingsEditor({ draft, onChange }: { draft: SettingsDraft; onChange: (d: SettingsDraft) => void }) {
  const { t } = useT();
  const set = <K extends keyof SettingsDraft>(k: K, v: SettingsDraft[K]) => onChange({ ...draft, [k]: v });
  const hourSelect = (k: 'wakingFrom' | 'wakingTo', testid: string) => (
    <select data-testid={testid} value={draft[k]} onChange={(e) => set(k, e.currentTarget.value)}>
      <option value="">—</option>
      {HOURS.map((h) => (
        <option key={h} value={h}>
          {h}:00
        </option>
      ))}
    </select>
  );
  return (
    <section class="admin-subsection" data-testid="resident-settings">
      <h4>{t('settings.title')}</h4>
      <p class="muted small">{t('settings.hint')}</p>
      <Field label={t('settings.inactivityHours')}>
        <input data-testid="settings-inactivity" type="number" min={1} max={72} step="any" value={draft.inactivityHours} onInput={(e) => set('inactivityHours', e.currentTarget.value)} />
      </Field>
      <Field label={t('settings.wakingHours')}>
        <span class="inline-fields">
          {t('settings.wakingFrom')} {hourSelect('wakingFrom', 'settings-waking-from')} {t('settings.wakingTo')} {hourSelect('wakingTo', 'settings-waking-to')}
        </span>
      </Field>
      <Field label={t('settings.checkin')}>
        <span class="inline-fields">
          <select data-testid="settings-checkin" value={draft.checkin} onChange={(e) => set('checkin', e.currentTarget.value as SettingsDraft['checkin'])}>
            <option value="none">{t('settings.checkin.none')}</option>
            <option value="centre">{t('settings.checkin.centre')}</option>
            <option value="own">{t('settings.checkin.own')}</option>
          </select>
          {draft.checkin === 'own' && <input data-testid="settings-checkin-at" type="time" required value={draft.checkinAt} onInput={(e) => set('checkinAt', e.currentTarget.value)} />}
        </span>
      </Field>
      <Field label={t('settings.nightDoor')}>
        <select data-testid="settings-night-door" value={draft.nightDoor} onChange={(e) => set('nightDoor', e.currentTarget.value as SettingsDraft['nightDoor'])}>
          <option value="default">{t('settings.nightDoor.default')}</option>
          <option value="on">{t('settings.nightDoor.on')}</option>
          <option value="off">{t('settings.nightDoor.off')}</option>
        </select>
      </Field>
      <Field label={t('settings.bedReturnMinutes')}>
        <input data-testid="settings-bed-return" type="number" min={1} max={1440} step={1} value={draft.bedReturnMinutes} onInput={(e) => set('bedReturnMinutes', e.currentTarget.value)} />
      </Field>
      <Field label={t('settings.cancelWindowS')}>
        <input data-testid="settings-cancel-window" type="number" min={0} max={86400} step={1} value={draft.cancelWindowS} onInput={(e) => set('cancelWindowS', e.currentTarget.value)} />
      </Field>
      <Field label={t('settings.away')}>
        <span class="inline-fields">
          {t('settings.away.from')} <input data-testid="settings-away-from" type="datetime-local" value={draft.awayFrom} onInput={(e) => set('awayFrom', e.currentTarget.value)} />{' '}
          {t('settings.away.until')} <input data-testid="settings-away-until" type="datetime-local" value={draft.awayUntil} onInput={(e) => set('awayUntil', e.currentTarget.value)} />
        </span>
      </Field>
      <Field label={t('settings.away.reason')}>
        <span class="inline-fields">
          <input data-testid="settings-away-reason" maxLength={200} value={draft.awayReason} onInput={(e) => set('awayReason', e.currentTarget.value)} />
          {(draft.awayFrom || draft.awayUntil) && (
            <button type="button" class="btn btn-quiet" onClick={() => onChange({ ...draft, awayFrom: '', awayUntil: '', awayReason: '' })}>
              {t('settings.away.clear')}
            </button>
          )}
        </span>
      </Field>
      <p class="muted small">{t('settings.away.hint')}</p>
    </section>
  );
}
