import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { scopeSql, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isForeignKeyViolation } from './db-errors.ts';

/** Top to bottom; a parent is always exactly one level above its child. */
export const areaKinds = ['district', 'street', 'community', 'grid'] as const;
export const areaKindSchema = z.enum(areaKinds);
export type AreaKind = z.infer<typeof areaKindSchema>;

export const areaSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: areaKindSchema,
  parentId: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Area = z.infer<typeof areaSchema>;

export interface AreaFilter {
  parentId?: string | undefined;
  kind?: AreaKind | undefined;
}

const COLUMNS = `id, name, kind, parent_id AS "parentId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The areas inside `scope` (its root and everything below it). */
export async function listAreas(q: Queryable, scope: Scope, filter: AreaFilter = {}): Promise<Area[]> {
  const params: unknown[] = [filter.parentId ?? null, filter.kind ?? null];
  const r = await q.query<Area>(
    `SELECT ${COLUMNS} FROM areas
      WHERE ($1::uuid IS NULL OR parent_id = $1::uuid) AND ($2::text IS NULL OR kind = $2::text)
        AND ${scopeSql(scope, 'id', params)}
      ORDER BY name, id`,
    params,
  );
  return r.rows;
}

/**
 * `lock` (inside a transaction): 'share' keeps the area's kind fixed while a child or resident
 * is placed under it; 'update' is for changing the area itself.
 */
export async function getArea(q: Queryable, scope: Scope, id: string, lock?: 'share' | 'update'): Promise<Area | undefined> {
  const suffix = lock === 'share' ? ' FOR SHARE' : lock === 'update' ? ' FOR UPDATE' : '';
  const params: unknown[] = [id];
  const r = await q.query<Area>(`SELECT ${COLUMNS} FROM areas WHERE id = $1 AND ${scopeSql(scope, 'id', params)}${suffix}`, params);
  return r.rows[0];
}

/** The ids among `ids` that name no area inside `scope`. */
export async function missingAreaIds(q: Queryable, scope: Scope, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [JSON.stringify(ids)];
  const r = await q.query<{ id: string }>(
    `SELECT x.id FROM jsonb_array_elements_text($1::jsonb) AS x(id)
      WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.id = x.id::uuid AND ${scopeSql(scope, 'a.id', params)})`,
    params,
  );
  return r.rows.map((row) => row.id);
}

export async function insertArea(q: Queryable, a: { name: string; kind: AreaKind; parentId: string | null }): Promise<Area> {
  try {
    const r = await q.query<Area>(
      `INSERT INTO areas (name, kind, parent_id) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [a.name, a.kind, a.parentId],
    );
    return r.rows[0]!;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`parent area ${a.parentId} does not exist`);
    throw err;
  }
}

export async function updateArea(
  q: Queryable,
  id: string,
  patch: { name?: string | undefined; kind?: AreaKind | undefined; parentId?: string | null | undefined },
): Promise<Area | undefined> {
  try {
    const r = await q.query<Area>(
      `UPDATE areas SET
         name = COALESCE($2, name),
         kind = COALESCE($3, kind),
         parent_id = CASE WHEN $4::boolean THEN $5::uuid ELSE parent_id END,
         updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, patch.name ?? null, patch.kind ?? null, patch.parentId !== undefined, patch.parentId ?? null],
    );
    return r.rows[0];
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`parent area ${patch.parentId} does not exist`);
    throw err;
  }
}

/** What still hangs on an area: sub-areas, residents and staff logins bound to it (any blocks deleting it). */
export async function areaDependants(q: Queryable, id: string): Promise<{ children: number; residents: number; users: number }> {
  const r = await q.query<{ children: number; residents: number; users: number }>(
    `SELECT (SELECT count(*)::int FROM areas WHERE parent_id = $1) AS children,
            (SELECT count(*)::int FROM residents WHERE area_id = $1) AS residents,
            (SELECT count(*)::int FROM users WHERE area_id = $1) AS users`,
    [id],
  );
  return r.rows[0] ?? { children: 0, residents: 0, users: 0 };
}

/** Deletes an empty area inside `scope`; throws NotFoundError / ConflictError (naming what is still in it). */
export async function deleteArea(q: Queryable, scope: Scope, id: string): Promise<void> {
  let deleted: number;
  const params: unknown[] = [id];
  try {
    deleted = (await q.query(`DELETE FROM areas WHERE id = $1 AND ${scopeSql(scope, 'id', params)}`, params)).rowCount;
  } catch (err) {
    if (!isForeignKeyViolation(err)) throw err;
    const d = await areaDependants(q, id);
    const users = d.users > 0 ? ` and ${d.users} staff login(s) bound to it` : '';
    throw new ConflictError(
      `area ${id} still contains ${d.children} sub-area(s) and ${d.residents} resident(s)${users}; move or delete them first`,
      d,
    );
  }
  if (deleted === 0) throw new NotFoundError('area', id);
}
