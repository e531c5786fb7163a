import { useMemo } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { cellTitle, DayCell } from './duty-cell.tsx';
import { dutyRows } from './duty-grid.ts';
import type { DutySampler } from './duty-sampler.ts';
import { atHour, HOURS, isNowCell, localTime, sampleInstant } from './duty-time.ts';
import type { AreaRow } from './duty-types.ts';
import { DutyTableState } from './duty-table-state.tsx';
import { useDutySamples } from './use-duty-samples.ts';

const hh = (h: number) => String(h).padStart(2, '0');

/** One day: a row per grid, a column per local hour, who was on duty at each (red: nobody). */
export function DutyDay({ date, now, sampler, version, areas }: { date: string; now: Date; sampler: DutySampler; version: number; areas: readonly AreaRow[] }) {
  const { t } = useT();
  const instants = useMemo(() => HOURS.map((h) => sampleInstant(date, h, now)), [date, now]);
  const samples = useDutySamples(sampler, instants, version);
  const rows = useMemo(() => dutyRows(samples.answers, areas), [samples.answers, areas]);
  const nowHour = HOURS.find((h) => isNowCell(date, h, now));
  const whenOf = (h: number) => (h === nowHour ? t('duty.nowAt', { time: localTime(now) }) : `${date} ${localTime(atHour(date, h))}`);

  return (
    <DutyTableState samples={samples} rows={rows.length}>
      <div class="table-wrap">
        <table class={`duty-table duty-day${samples.stale ? ' stale' : ''}`} data-testid="duty-day" data-date={date} aria-busy={samples.stale}>
          <thead>
            <tr>
              <th class="left duty-grid-col">{t('duty.col.grid')}</th>
              {HOURS.map((h) => (
                <th key={h} class={h === nowHour ? 'duty-now' : undefined} data-hour={h} aria-current={h === nowHour ? 'time' : undefined}>
                  {hh(h)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const gaps = r.cells.filter((c) => c !== undefined && c.length === 0).length;
              return (
                <tr key={r.areaId} data-testid="duty-row" data-area-id={r.areaId} data-gap-hours={gaps} class={gaps > 0 ? 'duty-row-gap' : undefined}>
                  <th class="left duty-grid-col" scope="row">
                    <span class="duty-grid-name">{r.name}</span>
                    {r.place && (
                      <span class="duty-grid-place muted small" title={r.place}>
                        {r.place}
                      </span>
                    )}
                  </th>
                  {r.cells.map((people, h) => (
                    <DayCell key={h} people={people} now={h === nowHour} title={cellTitle(people, whenOf(h), t)} />
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </DutyTableState>
  );
}
