/** What the report queries (response times, service orders) group by: shared so neither imports the other. */
import type { ReportGrouping } from '../../contract/reports.ts';

/** `[from, to)` by raising time; `tz` names the local day for `groupBy: 'day'` (e.g. 'Asia/Shanghai'). */
export interface ReportQuery {
  from: Date;
  to: Date;
  groupBy: ReportGrouping;
  tz: string;
  /** The report's "now": an active alarm whose limit has not passed by then is still pending. */
  now?: Date;
}

/** The local day (YYYY-MM-DD, in the report's zone `$4`) of a time column. */
export const localDay = (t: string) => `to_char(${t} AT TIME ZONE $4::text, 'YYYY-MM-DD')`;

/** The group key (text) of a fact row or an aggregate row, by its time column `t`. */
export function groupKey(g: ReportGrouping, t: string): string {
  switch (g) {
    case 'area': return 'area_id::text';
    case 'caregiver': return 'accepted_by::text';
    case 'kind': return 'kind';
    case 'day': return localDay(t);
    case 'none': return `'all'::text`;
  }
}

