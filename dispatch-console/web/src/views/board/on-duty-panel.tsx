import { useMemo } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { isActive } from '../../lib/alarm-queue.ts';
import { batteryPct, LOW_BATTERY_PCT } from '../../lib/battery.ts';
import { board } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';
import type { Area, Caregiver } from '../../types.ts';

interface GridDuty {
  grid: Area;
  path: string;
  onDuty: Caregiver[];
  activeAlarms: number;
}

/** Who is on duty in each grid now; a grid with nobody stands out (its alarms go further up). */
export function OnDutyPanel() {
  const tr = useT();
  const { t } = tr;
  const synced = useStore(board, (s) => s.synced);
  const areas = useStore(board, (s) => s.areas);
  const caregivers = useStore(board, (s) => s.caregivers);
  const alarms = useStore(board, (s) => s.alarms);
  const grids = useMemo(() => gridDuty(areas, [...caregivers.values()], [...alarms.values()].filter(isActive).map((a) => a.areaId)), [areas, caregivers, alarms]);

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
                  {g.onDuty.map((c) => {
                    const pct = batteryPct(c.battery);
                    const wrist = c.wearableId === null ? t('onduty.noWearable') : c.wearableOnline ? t('onduty.online') : t('onduty.offline');
                    return (
                      <li key={c.id} class="carer" data-caregiver-id={c.id}>
                        <span class={`dot ${c.wearableId === null ? 'dot-none' : c.wearableOnline ? 'dot-on' : 'dot-off'}`} title={wrist} role="img" aria-label={wrist} />
                        <span class="carer-name">{c.name}</span>
                        {pct !== null && <span class={pct < LOW_BATTERY_PCT ? 'battery low' : 'battery'}>{pct} %</span>}
                        {c.activeAlarms > 0 && <span class="pill pill-accepted">{t('onduty.active', { n: c.activeAlarms })}</span>}
                        {c.shiftEndsAt && <span class="muted small">{t('onduty.until', { time: tr.time(c.shiftEndsAt).slice(0, 5) })}</span>}
                      </li>
                    );
                  })}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function gridDuty(areas: readonly Area[], caregivers: Caregiver[], activeAreaIds: Array<string | null>): GridDuty[] {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const pathOf = (a: Area): string => {
    const names: string[] = [];
    for (let cur: Area | undefined = a; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined) names.unshift(cur.name);
    return names.join(' › ');
  };
  return areas
    .filter((a) => a.kind === 'grid')
    .map((grid) => ({
      grid,
      path: pathOf(grid),
      onDuty: caregivers.filter((c) => c.onDuty && c.areaIds.includes(grid.id)).sort((x, y) => x.name.localeCompare(y.name)),
      activeAlarms: activeAreaIds.filter((id) => id === grid.id).length,
    }))
    .sort((x, y) => Number(x.onDuty.length > 0) - Number(y.onDuty.length > 0) || x.path.localeCompare(y.path));
}
