import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { residentSchema, type Contact, type Resident } from '../../contract/residents.ts';
import type { ResidentSettings } from '../../contract/resident-settings.ts';
import { areaScope, scopeSql, type Scope } from '../scope.ts';
import type { Queryable, Row } from '../types.ts';
import { isForeignKeyViolation } from './db-errors.ts';

export type { Contact, Resident };

const toResident = (row: Row): Resident => residentSchema.parse(row);

export interface NewResident {
  name: string;
  areaId: string;
  address: string | null;
  phone: string | null;
  notes: string | null;
  /** Key safe code, door access; absent: none. */
  accessInfo?: string | null | undefined;
  contacts: Contact[];
  /** Rule settings overriding the centre's defaults; absent: none. */
  settings?: ResidentSettings | undefined;
}
export type ResidentPatch = { [K in keyof NewResident]?: NewResident[K] | undefined };

const COLUMNS = `id, name, area_id AS "areaId", address, phone, notes, access_info AS "accessInfo", contacts, settings,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Residents inside `scope`; `areaId` narrows to that area and below (a community lists all its grids). */
export async function listResidents(q: Queryable, scope: Scope, filter: { areaId?: string | undefined } = {}): Promise<Resident[]> {
  const params: unknown[] = [];
  const narrow = filter.areaId === undefined ? 'TRUE' : scopeSql(areaScope(filter.areaId), 'area_id', params);
  const r = await q.query(`SELECT ${COLUMNS} FROM residents WHERE ${scopeSql(scope, 'area_id', params)} AND ${narrow} ORDER BY name, id`, params);
  return r.rows.map(toResident);
}

/** `lock` (in a transaction): 'update' before changing the resident. */
export async function getResident(q: Queryable, scope: Scope, id: string, lock?: 'update'): Promise<Resident | undefined> {
  const params: unknown[] = [id];
  const suffix = lock === 'update' ? ' FOR UPDATE' : '';
  const row = (await q.query(`SELECT ${COLUMNS} FROM residents WHERE id = $1 AND ${scopeSql(scope, 'area_id', params)}${suffix}`, params)).rows[0];
  return row && toResident(row);
}

export async function insertResident(q: Queryable, r: NewResident): Promise<Resident> {
  try {
    const res = await q.query(
      `INSERT INTO residents (name, area_id, address, phone, notes, contacts, access_info, settings)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb) RETURNING ${COLUMNS}`,
      // jsonb goes over as JSON text: pg would otherwise send a JS array as a Postgres array
      [r.name, r.areaId, r.address, r.phone, r.notes, JSON.stringify(r.contacts), r.accessInfo ?? null, JSON.stringify(r.settings ?? {})],
    );
    return toResident(res.rows[0]!);
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`area ${r.areaId} does not exist`);
    throw err;
  }
}

/** Changes a resident inside `scope` (the scope is checked where they are now). */
export async function updateResident(q: Queryable, scope: Scope, id: string, p: ResidentPatch): Promise<Resident | undefined> {
  // For nullable columns a flag says "set", so that null can clear a value.
  const params: unknown[] = [
    id,
    p.name ?? null,
    p.areaId ?? null,
    p.address !== undefined,
    p.address ?? null,
    p.phone !== undefined,
    p.phone ?? null,
    p.notes !== undefined,
    p.notes ?? null,
    p.contacts === undefined ? null : JSON.stringify(p.contacts),
    p.accessInfo !== undefined,
    p.accessInfo ?? null,
    p.settings === undefined ? null : JSON.stringify(p.settings),
  ];
  try {
    const res = await q.query(
      `UPDATE residents SET
         name = COALESCE($2, name),
         area_id = COALESCE($3::uuid, area_id),
         address = CASE WHEN $4::boolean THEN $5::text ELSE address END,
         phone = CASE WHEN $6::boolean THEN $7::text ELSE phone END,
         notes = CASE WHEN $8::boolean THEN $9::text ELSE notes END,
         contacts = COALESCE($10::jsonb, contacts),
         access_info = CASE WHEN $11::boolean THEN $12::text ELSE access_info END,
         settings = COALESCE($13::jsonb, settings),
         updated_at = now()
       WHERE id = $1 AND ${scopeSql(scope, 'area_id', params)} RETURNING ${COLUMNS}`,
      params,
    );
    const row = res.rows[0];
    return row && toResident(row);
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`area ${p.areaId} does not exist`);
    throw err;
  }
}

/** Devices of the resident stay registered, unassigned (ON DELETE SET NULL). */
export async function deleteResident(q: Queryable, scope: Scope, id: string): Promise<void> {
  let deleted: number;
  const params: unknown[] = [id];
  try {
    deleted = (await q.query(`DELETE FROM residents WHERE id = $1 AND ${scopeSql(scope, 'area_id', params)}`, params)).rowCount;
  } catch (err) {
    // later tables (alarms, history) keep their residents
    if (isForeignKeyViolation(err)) throw new ConflictError(`resident ${id} is still referenced by recorded alarms or history`);
    throw err;
  }
  if (deleted === 0) throw new NotFoundError('resident', id);
}
