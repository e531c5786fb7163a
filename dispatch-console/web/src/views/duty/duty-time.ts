import type { WeekDay } from '../../../../../contract/duty.ts';

/**
 * Calendar arithmetic for the duty page, in the browser's local time (the service's `TZ` is
 * the same zone for a centre's console; rotas' HH:MM and dates are read in it). Pure: "now"
 * is always passed in.
 */

/** Monday first, as contract/duty.ts's weekDays (a type-only import: the page bundles no zod). */
export const WEEK_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly WeekDay[];

export const HOURS: readonly number[] = Array.from({ length: 24 }, (_, h) => h);

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-04": the local calendar date of an instant. */
export const localDate = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** "2026-12-04T09:30": an instant for <input type="datetime-local">. */
export const localMinute = (d: Date): string => `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** "09:30": the local time of day. */
export const localTime = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

const parts = (date: string): [number, number, number] => {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 1970, (m ?? 1) - 1, d ?? 1];
};

/** Local midnight of a date, or `hour` o'clock (on a DST change day a missing hour lands on the next). */
export const atHour = (date: string, hour = 0): Date => {
  const [y, m, d] = parts(date);
  return new Date(y, m, d, hour);
};

/** The date `n` days on (calendar days: a DST day is still one day). */
export const addDays = (date: string, n: number): string => {
  const [y, m, d] = parts(date);
  return localDate(new Date(y, m, d + n, 12));
};

/** The Monday of the date's week. */
export const weekStart = (date: string): string => {
  const dow = atHour(date, 12).getDay(); // 0 = Sunday
  return addDays(date, -((dow + 6) % 7));
};

export const weekDates = (monday: string): string[] => WEEK_DAYS.map((_, i) => addDays(monday, i));

export const weekDayOf = (date: string): WeekDay => WEEK_DAYS[(atHour(date, 12).getDay() + 6) % 7]!;

/**
 * The instant a cell is read at: the hour's start, except the hour we are in, which is read
 * at `now` (an operator looking at today wants who is on duty now, and an absence that began
 * at 09:40 must show in the 09 cell at once).
 */
export function sampleInstant(date: string, hour: number, now: Date): Date {
  const start = atHour(date, hour);
  const end = atHour(date, hour + 1);
  return now >= start && now < end ? now : start;
}

/** Is `now` inside this date's hour? (the column to mark as "now") */
export const isNowCell = (date: string, hour: number, now: Date): boolean => sampleInstant(date, hour, now) === now;

/** A datetime-local value back to an instant (undefined when empty or not a date). */
export function fromLocalMinute(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const d = new Date(value); // no zone in the string: local time, as the input meant
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** An instant to the minute, as the duty page shows windows: "21:40" today, "12-05 08:00" another day. */
export const minuteLabel = (d: Date, now: Date): string => (localDate(d) === localDate(now) ? localTime(d) : `${localDate(d).slice(5)} ${localTime(d)}`);
