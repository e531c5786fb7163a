import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { caregiverInScope, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isCheckViolation, isForeignKeyViolation } from './db-errors.ts';

export const shiftSchema = z.object({
  id: z.string(),
  caregiverId: z.string(),
  start: z.date(),
  end: z.date(),
  createdAt: z.date(),
});
export type Shift = z.infer<typeof shiftSchema>;

/**
 * `at`: on duty at that instant. `from`/`to`: overlapping that window. With none of the
 * three, the shifts that have not ended yet (`now`).
 */
export interface ShiftFilter {
  caregiverId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  at?: Date | undefined;
}

const COLUMNS = `id, caregiver_id AS "caregiverId", starts_at AS "start", ends_at AS "end", created_at AS "createdAt"`;

const iso = (d: Date | undefined) => (d === undefined ? null : d.toISOString());

/** Shifts of caregivers inside `scope`. */
export async function listShifts(q: Queryable, scope: Scope, f: ShiftFilter, now: Date = new Date()): Promise<Shift[]> {
  const from = f.from === undefined && f.to === undefined && f.at === undefined ? now : f.from;
  const params: unknown[] = [f.caregiverId ?? null, iso(from), iso(f.to), iso(f.at)];
  const r = await q.query<Shift>(
    `SELECT ${COLUMNS} FROM shifts
      WHERE ($1::uuid IS NULL OR caregiver_id = $1::uuid)
        AND ($2::timestamptz IS NULL OR ends_at > $2::timestamptz)
        AND ($3::timestamptz IS NULL OR starts_at < $3::timestamptz)
        AND ($4::timestamptz IS NULL OR (starts_at <= $4::timestamptz AND ends_at > $4::timestamptz))
        AND ${caregiverInScope(scope, 'shifts.caregiver_id', params)}
      ORDER BY starts_at, id`,
    params,
  );
  return r.rows;
}

export async function getShift(q: Queryable, scope: Scope, id: string): Promise<Shift | undefined> {
  const params: unknown[] = [id];
  return (await q.query<Shift>(`SELECT ${COLUMNS} FROM shifts WHERE id = $1 AND ${caregiverInScope(scope, 'shifts.caregiver_id', params)}`, params)).rows[0];
}

/** A caregiver's shift overlapping [start, end), if any: nobody works two shifts at once. */
export async function findOverlappingShift(q: Queryable, caregiverId: string, start: Date, end: Date): Promise<Shift | undefined> {
  const r = await q.query<Shift>(
    `SELECT ${COLUMNS} FROM shifts
      WHERE caregiver_id = $1 AND starts_at < $3::timestamptz AND ends_at > $2::timestamptz
      ORDER BY starts_at LIMIT 1`,
    [caregiverId, start.toISOString(), end.toISOString()],
  );
  return r.rows[0];
}

export async function insertShift(q: Queryable, s: { caregiverId: string; start: Date; end: Date }): Promise<Shift> {
  try {
    const r = await q.query<Shift>(
      `INSERT INTO shifts (caregiver_id, starts_at, ends_at) VALUES ($1, $2::timestamptz, $3::timestamptz) RETURNING ${COLUMNS}`,
      [s.caregiverId, s.start.toISOString(), s.end.toISOString()],
    );
    return r.rows[0]!;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`caregiver ${s.caregiverId} does not exist`);
    if (isCheckViolation(err)) throw new ValidationError('a shift must end after it starts');
    throw err;
  }
}

export async function deleteShift(q: Queryable, scope: Scope, id: string): Promise<void> {
  let deleted: number;
  const params: unknown[] = [id];
  try {
    deleted = (await q.query(`DELETE FROM shifts WHERE id = $1 AND ${caregiverInScope(scope, 'shifts.caregiver_id', params)}`, params)).rowCount;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ConflictError(`shift ${id} is still referenced`);
    throw err;
  }
  if (deleted === 0) throw new NotFoundError('shift', id);
}
