import type { ComponentChildren } from 'preact';
import type { EffectiveSettings, SettingKey } from '../../../../../contract/resident-settings.ts';
import { useT } from '../../i18n/index.ts';

/** The rules in force for the resident (GET /api/residents/:id effectiveSettings): own or the centre's. */
export function RecordSettings({ settings: s }: { settings: EffectiveSettings | undefined }) {
  const tr = useT();
  const { t } = tr;
  if (!s) return null; // an older server: nothing to show
  const row = (key: SettingKey, label: string, value: ComponentChildren) => {
    const own = s.fromResident.includes(key);
    return (
      <>
        <dt>{label}</dt>
        <dd data-testid={`record-setting-${key}`} data-source={own ? 'resident' : 'centre'}>
          {value} <span class={own ? 'pill' : 'muted small'}>{own ? t('settings.own') : t('settings.default')}</span>
        </dd>
      </>
    );
  };
  return (
    <dl class="facts" data-testid="record-settings">
      {row('inactivityHours', t('settings.inactivityHours'), t('settings.hours', { n: s.inactivityHours }))}
      {row('wakingHours', t('settings.wakingHours'), s.wakingHours.replace('-', ':00–') + ':00')}
      {row('checkinBy', t('settings.checkin'), s.checkinBy ?? t('settings.checkin.none'))}
      {row('nightDoorAlarm', t('settings.nightDoor'), s.nightDoorAlarm ? t('settings.on') : t('settings.off'))}
      {row('bedReturnMinutes', t('settings.bedReturnMinutes'), t('settings.minutes', { n: s.bedReturnMinutes }))}
      {row('cancelWindowS', t('settings.cancelWindowS'), t('settings.seconds', { n: s.cancelWindowS }))}
      {row(
        'away',
        t('settings.away'),
        s.away ? (
          <>
            {t('settings.awayFromTo', { from: tr.dateTime(s.away.from), until: tr.dateTime(s.away.until) })}
            {s.away.reason && <span class="muted"> · {s.away.reason}</span>}
          </>
        ) : (
          t('settings.notAway')
        ),
      )}
    </dl>
  );
}
