import { scopeSql, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';

/** One resident with buttons: when one was last pressed, or tested (`"data":{"test":true}`). */
export interface ButtonFactRow {
  residentId: string;
  name: string;
  areaId: string;
  deviceIds: string[];
  installedAt: Date;
  lastPressAt: Date | null;
  lastTestAt: Date | null;
}

/**
 * Residents inside `scope` with at least one button (pendant, button, pull cord; not taken out
 * of service) and their latest press and test since `since` (the lookback: older ones read as
 * null). A press resolved with outcome `test` is a press here too. Reads recent chunks only.
 */
export async function loadButtonFacts(q: Queryable, scope: Scope, since: Date): Promise<ButtonFactRow[]> {
  const params: unknown[] = [since.toISOString()];
  const r = await q.query<ButtonFactRow & Record<string, unknown>>(
    `WITH buttons AS (
       SELECT id, resident_id, created_at FROM devices
        WHERE kind IN ('pendant', 'button', 'pull_cord') AND resident_id IS NOT NULL AND NOT disabled
     ),
     presses AS (
       SELECT e.resident_id,
              max(e.received_at) FILTER (WHERE e.data->'test' IS DISTINCT FROM 'true'::jsonb) AS pressed,
              max(e.received_at) FILTER (WHERE e.data->'test' = 'true'::jsonb) AS tested
         FROM events e JOIN buttons b ON b.id = e.device_id
        WHERE e.type = 'button.pressed' AND e.received_at > $1::timestamptz AND e.resident_id IS NOT NULL
        GROUP BY e.resident_id
     )
     SELECT r.id AS "residentId", r.name, r.area_id AS "areaId",
            array_agg(b.id ORDER BY b.id) AS "deviceIds", min(b.created_at) AS "installedAt",
            max(p.pressed) AS "lastPressAt", max(p.tested) AS "lastTestAt"
       FROM residents r
       JOIN buttons b ON b.resident_id = r.id
       LEFT JOIN presses p ON p.resident_id = r.id
      WHERE ${scopeSql(scope, 'r.area_id', params)}
      GROUP BY r.id, r.name, r.area_id
      ORDER BY r.name, r.id`,
    params,
  );
  return r.rows;
}
