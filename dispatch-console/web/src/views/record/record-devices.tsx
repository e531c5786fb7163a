import { useT } from '../../i18n/index.ts';
import { batteryPct, LOW_BATTERY_PCT } from '../../lib/battery.ts';
import type { RecordDevice } from './record-types.ts';

/** The resident's devices and their state now: in service, online, last heard from, battery, firmware. */
export function RecordDevices({ devices }: { devices: readonly RecordDevice[] }) {
  const tr = useT();
  const { t } = tr;
  if (devices.length === 0) return <p class="placeholder" data-testid="record-no-devices">{t('record.devices.none')}</p>;
  return (
    <div class="table-wrap">
      <table class="report record-table" data-testid="record-devices">
        <thead>
          <tr>
            <th class="left">{t('record.devices.id')}</th>
            <th class="left">{t('record.devices.kind')}</th>
            <th class="left">{t('record.devices.state')}</th>
            <th class="left">{t('record.devices.lastSeen')}</th>
            <th>{t('record.devices.battery')}</th>
            <th class="left">{t('record.devices.fw')}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => {
            const pct = batteryPct(d.battery);
            const state = d.disabled ? 'disabled' : d.online ? 'online' : 'offline';
            return (
              <tr key={d.id} data-testid="record-device" data-device-id={d.id} data-state={state}>
                <td class="left mono">{d.id}</td>
                <td class="left">{tr.label('deviceKind', d.kind)}</td>
                <td class="left">
                  <span class={`pill ${state === 'online' ? 'pill-on_site' : state === 'offline' ? 'pill-open' : ''}`}>{t(`record.devices.${state}`)}</span>
                </td>
                <td class="left">{d.lastSeenAt ? tr.dateTime(d.lastSeenAt) : t('record.devices.never')}</td>
                <td class={pct !== null && pct < LOW_BATTERY_PCT ? 'record-low' : undefined}>{pct === null ? '–' : `${pct}%`}</td>
                <td class="left">{d.fw ?? '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
