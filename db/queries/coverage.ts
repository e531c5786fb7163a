import { activeStatusSql } from './alarms.ts';
import type { Queryable } from '../types.ts';

/** The active coverage.gap alarms (coverage assurance, dispatcher/coverage.ts): which grid each is about. */
export async function activeCoverageAlarms(q: Queryable): Promise<Array<{ alarmId: string; areaId: string | null }>> {
  const r = await q.query<{ alarmId: string; areaId: string | null }>(
    `SELECT id AS "alarmId", area_id AS "areaId" FROM alarms WHERE kind = 'coverage.gap' AND ${activeStatusSql()} ORDER BY raised_at`,
  );
  return r.rows;
}
