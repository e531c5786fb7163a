/**
 * Seconds as m:ss (mm:ss for clocks), h:mm:ss from an hour on: a stuck alarm shows "1:02:05"
 * instead of an unreadable "62:05".
 */
export function formatDuration(seconds: number | null | undefined, padMinutes = false): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.floor(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${sign}${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${sign}${padMinutes ? String(m).padStart(2, '0') : m}:${ss}`;
}

/** Whole seconds between two instants (ISO strings or epoch ms). */
export function secondsBetween(from: string | number, to: string | number): number {
  return (toMs(to) - toMs(from)) / 1000;
}

export const toMs = (v: string | number): number => (typeof v === 'number' ? v : Date.parse(v));
