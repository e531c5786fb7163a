import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Rota, WeekDay } from '../../contract/duty.ts';
import { caregiverInScope, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isCheckViolation, isForeignKeyViolation } from './db-errors.ts';

// dates as text: pg would turn a `date` into a Date at local midnight, a day off east or west
const COLUMNS = `id, caregiver_id AS "caregiverId", days, start_time AS "start", end_time AS "end",
  valid_from::text AS "from", valid_until::text AS "until", created_at AS "createdAt"`;

export interface RotaFields {
  days: WeekDay[];
  start: string;
  end: string;
  from: string;
  until: string | null;
}

/** Rotas of caregivers inside `scope`, by caregiver and earliest validity. */
export async function listRotas(q: Queryable, scope: Scope, f: { caregiverId?: string | undefined }): Promise<Rota[]> {
  const params: unknown[] = [f.caregiverId ?? null];
  const r = await q.query<Rota>(
    `SELECT ${COLUMNS} FROM rotas
      WHERE ($1::uuid IS NULL OR caregiver_id = $1::uuid) AND ${caregiverInScope(scope, 'rotas.caregiver_id', params)}
      ORDER BY caregiver_id, valid_from, start_time, id`,
    params,
  );
  return r.rows;
}

/** `lock`: FOR UPDATE, for a read-modify-write. */
export async function getRota(q: Queryable, scope: Scope, id: string, lock = false): Promise<Rota | undefined> {
  const params: unknown[] = [id];
  const r = await q.query<Rota>(
    `SELECT ${COLUMNS} FROM rotas WHERE id = $1 AND ${caregiverInScope(scope, 'rotas.caregiver_id', params)}${lock ? ' FOR UPDATE' : ''}`,
    params,
  );
  return r.rows[0];
}

function refused(err: unknown, caregiverId: string): never {
  if (isForeignKeyViolation(err)) throw new ValidationError(`caregiverId: caregiver ${caregiverId} does not exist`);
  if (isCheckViolation(err)) throw new ValidationError('a rota needs 1-7 distinct days, HH:MM times and until on or after from');
  throw err;
}

export async function insertRota(q: Queryable, caregiverId: string, r: RotaFields): Promise<Rota> {
  try {
    const res = await q.query<Rota>(
      `INSERT INTO rotas (caregiver_id, days, start_time, end_time, valid_from, valid_until)
       VALUES ($1, $2::text[], $3, $4, $5::date, $6::date) RETURNING ${COLUMNS}`,
      [caregiverId, r.days, r.start, r.end, r.from, r.until],
    );
    return res.rows[0]!;
  } catch (err) {
    refused(err, caregiverId);
  }
}

export async function updateRota(q: Queryable, id: string, caregiverId: string, r: RotaFields): Promise<Rota> {
  try {
    const res = await q.query<Rota>(
      `UPDATE rotas SET days = $2::text[], start_time = $3, end_time = $4, valid_from = $5::date, valid_until = $6::date, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, r.days, r.start, r.end, r.from, r.until],
    );
    return res.rows[0]!;
  } catch (err) {
    refused(err, caregiverId);
  }
}

/** Deletes a rota inside `scope`; answers its caregiver. */
export async function deleteRota(q: Queryable, scope: Scope, id: string): Promise<string> {
  const params: unknown[] = [id];
  const r = await q.query<{ caregiverId: string }>(
    `DELETE FROM rotas WHERE id = $1 AND ${caregiverInScope(scope, 'rotas.caregiver_id', params)} RETURNING caregiver_id AS "caregiverId"`,
    params,
  );
  if (r.rows.length === 0) throw new NotFoundError('rota', id);
  return r.rows[0]!.caregiverId;
}
