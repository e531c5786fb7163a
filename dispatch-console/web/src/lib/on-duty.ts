import type { Alarm, Area, Caregiver } from '../types.ts';

export interface GridDuty {
  grid: Area;
  path: string;
  onDuty: Caregiver[];
  activeAlarms: number;
}

/** The area and every area above it (grid → community → street → district). */
function lineage(areaId: string | null, byId: ReadonlyMap<string, Area>): Set<string> {
  const out = new Set<string>();
  for (let cur = areaId ? byId.get(areaId) : undefined; cur && !out.has(cur.id); cur = cur.parentId ? byId.get(cur.parentId) : undefined) out.add(cur.id);
  if (areaId) out.add(areaId);
  return out;
}

const byName = (x: Caregiver, y: Caregiver) => Number(x.role === 'supervisor') - Number(y.role === 'supervisor') || x.name.localeCompare(y.name);

/** Does this caregiver answer for the area (it, or an area above it: a supervisor of the community)? */
export function covers(c: Caregiver, areaId: string | null, areas: readonly Area[]): boolean {
  if (areaId === null) return false;
  const up = lineage(areaId, new Map(areas.map((a) => [a.id, a])));
  return c.areaIds.some((id) => up.has(id));
}

/**
 * Whom the operator may hand an alarm to: those on duty for the alarm's grid (or above it)
 * first, then everyone else on duty; never whoever holds it now.
 */
export function reassignGroups(a: Alarm, caregivers: readonly Caregiver[], areas: readonly Area[]): { grid: Caregiver[]; others: Caregiver[] } {
  const up = lineage(a.areaId, new Map(areas.map((x) => [x.id, x])));
  const candidates = caregivers.filter((c) => c.onDuty && c.id !== a.acceptedBy);
  const mine = (c: Caregiver) => a.areaId !== null && c.areaIds.some((id) => up.has(id));
  return { grid: candidates.filter(mine).sort(byName), others: candidates.filter((c) => !mine(c)).sort(byName) };
}

/** Each grid with who is on duty there (grids nobody covers first). */
export function gridDuty(areas: readonly Area[], caregivers: readonly Caregiver[], activeAreaIds: ReadonlyArray<string | null>): GridDuty[] {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const pathOf = (a: Area): string => {
    const names: string[] = [];
    for (let cur: Area | undefined = a; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined) names.unshift(cur.name);
    return names.join(' › ');
  };
  return areas
    .filter((a) => a.kind === 'grid')
    .map((grid) => ({
      grid,
      path: pathOf(grid),
      onDuty: caregivers.filter((c) => c.onDuty && c.areaIds.includes(grid.id)).sort(byName),
      activeAlarms: activeAreaIds.filter((id) => id === grid.id).length,
    }))
    .sort((x, y) => Number(x.onDuty.length > 0) - Number(y.onDuty.length > 0) || x.path.localeCompare(y.path));
}

/**
 * On duty but under no grid of the panel: supervisors (who answer for a community or a street)
 * and anyone whose areas are not grids. Escalation reaches them, so the panel shows them too.
 */
export function dutyBeyondGrids(areas: readonly Area[], caregivers: readonly Caregiver[]): Caregiver[] {
  const grids = new Set(areas.filter((a) => a.kind === 'grid').map((a) => a.id));
  return caregivers.filter((c) => c.onDuty && (c.role === 'supervisor' || !c.areaIds.some((id) => grids.has(id)))).sort(byName);
}
