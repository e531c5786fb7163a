/**
 * Local wall-clock time in a named zone ⇄ instants, with Intl only (no Date.now, no I/O).
 * A rota says "08:00" and means the clock on the wall, whatever the UTC offset that day.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WALL = /^(\d{2})\/(\d{2})\/(\d+), (\d{2}):(\d{2}):(\d{2})$/;

/** The wall clock at instant `t` in the zone, as if it were UTC (ms). format() + a regex: a third of formatToParts' cost. */
function wallMs(t: number, timeZone: string): number {
  const m = WALL.exec(formatter(timeZone).format(new Date(t)));
  if (!m) throw new Error(`unexpected date format in ${timeZone}`);
  const [, mo, d, y, h, mi, sec] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h % 24, mi, sec);
}

/** The zone's offset from UTC at instant `t` (ms; +1 h in Berlin's winter). */
export function zoneOffset(t: number, timeZone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return wallMs(whole, timeZone) - whole;
}

/** "YYYY-MM-DD" of the instant in the zone. */
export function localDateOf(t: number, timeZone: string): string {
  return new Date(wallMs(t, timeZone)).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" `n` days after `date` (calendar arithmetic, no zone involved). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayIndex(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/**
 * The instant the wall clock in the zone shows `time` ("HH:MM") on `date`. A time skipped by
 * a spring-forward change is the moment the clocks jump (the shift starts when the clock can
 * first show it); a time shown twice at a fall-back change is its first showing.
 */
export function zonedInstant(date: string, time: string, timeZone: string): number {
  // a directory refresh expands every rota every 15 s: few distinct (day, time) pairs, many rotas
  const key = `${timeZone}|${date}|${time}`;
  let t = memo.get(key);
  if (t === undefined) {
    if (memo.size > 50_000) memo.clear();
    t = computeInstant(date, time, timeZone);
    memo.set(key, t);
  }
  return t;
}

const memo = new Map<string, number>();

function computeInstant(date: string, time: string, timeZone: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const wall = Date.parse(`${date}T00:00:00Z`) + (h * 60 + m) * MINUTE;
  // the offsets a day either side bracket any change near this time
  const before = zoneOffset(wall - DAY, timeZone);
  const after = zoneOffset(wall + DAY, timeZone);
  const fits = [wall - before, wall - after].filter((c) => wallMs(c, timeZone) === wall);
  if (fits.length > 0) return Math.min(...fits);
  // in the gap: find the first minute with the new offset between the two readings
  let lo = Math.floor((wall - after) / MINUTE);
  let hi = Math.ceil((wall - before) / MINUTE);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffset(mid * MINUTE, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE;
}
