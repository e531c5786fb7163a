import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { CENTRE_WIDE, scopeSql, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.ts';

export const staffRoles = ['admin', 'operator', 'caregiver'] as const;
export const staffRoleSchema = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRoleSchema>;

/** A staff login as the API shows it: never the password hash. */
export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: staffRoleSchema,
  caregiverId: z.string().nullable(),
  /** The area the login sees and acts in (null: the whole centre). */
  areaId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.date(),
});
export type User = z.infer<typeof userSchema>;
export type UserWithHash = User & { passwordHash: string };

const COLUMNS = `id, username, role, caregiver_id AS "caregiverId", area_id AS "areaId", disabled, created_at AS "createdAt"`;

/** Logins bound to an area inside `scope` (a centre-wide login is seen only centre-wide). */
export async function listUsers(q: Queryable, scope: Scope): Promise<User[]> {
  const params: unknown[] = [];
  return (await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE ${scopeSql(scope, 'area_id', params)} ORDER BY username`, params)).rows;
}

export async function getUser(q: Queryable, scope: Scope, id: string): Promise<User | undefined> {
  const params: unknown[] = [id];
  return (await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1 AND ${scopeSql(scope, 'area_id', params)}`, params)).rows[0];
}

/** Binds a login to an area (null: the whole centre). */
export async function setUserArea(q: Queryable, id: string, areaId: string | null): Promise<User> {
  try {
    const r = await q.query<User>(`UPDATE users SET area_id = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, areaId]);
    if (!r.rows[0]) throw new NotFoundError('user', id);
    return r.rows[0];
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`area ${areaId} does not exist`);
    throw err;
  }
}

/** For login only. */
export async function getUserByUsername(q: Queryable, username: string): Promise<UserWithHash | undefined> {
  const r = await q.query<UserWithHash>(
    `SELECT ${COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`,
    [username],
  );
  return r.rows[0];
}

/** The oldest enabled admin, if there is one. */
export async function firstAdmin(q: Queryable): Promise<User | undefined> {
  const r = await q.query<User>(
    `SELECT ${COLUMNS} FROM users WHERE role = 'admin' AND NOT disabled ORDER BY created_at, id LIMIT 1`,
  );
  return r.rows[0];
}

export async function insertUser(
  q: Queryable,
  u: { username: string; passwordHash: string; role: StaffRole; caregiverId: string | null; areaId?: string | null },
): Promise<User> {
  try {
    const r = await q.query<User>(
      `INSERT INTO users (username, password_hash, role, caregiver_id, area_id) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [u.username, u.passwordHash, u.role, u.caregiverId, u.areaId ?? null],
    );
    return r.rows[0]!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`username ${u.username} is already taken`);
    if (isForeignKeyViolation(err)) throw new ValidationError(`caregiver ${u.caregiverId} or area ${u.areaId ?? null} does not exist`);
    throw err;
  }
}

/**
 * Deletes a login (its sessions go with it) unless it is the last enabled admin: the centre
 * must never lock itself out. The check and the delete are one statement.
 */
export async function deleteUser(q: Queryable, id: string): Promise<void> {
  const r = await q.query<{ deleted: boolean; found: boolean }>(
    `WITH target AS (SELECT id, role, disabled FROM users WHERE id = $1),
          gone AS (
            DELETE FROM users u USING target t
             WHERE u.id = t.id
               AND (t.role <> 'admin' OR t.disabled
                    OR (SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> t.id) > 0)
            RETURNING u.id)
     SELECT EXISTS (SELECT 1 FROM gone) AS deleted, EXISTS (SELECT 1 FROM target) AS found`,
    [id],
  );
  const row = r.rows[0]!;
  if (!row.found) throw new NotFoundError('user', id);
  if (!row.deleted) throw new ConflictError('cannot delete the last admin; create another admin first');
}

/**
 * Disables or re-enables a login, unless that would leave no enabled admin (one statement,
 * like deleteUser). Returns the login as it now is.
 */
export async function setUserDisabled(q: Queryable, id: string, disabled: boolean): Promise<User> {
  const r = await q.query<User & { updated: boolean }>(
    `WITH target AS (SELECT id, role FROM users WHERE id = $1),
          changed AS (
            UPDATE users u SET disabled = $2 FROM target t
             WHERE u.id = t.id
               AND (NOT $2 OR t.role <> 'admin'
                    OR (SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> t.id) > 0)
            RETURNING u.id)
     SELECT EXISTS (SELECT 1 FROM changed) AS updated, EXISTS (SELECT 1 FROM target) AS found`,
    [id, disabled],
  );
  const row = r.rows[0] as unknown as { updated: boolean; found: boolean };
  if (!row.found) throw new NotFoundError('user', id);
  if (!row.updated) throw new ConflictError('cannot disable the last enabled admin; create another admin first');
  return (await getUser(q, CENTRE_WIDE, id))!;
}

export async function setUserPassword(q: Queryable, id: string, passwordHash: string): Promise<User> {
  const r = await q.query<User>(`UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, passwordHash]);
  if (!r.rows[0]) throw new NotFoundError('user', id);
  return r.rows[0];
}
