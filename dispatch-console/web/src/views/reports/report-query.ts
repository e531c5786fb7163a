import type { ReportGrouping } from '../../types.ts';

export interface ReportQuery {
  /** Local dates, YYYY-MM-DD, both days included. */
  from: string;
  to: string;
  groupBy: ReportGrouping;
}

export const groupings: readonly ReportGrouping[] = ['area', 'caregiver', 'kind', 'day', 'none'];

const pad = (n: number) => String(n).padStart(2, '0');
export const localDate = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** The last 7 days, today included. */
export function defaultQuery(today = new Date()): ReportQuery {
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
  return { from: localDate(from), to: localDate(today), groupBy: 'area' };
}

/** Local midnight of a YYYY-MM-DD, plus `days`. */
function midnight(date: string, days = 0): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d! + days);
}

/** The period in seconds since the epoch (uPlot's time unit), the last day included. */
export const periodSeconds = (q: ReportQuery): [number, number] => [midnight(q.from).getTime() / 1000, midnight(q.to, 1).getTime() / 1000];

export const validRange = (q: ReportQuery): boolean => q.from !== '' && q.to !== '' && midnight(q.from) <= midnight(q.to);

/**
 * The API's period is [from, to): the chosen "to" day is included by asking up to the next
 * local midnight, so the figures match what an operator means by "from Monday to Sunday".
 */
export function reportUrl(q: ReportQuery, format: 'json' | 'csv' = 'json'): string {
  const params = new URLSearchParams({ from: midnight(q.from).toISOString(), to: midnight(q.to, 1).toISOString(), groupBy: q.groupBy });
  if (format === 'csv') params.set('format', 'csv');
  return `/api/reports/response-times?${params.toString()}`;
}
