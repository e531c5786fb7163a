import { z } from 'zod';
import { serviceKindSchema, type ServiceKind } from '../../contract/device-messages.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { CENTRE_WIDE, caregiverInScope, scopeSql, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.ts';

export const caregiverRoles = ['caregiver', 'supervisor'] as const;
export const caregiverRoleSchema = z.enum(caregiverRoles);
export type CaregiverRole = z.infer<typeof caregiverRoleSchema>;

export const caregiverSchema = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  wearableId: z.string().nullable(),
  role: caregiverRoleSchema,
  areaIds: z.array(z.string()),
  /** Service kinds they do (meal, bathing, …): service orders go to those with the kind first. */
  skills: z.array(serviceKindSchema),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Caregiver = z.infer<typeof caregiverSchema>;

export interface NewCaregiver {
  name: string;
  phone: string | null;
  wearableId: string | null;
  role: CaregiverRole;
  areaIds: string[];
  /** Absent: none. */
  skills?: ServiceKind[] | undefined;
}
export type CaregiverPatch = { [K in keyof NewCaregiver]?: NewCaregiver[K] | undefined };

const COLUMNS = `c.id, c.name, c.phone, c.wearable_id AS "wearableId", c.role, c.skills,
  COALESCE((SELECT jsonb_agg(ca.area_id ORDER BY ca.area_id) FROM caregiver_areas ca WHERE ca.caregiver_id = c.id),
           '[]'::jsonb) AS "areaIds",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** Caregivers inside `scope`; `areaId`: only those assigned to exactly that area. */
export async function listCaregivers(q: Queryable, scope: Scope, filter: { areaId?: string | undefined } = {}): Promise<Caregiver[]> {
  const params: unknown[] = [filter.areaId ?? null];
  const r = await q.query<Caregiver>(
    `SELECT ${COLUMNS} FROM caregivers c
      WHERE ($1::uuid IS NULL
         OR EXISTS (SELECT 1 FROM caregiver_areas x WHERE x.caregiver_id = c.id AND x.area_id = $1::uuid))
        AND ${caregiverInScope(scope, 'c.id', params)}
      ORDER BY c.name, c.id`,
    params,
  );
  return r.rows;
}

export async function getCaregiver(q: Queryable, scope: Scope, id: string): Promise<Caregiver | undefined> {
  const params: unknown[] = [id];
  return (await q.query<Caregiver>(`SELECT ${COLUMNS} FROM caregivers c WHERE c.id = $1 AND ${caregiverInScope(scope, 'c.id', params)}`, params)).rows[0];
}

/** Maps constraint failures of caregivers/caregiver_areas writes to what the caller did wrong. */
function mapWriteError(err: unknown, c: CaregiverPatch): unknown {
  if (isUniqueViolation(err, 'caregivers_wearable_id_key')) {
    return new ConflictError(`wearable ${c.wearableId} is already assigned to another caregiver`);
  }
  if (isForeignKeyViolation(err, 'caregivers_wearable_id_fkey')) return new ValidationError(`device ${c.wearableId} does not exist`);
  if (isForeignKeyViolation(err, 'caregiver_areas_area_id_fkey')) {
    return new ValidationError('areaIds: some area does not exist', { areaIds: c.areaIds });
  }
  return err;
}

/** Replaces the assignments inside `scope`; those outside it (another area's staff set them) stay. */
async function setAreas(tx: Queryable, scope: Scope, caregiverId: string, areaIds: string[]): Promise<void> {
  const params: unknown[] = [caregiverId];
  await tx.query(`DELETE FROM caregiver_areas WHERE caregiver_id = $1 AND ${scopeSql(scope, 'area_id', params)}`, params);
  if (areaIds.length === 0) return;
  // A JSON list rather than an array parameter: the same text works through pg and PGlite.
  await tx.query(
    `INSERT INTO caregiver_areas (caregiver_id, area_id)
     SELECT $1, a::uuid FROM jsonb_array_elements_text($2::jsonb) AS a ON CONFLICT DO NOTHING`,
    [caregiverId, JSON.stringify(areaIds)],
  );
}

/** Call inside a transaction: the caregiver and its area assignments are written together. */
export async function insertCaregiver(tx: Queryable, scope: Scope, c: NewCaregiver): Promise<Caregiver> {
  try {
    const r = await tx.query<{ id: string }>(
      'INSERT INTO caregivers (name, phone, wearable_id, role, skills) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id',
      [c.name, c.phone, c.wearableId, c.role, JSON.stringify(c.skills ?? [])],
    );
    const id = r.rows[0]!.id;
    await setAreas(tx, scope, id, c.areaIds);
    return (await getCaregiver(tx, CENTRE_WIDE, id))!;
  } catch (err) {
    throw mapWriteError(err, c);
  }
}

/** Call inside a transaction. `areaIds`, when given, replaces the set inside `scope`. */
export async function updateCaregiver(tx: Queryable, scope: Scope, id: string, p: CaregiverPatch): Promise<Caregiver | undefined> {
  try {
    if (!(await getCaregiver(tx, scope, id))) return undefined;
    const r = await tx.query(
      `UPDATE caregivers SET
         name = COALESCE($2, name),
         phone = CASE WHEN $3::boolean THEN $4::text ELSE phone END,
         wearable_id = CASE WHEN $5::boolean THEN $6::text ELSE wearable_id END,
         role = COALESCE($7, role),
         skills = COALESCE($8::jsonb, skills),
         updated_at = now()
       WHERE id = $1`,
      [id, p.name ?? null, p.phone !== undefined, p.phone ?? null, p.wearableId !== undefined, p.wearableId ?? null, p.role ?? null,
        p.skills === undefined ? null : JSON.stringify(p.skills)],
    );
    if (r.rowCount === 0) return undefined;
    if (p.areaIds !== undefined) await setAreas(tx, scope, id, p.areaIds);
    return await getCaregiver(tx, CENTRE_WIDE, id);
  } catch (err) {
    throw mapWriteError(err, p);
  }
}

/** Their shifts, area assignments and login (if any) go with them (ON DELETE CASCADE). */
export async function deleteCaregiver(q: Queryable, scope: Scope, id: string): Promise<void> {
  let deleted: number;
  const params: unknown[] = [id];
  try {
    deleted = (await q.query(`DELETE FROM caregivers c WHERE c.id = $1 AND ${caregiverInScope(scope, 'c.id', params)}`, params)).rowCount;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ConflictError(`caregiver ${id} is still referenced by recorded alarms or history`);
    throw err;
  }
  if (deleted === 0) throw new NotFoundError('caregiver', id);
}

/** Inside a transaction: locks the caregiver row (serialising their shift changes); false if missing or outside `scope`. */
export async function lockCaregiver(tx: Queryable, scope: Scope, id: string): Promise<boolean> {
  const params: unknown[] = [id];
  return (await tx.query(`SELECT 1 FROM caregivers c WHERE c.id = $1 AND ${caregiverInScope(scope, 'c.id', params)} FOR UPDATE OF c`, params)).rowCount > 0;
}
