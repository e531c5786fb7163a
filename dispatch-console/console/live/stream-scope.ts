import type { CaregiverStatus, DeviceStatus } from '../../../contract/console-stream.ts';
import type { DispatchDirectory } from '../../dispatcher/directory.ts';
import type { AuthUser } from '../auth.ts';

type Viewer = Pick<AuthUser, 'scope'>;

/**
 * The live stream's side of the area scope (db/scope.ts is the queries' side, with the same
 * rules): which messages a console bound to an area may receive. Decided from the
 * directory's area tree in memory, so a broadcast costs no database read per console.
 */
export class StreamScope {
  constructor(private readonly directory: Pick<DispatchDirectory, 'areaPath' | 'caregiver'>) {}

  /** `areaId` is the scope's root or below it; a record with no area only centre-wide. */
  area(user: Viewer, areaId: string | null): boolean {
    const root = user.scope.areaId;
    if (root === null) return true;
    return areaId !== null && this.directory.areaPath(areaId).includes(root);
  }

  /** A caregiver is inside when any area they cover is. */
  caregiver(user: Viewer, c: Pick<CaregiverStatus, 'areaIds'>): boolean {
    return user.scope.areaId === null || c.areaIds.some((a) => this.area(user, a));
  }

  /** A resident's device by the resident's area, a wearable by its caregiver; stock by anyone (as in db/scope.ts). */
  device(user: Viewer, d: Pick<DeviceStatus, 'areaId' | 'residentId' | 'caregiverId'>): boolean {
    if (user.scope.areaId === null) return true;
    if (d.residentId !== null) return this.area(user, d.areaId);
    if (d.caregiverId === null) return true;
    const c = this.directory.caregiver(d.caregiverId);
    return c !== undefined && this.caregiver(user, { areaIds: [...c.areaIds] });
  }
}
