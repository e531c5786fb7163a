import type { LocalClock } from './absence-rules.ts';

// the process time zone (TZ): shift and schedule times are local
const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });

function fields(d: Date): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts.formatToParts(d)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Local hour of an instant (0–23). */
export const localHour = (d: Date): number => fields(d).hour!;

/** Local wall time minus UTC at an instant (whole seconds). */
function offsetAt(t: number): number {
  const f = fields(new Date(t));
  return Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!) - Math.floor(t / 1000) * 1000;
}

export function localClock(now: Date): LocalClock {
  const f = fields(now);
  // Not `now` minus the wall time since midnight: on a DST-change day that is an hour off
  // (a check-in at 23:30 the evening before would count as today, one at 00:30 would not).
  // Local midnight at each offset in force around it; the earliest that falls on today is
  // the day's first instant (where midnight does not exist: the moment the clocks jump).
  const midnight = Date.UTC(f.year!, f.month! - 1, f.day!);
  const guess = midnight - offsetAt(now.getTime());
  let dayStart = midnight - offsetAt(guess);
  for (const t of [guess - 3 * 3600_000, guess + 3 * 3600_000, now.getTime()]) {
    const candidate = midnight - offsetAt(t);
    if (candidate < dayStart && fields(new Date(candidate)).day === f.day) dayStart = candidate;
  }
  return {
    now,
    hour: f.hour!,
    minute: f.minute!,
    dayStart: new Date(dayStart),
    day: `${f.year}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`,
    hourOf: localHour,
  };
}
