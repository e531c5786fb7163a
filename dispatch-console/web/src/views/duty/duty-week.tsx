import { useMemo } from 'preact/hooks';
import { useT, type MessageKey } from '../../i18n/index.ts';
import { cellTitle } from './duty-cell.tsx';
import { coveredHours, dutyRows, type OnDutyPerson } from './duty-grid.ts';
import type { DutySampler } from './duty-sampler.ts';
import { atHour, HOURS, isNowCell, localDate, localTime, sampleInstant, weekDates, weekDayOf } from './duty-time.ts';
import type { AreaRow } from './duty-types.ts';
import { DutyTableState } from './duty-table-state.tsx';
import { useDutySamples } from './use-duty-samples.ts';

/**
 * A week: a row per grid, a column per day, each day a bar of its 24 hours (green: someone on
 * duty, red: nobody) with the covered hours written under it. The same hourly answers as the
 * day view (168 per week, cached, a few at a time); a day's header opens that day.
 */
export function DutyWeek(props: { monday: string; now: Date; sampler: DutySampler; version: number; areas: readonly AreaRow[]; onPickDay: (date: string) => void }) {
  const { monday, now, sampler, version, areas, onPickDay } = props;
  const { t } = useT();
  const dates = useMemo(() => weekDates(monday), [monday]);
  const instants = useMemo(() => dates.flatMap((d) => HOURS.map((h) => sampleInstant(d, h, now))), [dates, now]);
  const samples = useDutySamples(sampler, instants, version);
  const rows = useMemo(() => dutyRows(samples.answers, areas), [samples.answers, areas]);
  const today = localDate(now);

  return (
    <DutyTableState samples={samples} rows={rows.length}>
      <div class="table-wrap">
        <table class={`duty-table duty-week${samples.stale ? ' stale' : ''}`} data-testid="duty-week" data-monday={monday} aria-busy={samples.stale}>
          <thead>
            <tr>
              <th class="left duty-grid-col">{t('duty.col.grid')}</th>
              {dates.map((d) => (
                <th key={d} class={d === today ? 'duty-today' : undefined}>
                  <button type="button" class="link-btn" data-testid="duty-week-day" data-date={d} title={t('duty.openDay')} onClick={() => onPickDay(d)}>
                    {t(`duty.day.${weekDayOf(d)}` as MessageKey)} {d.slice(5)}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.areaId} data-testid="duty-row" data-area-id={r.areaId}>
                <th class="left duty-grid-col" scope="row">
                  <span class="duty-grid-name">{r.name}</span>
                  {r.place && (
                      <span class="duty-grid-place muted small" title={r.place}>
                        {r.place}
                      </span>
                    )}
                </th>
                {dates.map((d, i) => (
                  <DayBar key={d} date={d} now={now} cells={r.cells.slice(i * 24, i * 24 + 24)} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </DutyTableState>
  );
}

function DayBar({ date, now, cells }: { date: string; now: Date; cells: Array<OnDutyPerson[] | undefined> }) {
  const { t } = useT();
  const { covered, known } = coveredHours(cells);
  const gaps = known - covered;
  return (
    <td class={`duty-daybar${gaps > 0 ? ' duty-row-gap' : ''}`} data-testid="duty-daybar" data-date={date} data-gap-hours={gaps} data-covered-hours={covered}>
      <div class="duty-bar">
        {cells.map((people, h) => {
          const state = people === undefined ? 'unknown' : people.length === 0 ? 'gap' : 'covered';
          const nowCell = isNowCell(date, h, now);
          const when = nowCell ? t('duty.nowAt', { time: localTime(now) }) : `${date} ${localTime(atHour(date, h))}`;
          return <span key={h} class={`duty-seg duty-${state}${nowCell ? ' duty-now' : ''}`} data-state={state} title={cellTitle(people, when, t)} />;
        })}
      </div>
      <span class="small muted">{known === cells.length ? t('duty.coveredHours', { n: covered, of: known }) : t('duty.loading')}</span>
    </td>
  );
}
