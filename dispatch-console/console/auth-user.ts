import type { StaffRole } from '../../db/queries/users.ts';
import type { Scope } from '../../db/scope.ts';

/** The signed-in staff member of a request or a live stream (auth.ts finds them by token). */
export interface AuthUser {
  id: string;
  username: string;
  role: StaffRole;
  caregiverId: string | null;
  /** The area the login is bound to (null: the whole centre). */
  areaId: string | null;
  /** What every read on this user's behalf may see: `areaId`'s subtree. */
  scope: Scope;
}
