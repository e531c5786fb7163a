import { weekDays, type CoverageGap, type OnDutyGrid, type WeekDay } from '../../contract/duty.ts';
import { addDays, localDateOf, weekdayIndex, zonedInstant } from './zoned-time.ts';

/**
 * Who is on duty when: rotas (weekly patterns in local time) plus one-off shifts, minus
 * absences, as merged intervals per caregiver. Pure; routing, the board's on-duty panel and
 * GET /api/on-duty all answer from this one expansion (DESIGN: "routing uses exactly what
 * /api/on-duty answers").
 */

export interface RotaRule {
  caregiverId: string;
  days: readonly WeekDay[];
  /** "HH:MM" local; `end` ≤ `start` runs past midnight into the next day. */
  start: string;
  end: string;
  /** Inclusive local dates bounding the day a shift starts. */
  from: string;
  until: string | null;
}

/** A one-off shift or an absence: [start, end) as instants. */
export interface Span {
  caregiverId: string;
  start: Date;
  end: Date;
}

export interface Interval {
  start: Date;
  end: Date;
}

/** Merged, sorted duty intervals per caregiver (caregivers with none are absent). */
export type DutyIntervals = ReadonlyMap<string, readonly Interval[]>;

export interface DutyInput {
  rotas: readonly RotaRule[];
  shifts: readonly Span[];
  absences: readonly Span[];
  timeZone: string;
  /** The window [from, to): every duty interval overlapping it is returned whole. */
  from: Date;
  to: Date;
}

type Ms = [number, number];

/** The local days a shift overlapping [from, to) can start on: one either side for overnight ones. */
function windowDays(timeZone: string, from: number, to: number): Array<{ date: string; next: string; weekday: number }> {
  const out = [];
  const last = addDays(localDateOf(to, timeZone), 1);
  for (let date = addDays(localDateOf(from, timeZone), -1); date <= last; ) {
    const next = addDays(date, 1);
    out.push({ date, next, weekday: weekdayIndex(date) });
    date = next;
  }
  return out;
}

/** A rota's shifts starting on those days, within its from/until, overlapping [from, to). */
function rotaOccurrences(r: RotaRule, days: ReturnType<typeof windowDays>, timeZone: string, from: number, to: number): Ms[] {
  const out: Ms[] = [];
  const on = new Set(r.days.map((d) => weekDays.indexOf(d)));
  const overnight = r.end <= r.start;
  for (const { date, next, weekday } of days) {
    if (!on.has(weekday) || date < r.from || (r.until !== null && date > r.until)) continue;
    const start = zonedInstant(date, r.start, timeZone);
    const end = zonedInstant(overnight ? next : date, r.end, timeZone);
    if (end > start && end > from && start < to) out.push([start, end]);
  }
  return out;
}

/** Sorted and merged: overlapping or touching intervals become one. */
function merge(list: Ms[]): Ms[] {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const out: Ms[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** `list` with every `cut` removed (both merged and sorted). */
function subtract(list: Ms[], cuts: Ms[]): Ms[] {
  const out: Ms[] = [];
  for (const [s0, e] of list) {
    let s = s0;
    for (const [cs, ce] of cuts) {
      if (ce <= s || cs >= e) continue;
      if (cs > s) out.push([s, cs]);
      s = Math.max(s, ce);
      if (s >= e) break;
    }
    if (s < e) out.push([s, e]);
  }
  return out;
}

const group = <T extends { caregiverId: string }>(items: readonly T[]) => {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const list = m.get(i.caregiverId);
    if (list) list.push(i);
    else m.set(i.caregiverId, [i]);
  }
  return m;
};

/** Each caregiver's duty overlapping [from, to): rotas + shifts, merged, absences cut out. */
export function dutyIntervals(input: DutyInput): DutyIntervals {
  const from = input.from.getTime();
  const to = input.to.getTime();
  const raw = new Map<string, Ms[]>();
  const add = (id: string, ms: Ms) => {
    const list = raw.get(id);
    if (list) list.push(ms);
    else raw.set(id, [ms]);
  };
  const days = windowDays(input.timeZone, from, to);
  for (const r of input.rotas) for (const o of rotaOccurrences(r, days, input.timeZone, from, to)) add(r.caregiverId, o);
  for (const s of input.shifts) if (s.end.getTime() > from && s.start.getTime() < to) add(s.caregiverId, [s.start.getTime(), s.end.getTime()]);
  const absences = group(input.absences);
  const out = new Map<string, Interval[]>();
  for (const [id, list] of raw) {
    const cuts = merge((absences.get(id) ?? []).map((a): Ms => [a.start.getTime(), a.end.getTime()]));
    const left = subtract(merge(list), cuts).filter(([s, e]) => e > from && s < to);
    if (left.length > 0) out.set(id, left.map(([s, e]) => ({ start: new Date(s), end: new Date(e) })));
  }
  return out;
}

/** The duty interval holding `t`, if the caregiver is on duty then. */
export function dutyAt(intervals: readonly Interval[] | undefined, t: Date): Interval | undefined {
  const ms = t.getTime();
  return intervals?.find((i) => i.start.getTime() <= ms && i.end.getTime() > ms);
}

/** Whether the caregiver is on duty at `t`. */
export function onDutyAt(intervals: readonly Interval[] | undefined, t: Date): boolean {
  return dutyAt(intervals, t) !== undefined;
}

/** The caregivers on duty at `t`. */
export function onDutySet(all: DutyIntervals, t: Date): Set<string> {
  const out = new Set<string>();
  for (const [id, list] of all) if (onDutyAt(list, t)) out.add(id);
  return out;
}

/** A grid with its path: itself, then its community, street, district. */
export interface GridInfo {
  areaId: string;
  name: string;
  path: readonly string[];
}

export interface DutyCaregiver {
  id: string;
  name: string;
  areaIds: readonly string[];
  wearableOnline: boolean;
}

/**
 * A caregiver covers a grid when assigned to it or to an area above it: routing asks the
 * grid's own caregivers first and, when none is on duty, moves at once (no timeout) to the
 * circle holding those assigned higher up — so either keeps the grid from going unanswered.
 */
export function covers(c: Pick<DutyCaregiver, 'areaIds'>, grid: GridInfo): boolean {
  return c.areaIds.some((a) => grid.path.includes(a));
}

/** GET /api/on-duty: per grid (in the order given), who covers it and is on duty at `at`. */
export function onDutyByGrid(grids: readonly GridInfo[], caregivers: readonly DutyCaregiver[], intervals: DutyIntervals, at: Date): OnDutyGrid[] {
  return grids.map((g) => ({
    areaId: g.areaId,
    name: g.name,
    caregivers: caregivers
      .filter((c) => covers(c, g))
      .flatMap((c) => {
        const now = dutyAt(intervals.get(c.id), at);
        return now ? [{ id: c.id, name: c.name, until: now.end, wearableOnline: c.wearableOnline }] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1)),
  }));
}

/** Windows within [from, to) where each grid has nobody who covers it on duty. */
export function coverageGaps(grids: readonly GridInfo[], caregivers: readonly DutyCaregiver[], intervals: DutyIntervals, from: Date, to: Date): CoverageGap[] {
  const f = from.getTime();
  const t = to.getTime();
  const gaps: CoverageGap[] = [];
  for (const g of grids) {
    const duty = merge(caregivers.filter((c) => covers(c, g)).flatMap((c) => (intervals.get(c.id) ?? []).map((i): Ms => [i.start.getTime(), i.end.getTime()])));
    for (const [s, e] of subtract([[f, t]], duty)) gaps.push({ areaId: g.areaId, name: g.name, from: new Date(s), to: new Date(e) });
  }
  return gaps;
}
