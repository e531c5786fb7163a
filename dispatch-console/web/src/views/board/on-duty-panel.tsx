import { useMemo } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { isActive } from '../../lib/active-queue.ts';
import { batteryPct, LOW_BATTERY_PCT } from '../../lib/battery.ts';
import { dutyBeyondGrids, gridDuty } from '../../lib/on-duty.ts';
import { board } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';
import type { Area, Caregiver } from '../../types.ts';

/** Who is on duty in each grid now; a grid with nobody stands out (its alarms go further up). */
export function OnDutyPanel() {
  const tr = useT();
  const { t } = tr;
  const synced = useStore(board, (s) => s.synced);
  const areas = useStore(board, (s) => s.areas);
  const caregivers = useStore(board, (s) => s.caregivers);
  const alarms = useStore(board, (s) => s.alarms);
  const grids = useMemo(() => gridDuty(areas, [...caregivers.values()], [...alarms.values()].filter(isActive).map((a) => a.areaId)), [areas, caregivers, alarms]);
  const beyond = useMemo(() => dutyBeyondGrids(areas, [...caregivers.values()]), [areas, caregivers]);

  return (
    <section class="panel on-duty" data-testid="on-duty" aria-labelledby="onduty-title">
      <h2 id="onduty-title" class="panel-title">{t('onduty.title')}</h2>
      {!synced ? (
        <p class="placeholder">{t('conn.connecting')}</p>
      ) : grids.length === 0 ? (
        <p class="placeholder">{t('onduty.noGrids')}</p>
      ) : (
        <ul class="grids">
          {grids.map((g) => (
            <li
              key={g.grid.id}
              class={g.onDuty.length === 0 ? 'grid grid-nobody' : 'grid'}
              data-testid={g.onDuty.length === 0 ? 'grid-nobody' : 'grid-duty'}
              data-area-id={g.grid.id}
            >
              <div class="grid-head">
                <span class="grid-name" title={g.path}>
                  {g.grid.name}
                </span>
                {g.activeAlarms > 0 && <span class="pill pill-open">{g.activeAlarms}</span>}
              </div>
              {g.onDuty.length === 0 ? (
                <div class="grid-empty">{t('onduty.nobody')}</div>
              ) : (
                <ul class="carers">
                  {g.onDuty.map((c) => (
                    <Carer key={c.id} c={c} />
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {synced && beyond.length > 0 && (
        <div class="grid grid-beyond" data-testid="duty-beyond">
          <div class="grid-head">
            <span class="grid-name">{t('onduty.beyond')}</span>
          </div>
          <ul class="carers">
            {beyond.map((c) => (
              <Carer key={c.id} c={c} areas={areaNames(c, areas)} />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

const areaNames = (c: Caregiver, areas: readonly Area[]) =>
  c.areaIds
    .map((id) => areas.find((a) => a.id === id)?.name)
    .filter((n): n is string => n !== undefined)
    .join(', ');

/** One person on duty: wrist state, battery, how busy, until when (and, outside the grids, their areas). */
function Carer({ c, areas }: { c: Caregiver; areas?: string }) {
  const tr = useT();
  const { t } = tr;
  const pct = batteryPct(c.battery);
  const wrist = c.wearableId === null ? t('onduty.noWearable') : c.wearableOnline ? t('onduty.online') : t('onduty.offline');
  return (
    <li class="carer" data-caregiver-id={c.id} data-role={c.role}>
      <span class={`dot ${c.wearableId === null ? 'dot-none' : c.wearableOnline ? 'dot-on' : 'dot-off'}`} title={wrist} role="img" aria-label={wrist} />
      <span class="carer-name">{c.name}</span>
      {c.role === 'supervisor' && <span class="pill pill-muted">{t('role.supervisor')}</span>}
      {areas && <span class="muted small">{areas}</span>}
      {pct !== null && <span class={pct < LOW_BATTERY_PCT ? 'battery low' : 'battery'}>{pct} %</span>}
      {c.activeAlarms > 0 && <span class="pill pill-accepted">{t('onduty.active', { n: c.activeAlarms })}</span>}
      {c.shiftEndsAt && <span class="muted small">{t('onduty.until', { time: tr.time(c.shiftEndsAt).slice(0, 5) })}</span>}
    </li>
  );
}
