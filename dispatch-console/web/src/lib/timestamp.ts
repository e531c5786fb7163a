const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * An instant as the control room reads it, on this computer's clock: the time of day alone
 * when it is today (23:58:10), with the month and day in front when it is not (11-22 23:58:10),
 * and the year too when it is not this year (2024-11-22 23:58:10). Numeric in every language:
 * no month names to translate, and no alarm from last night mistaken for one from this evening.
 */
export function formatTimestamp(at: string | number | Date, nowMs: number): string {
  const d = new Date(at);
  if (!Number.isFinite(d.getTime())) return '–';
  const now = new Date(nowMs);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const sameYear = d.getFullYear() === now.getFullYear();
  if (sameYear && d.getMonth() === now.getMonth() && d.getDate() === now.getDate()) return time;
  const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return sameYear ? `${day} ${time}` : `${d.getFullYear()}-${day} ${time}`;
}

/** A day as the whole page writes it: YYYY-MM-DD (report keys, date pickers' values, legends). */
export function isoDay(at: string | number | Date): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The same day without its year, MM-DD (chart axes), as formatTimestamp writes older instants. */
export const shortDay = (at: string | number | Date): string => isoDay(at).slice(5);
