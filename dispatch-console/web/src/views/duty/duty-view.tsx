import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT, type MessageKey } from '../../i18n/index.ts';
import type { SetupPageProps } from '../setup/setup-page-props.ts';
import { DutyDay } from './duty-day.tsx';
import { DutyEditor } from './duty-editor.tsx';
import { DutySampler } from './duty-sampler.ts';
import { addDays, localDate, weekDates, weekDayOf, weekStart } from './duty-time.ts';
import type { AreaRow } from './duty-types.ts';
import { DutyWeek } from './duty-week.tsx';

type Mode = 'day' | 'week';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * While the page is open and visible: the hour we are in is read again every minute (one
 * request: "now" moves on), everything every 10 minutes (others edit duty too). Each answer is
 * a request and a line in the audit trail, so the whole day or week is not asked every minute.
 */
const NOW_MS = 60_000;
const REFRESH_MS = 10 * 60_000;

/**
 * #/setup/duty[/<caregiverId>]: who is on duty per grid hour by hour (GET /api/on-duty at each
 * hour), today by default or a week; gaps in red. Below it, one caregiver's rotas and absences
 * to edit (the id in the path opens them); each change redraws the table.
 */
export function DutyView({ id }: SetupPageProps) {
  const { t } = useT();
  const [mode, setMode] = useState<Mode>('day');
  const [date, setDate] = useState(() => localDate(new Date()));
  const [now, setNow] = useState(() => new Date());
  const [version, setVersion] = useState(0);
  const [areas, setAreas] = useState<AreaRow[]>([]);
  const sampler = useMemo(() => new DutySampler(), []);
  const [serviceZone, setServiceZone] = useState<string | undefined>();

  const refresh = () => {
    sampler.clear();
    setNow(new Date());
    setVersion((v) => v + 1);
  };

  useEffect(() => {
    // the places of the grids only: without them the table still shows the grids' names
    api<AreaRow[]>('/api/areas').then(setAreas, () => undefined);
    // rotas are read in the service's time zone, the table in this browser's: say so when they differ
    api<{ timeZone: string }>('/api/service').then((s) => setServiceZone(s.timeZone), () => undefined);
    // a tab in the background asks nothing; it catches up when looked at again (next tick)
    const visible = () => document.visibilityState === 'visible';
    const tick = setInterval(() => visible() && setNow(new Date()), NOW_MS);
    const all = setInterval(() => visible() && refresh(), REFRESH_MS);
    return () => (clearInterval(tick), clearInterval(all));
  }, []);

  const today = localDate(now);
  const monday = weekStart(date);
  const step = (n: number) => setDate(addDays(date, mode === 'day' ? n : 7 * n));
  const showingToday = mode === 'day' ? date === today : weekDates(monday).includes(today);
  const label =
    mode === 'day'
      ? `${t(`duty.day.${weekDayOf(date)}` as MessageKey)} ${date}${date === today ? ` · ${t('duty.today')}` : ''}`
      : t('duty.weekOf', { from: monday, to: addDays(monday, 6) });

  return (
    <div class="duty" data-testid="duty-view" data-mode={mode}>
      <div class="duty-toolbar panel">
        <h2 class="panel-title">{t('duty.title')}</h2>
        <div class="duty-modes" role="group" aria-label={t('duty.mode')}>
          {(['day', 'week'] as const).map((m) => (
            <button key={m} type="button" class={`btn ${mode === m ? 'btn-primary' : 'btn-secondary'}`} data-testid={`duty-mode-${m}`} aria-pressed={mode === m} onClick={() => setMode(m)}>
              {t(`duty.mode.${m}`)}
            </button>
          ))}
        </div>
        <button type="button" class="btn btn-secondary" data-testid="duty-prev" onClick={() => step(-1)}>
          {mode === 'day' ? t('duty.prevDay') : t('duty.prevWeek')}
        </button>
        <button type="button" class="btn btn-secondary" data-testid="duty-today" disabled={showingToday} onClick={() => setDate(today)}>
          {t('duty.today')}
        </button>
        <button type="button" class="btn btn-secondary" data-testid="duty-next" onClick={() => step(1)}>
          {mode === 'day' ? t('duty.nextDay') : t('duty.nextWeek')}
        </button>
        <strong class="duty-label" data-testid="duty-label">
          {label}
        </strong>
        <button type="button" class="btn btn-quiet" data-testid="duty-refresh" onClick={refresh}>
          {t('duty.refresh')}
        </button>
        <span class="duty-legend small">
          <span class="duty-swatch duty-covered" /> {t('duty.legend.covered')} <span class="duty-swatch duty-gap" /> {t('duty.legend.gap')}
        </span>
      </div>
      {serviceZone !== undefined && serviceZone !== BROWSER_ZONE && (
        <p class="duty-gaps" role="alert" data-testid="duty-tz-warning">
          {t('duty.tzDiffers', { browser: BROWSER_ZONE, service: serviceZone })}
        </p>
      )}
      <section class="panel duty-table-panel">
        {mode === 'day' ? (
          <DutyDay date={date} now={now} sampler={sampler} version={version} areas={areas} />
        ) : (
          <DutyWeek monday={monday} now={now} sampler={sampler} version={version} areas={areas} onPickDay={(d) => (setDate(d), setMode('day'))} />
        )}
      </section>
      <DutyEditor caregiverId={id} onChanged={refresh} />
    </div>
  );
}
