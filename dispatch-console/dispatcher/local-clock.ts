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

export function localClock(now: Date): LocalClock {
  const f = fields(now);
  const sinceMidnightMs = ((f.hour! * 60 + f.minute!) * 60 + f.second!) * 1000 + now.getMilliseconds();
  return {
    now,
    hour: f.hour!,
    minute: f.minute!,
    dayStart: new Date(now.getTime() - sinceMidnightMs),
    day: `${f.year}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`,
    hourOf: localHour,
  };
}
