import type { Queryable } from '../types.ts';
import type { StaffRole } from './users.ts';

/** The staff member behind a bearer token. */
export type SessionUser = {
  userId: string;
  username: string;
  role: StaffRole;
  caregiverId: string | null;
  /** The area the login is bound to (null: the whole centre). */
  areaId: string | null;
  expiresAt: Date;
};

/** Only the token's digest is stored: a leaked table grants no logins. */
export async function insertSession(q: Queryable, s: { tokenHash: string; userId: string; expiresAt: Date }): Promise<void> {
  await q.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3::timestamptz)', [
    s.tokenHash,
    s.userId,
    s.expiresAt.toISOString(),
  ]);
}

/** The session's user, if the session exists and the user is enabled; expiry is the caller's check. */
export async function getSessionUser(q: Queryable, tokenHash: string): Promise<SessionUser | undefined> {
  const r = await q.query<SessionUser>(
    `SELECT u.id AS "userId", u.username, u.role, u.caregiver_id AS "caregiverId", u.area_id AS "areaId", s.expires_at AS "expiresAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND NOT u.disabled`,
    [tokenHash],
  );
  return r.rows[0];
}

export async function deleteSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}

/** Housekeeping; returns how many were removed. */
export async function deleteExpiredSessions(q: Queryable, now: Date): Promise<number> {
  return (await q.query('DELETE FROM sessions WHERE expires_at <= $1::timestamptz', [now.toISOString()])).rowCount;
}

/** Every session of a login (deactivated, password changed); returns how many ended. */
export async function deleteUserSessions(q: Queryable, userId: string): Promise<number> {
  return (await q.query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount;
}

/** The login a session token belongs to, whatever the state of the login. */
export async function sessionUserId(q: Queryable, tokenHash: string): Promise<string | undefined> {
  return (await q.query<{ userId: string }>('SELECT user_id AS "userId" FROM sessions WHERE token_hash = $1', [tokenHash])).rows[0]?.userId;
}
