import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Absence, AbsenceReason } from '../../contract/duty.ts';
import { caregiverInScope, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isCheckViolation, isForeignKeyViolation } from './db-errors.ts';

const COLUMNS = `id, caregiver_id AS "caregiverId", starts_at AS "start", ends_at AS "end", reason, created_at AS "createdAt"`;

const iso = (d: Date | undefined) => (d === undefined ? null : d.toISOString());

/** Absences of caregivers inside `scope`; `from`/`to`: those overlapping that window. */
export async function listAbsences(q: Queryable, scope: Scope, f: { caregiverId?: string | undefined; from?: Date | undefined; to?: Date | undefined }): Promise<Absence[]> {
  const params: unknown[] = [f.caregiverId ?? null, iso(f.from), iso(f.to)];
  const r = await q.query<Absence>(
    `SELECT ${COLUMNS} FROM absences
      WHERE ($1::uuid IS NULL OR caregiver_id = $1::uuid)
        AND ($2::timestamptz IS NULL OR ends_at > $2::timestamptz)
        AND ($3::timestamptz IS NULL OR starts_at < $3::timestamptz)
        AND ${caregiverInScope(scope, 'absences.caregiver_id', params)}
      ORDER BY starts_at, id`,
    params,
  );
  return r.rows;
}

export async function insertAbsence(q: Queryable, a: { caregiverId: string; start: Date; end: Date; reason: AbsenceReason }): Promise<Absence> {
  try {
    const r = await q.query<Absence>(
      `INSERT INTO absences (caregiver_id, starts_at, ends_at, reason) VALUES ($1, $2::timestamptz, $3::timestamptz, $4) RETURNING ${COLUMNS}`,
      [a.caregiverId, a.start.toISOString(), a.end.toISOString(), a.reason],
    );
    return r.rows[0]!;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`caregiverId: caregiver ${a.caregiverId} does not exist`);
    if (isCheckViolation(err)) throw new ValidationError('an absence must end after it starts and have a known reason');
    throw err;
  }
}

/** Deletes an absence inside `scope`; answers its caregiver. */
export async function deleteAbsence(q: Queryable, scope: Scope, id: string): Promise<string> {
  const params: unknown[] = [id];
  const r = await q.query<{ caregiverId: string }>(
    `DELETE FROM absences WHERE id = $1 AND ${caregiverInScope(scope, 'absences.caregiver_id', params)} RETURNING caregiver_id AS "caregiverId"`,
    params,
  );
  if (r.rows.length === 0) throw new NotFoundError('absence', id);
  return r.rows[0]!.caregiverId;
}
