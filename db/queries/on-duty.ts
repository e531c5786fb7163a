import { scopeSql, caregiverInScope, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';

/** The area tree (every area: a grid's path may climb above the scope) with which grids lie inside `scope`. */
export type DutyArea = {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  inScope: boolean;
};

export type DutyPerson = {
  id: string;
  name: string;
  wearableId: string | null;
  wearableOnline: boolean;
  areaIds: string[];
};

export async function loadDutyAreas(q: Queryable, scope: Scope): Promise<DutyArea[]> {
  const params: unknown[] = [];
  const r = await q.query<DutyArea>(
    `SELECT a.id, a.name, a.kind, a.parent_id AS "parentId", (${scopeSql(scope, 'a.id', params)}) AS "inScope" FROM areas a`,
    params,
  );
  return r.rows;
}

/** Caregivers inside `scope` with their areas and whether their wrist is online. */
export async function loadDutyPeople(q: Queryable, scope: Scope): Promise<DutyPerson[]> {
  const params: unknown[] = [];
  const r = await q.query<DutyPerson>(
    `SELECT c.id, c.name, c.wearable_id AS "wearableId", COALESCE(d.online, false) AS "wearableOnline",
            COALESCE((SELECT jsonb_agg(ca.area_id) FROM caregiver_areas ca WHERE ca.caregiver_id = c.id), '[]'::jsonb) AS "areaIds"
       FROM caregivers c LEFT JOIN devices d ON d.id = c.wearable_id
      WHERE ${caregiverInScope(scope, 'c.id', params)}`,
    params,
  );
  return r.rows;
}
