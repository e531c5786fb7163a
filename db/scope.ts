/**
 * Which part of the centre a read may see (DESIGN: "Staff and their area"). Every query that a
 * signed-in user's request reaches takes a `Scope` as a required parameter and filters with
 * `scopeSql`, so no read can forget it; the dispatcher and other system paths pass
 * `CENTRE_WIDE` explicitly. A record outside the scope is simply not found (404).
 */
declare const scopeBrand: unique symbol;
export interface Scope {
  /** The root of the subtree, or null for the whole centre. */
  readonly areaId: string | null;
  readonly [scopeBrand]: true;
}

export const CENTRE_WIDE = Object.freeze({ areaId: null }) as Scope;

/** The scope of a login bound to `areaId` (null: the whole centre). */
export function areaScope(areaId: string | null): Scope {
  return areaId === null ? CENTRE_WIDE : (Object.freeze({ areaId }) as Scope);
}

/**
 * An SQL condition that holds when `areaColumn` names an area inside `scope`; appends its one
 * parameter to `params`. A NULL area (an unassigned device, a resident-less alarm) is inside
 * only the whole centre's scope.
 */
export function scopeSql(scope: Scope, areaColumn: string, params: unknown[]): string {
  if (scope.areaId === null) return 'TRUE';
  params.push(scope.areaId);
  return `${areaColumn} IN (SELECT area_subtree($${params.length}::uuid))`;
}

/**
 * A device is inside a scope when its resident lives there, or when it is the wearable of a
 * caregiver assigned there. Stock (no resident, worn by nobody) holds no one's data and is
 * visible to every login, so an area's staff can provision a pendant or a wearable and then
 * assign it. `d` is the devices alias.
 */
export function deviceInScope(scope: Scope, d: string, params: unknown[]): string {
  if (scope.areaId === null) return 'TRUE';
  return `((${d}.resident_id IS NULL AND NOT EXISTS (SELECT 1 FROM caregivers sw WHERE sw.wearable_id = ${d}.id))
        OR EXISTS (SELECT 1 FROM residents sr WHERE sr.id = ${d}.resident_id AND ${scopeSql(scope, 'sr.area_id', params)})
        OR EXISTS (SELECT 1 FROM caregivers sc JOIN caregiver_areas sca ON sca.caregiver_id = sc.id
                    WHERE sc.wearable_id = ${d}.id AND ${scopeSql(scope, 'sca.area_id', params)}))`;
}

/** A caregiver is inside a scope when any area they cover is. `caregiverId` is the column holding their id. */
export function caregiverInScope(scope: Scope, caregiverId: string, params: unknown[]): string {
  if (scope.areaId === null) return 'TRUE';
  return `EXISTS (SELECT 1 FROM caregiver_areas sca WHERE sca.caregiver_id = ${caregiverId} AND ${scopeSql(scope, 'sca.area_id', params)})`;
}
