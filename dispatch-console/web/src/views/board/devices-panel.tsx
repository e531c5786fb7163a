import { useMemo } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { batteryPct, LOW_BATTERY_PCT } from '../../lib/battery.ts';
import { needingAttention } from '../../lib/device-attention.ts';
import { board } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';

// a long outage (a whole hub down) must not push the rest of the board off the screen
const SHOW_AT_MOST = 40;

/** Devices that need someone to look: offline, or battery low (lib/device-attention.ts). */
export function DevicesPanel() {
  const tr = useT();
  const { t } = tr;
  const synced = useStore(board, (s) => s.synced);
  const devices = useStore(board, (s) => s.devices);
  const caregivers = useStore(board, (s) => s.caregivers);
  const attention = useMemo(() => needingAttention([...devices.values()]), [devices]);
  const shown = attention.slice(0, SHOW_AT_MOST);

  return (
    <section class="panel devices" data-testid="devices-attention" aria-labelledby="devices-title">
      <h2 id="devices-title" class="panel-title">
        {t('devices.title')} {attention.length > 0 && <span class="panel-count warn">{attention.length}</span>}
      </h2>
      {!synced ? (
        <p class="placeholder">{t('conn.connecting')}</p>
      ) : attention.length === 0 ? (
        <p class="placeholder">{t('devices.none')}</p>
      ) : (
        <ul class="device-list">
          {shown.map((d) => {
            const pct = batteryPct(d.battery);
            const who = d.residentName ?? (d.caregiverId ? caregivers.get(d.caregiverId)?.name : undefined) ?? t('devices.noResident');
            return (
              <li key={d.id} class="device" data-testid="device-row" data-device-id={d.id}>
                <div class="device-line">
                  <span class={`dot ${d.online ? 'dot-on' : 'dot-off'}`} aria-hidden="true" />
                  <span class="device-who">{who}</span>
                  {!d.online && <span class="flag flag-red">{t('devices.offline')}</span>}
                  {d.batteryLow && (
                    <span class="flag flag-amber" data-testid="device-battery-low">
                      {pct !== null && pct < LOW_BATTERY_PCT ? t('devices.battery', { pct: `${pct} %` }) : t('devices.batteryLow')}
                    </span>
                  )}
                </div>
                <div class="device-sub muted small">
                  {tr.label('deviceKind', d.kind)} {d.id} · {d.lastSeenAt ? t('devices.lastSeen', { time: tr.dateTime(d.lastSeenAt) }) : t('devices.neverSeen')}
                </div>
              </li>
            );
          })}
          {attention.length > shown.length && <li class="muted small">+{attention.length - shown.length}</li>}
        </ul>
      )}
    </section>
  );
}
