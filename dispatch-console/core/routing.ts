import type { Contact } from '../../contract/residents.ts';

/** Who can be asked to go: pure ranking and selection over plain directory data. */

export interface Candidate {
  caregiverId: string;
  name: string;
  role: 'caregiver' | 'supervisor';
  wearableId: string | null;
  wearableOnline: boolean;
  phone: string | null;
  /** Alarms this caregiver holds now (accepted or on site). */
  activeAlarms: number;
  /** Alerts this caregiver has not answered yet (open alarms whose current step asks them). */
  pendingAlerts?: number;
  /** The service kinds they do (a service order goes to those with its kind first). */
  skills?: readonly string[];
}

/** A resident's family contact (the contract's). */
export type FamilyContact = Contact;

/** Everyone on duty who could be asked, sorted into the circles escalation widens through. */
export interface RoutingPool {
  grid: Candidate[];
  community: Candidate[];
  supervisors: Candidate[];
  family: FamilyContact[];
}

export interface DirectoryCaregiver {
  id: string;
  name: string;
  role: 'caregiver' | 'supervisor';
  wearableId: string | null;
  phone: string | null;
  areaIds: readonly string[];
  /** Service kinds (contract serviceKinds) this caregiver does: meal, bathing, … */
  skills?: readonly string[] | undefined;
}

export interface RoutingInput {
  caregivers: readonly DirectoryCaregiver[];
  onDuty: ReadonlySet<string>;
  wearableOnline: (wearableId: string) => boolean;
  activeAlarms: (caregiverId: string) => number;
  pendingAlerts?: (caregiverId: string) => number;
  /** The resident's area and its ancestors, nearest first (grid, community, street, district). */
  areaPath: readonly string[];
  /** The community containing the grid, with all areas below it. */
  communityAreas: ReadonlySet<string>;
  family: readonly FamilyContact[];
}

/** Reachable now: a wearable that is online, or a phone for SMS. */
export const isReachable = (c: Candidate) => (c.wearableId !== null && c.wearableOnline) || c.phone !== null;

/**
 * Least busy first; anyone already handling an alarm goes last; then whoever has the fewest
 * alerts still waiting for an answer (in a burst, the first alerts spread over the grid
 * instead of all landing on one wrist); an online wrist before an SMS-only one; then by name
 * and id so the order is stable.
 */
export function rankCandidates(list: readonly Candidate[]): Candidate[] {
  return [...list].sort(
    (a, b) =>
      Number(a.activeAlarms > 0) - Number(b.activeAlarms > 0) ||
      a.activeAlarms - b.activeAlarms ||
      (a.pendingAlerts ?? 0) - (b.pendingAlerts ?? 0) ||
      Number(!(a.wearableId && a.wearableOnline)) - Number(!(b.wearableId && b.wearableOnline)) ||
      a.name.localeCompare(b.name) ||
      (a.caregiverId < b.caregiverId ? -1 : a.caregiverId > b.caregiverId ? 1 : 0),
  );
}

export function candidateOf(c: DirectoryCaregiver, wearableOnline: (id: string) => boolean, activeAlarms: number, pendingAlerts = 0): Candidate {
  return {
    pendingAlerts,
    caregiverId: c.id,
    name: c.name,
    role: c.role,
    wearableId: c.wearableId,
    wearableOnline: c.wearableId !== null && wearableOnline(c.wearableId),
    phone: c.phone,
    activeAlarms,
    ...(c.skills && c.skills.length > 0 && { skills: c.skills }),
  };
}

export function buildRoutingPool(input: RoutingInput): RoutingPool {
  const gridId = input.areaPath[0];
  const path = new Set(input.areaPath);
  const grid: Candidate[] = [];
  const community: Candidate[] = [];
  const supervisorsNear: Candidate[] = [];
  const supervisorsAll: Candidate[] = [];
  for (const c of input.caregivers) {
    if (!input.onDuty.has(c.id)) continue;
    const cand = candidateOf(c, input.wearableOnline, input.activeAlarms(c.id), input.pendingAlerts?.(c.id) ?? 0);
    const near = c.areaIds.some((a) => path.has(a) || input.communityAreas.has(a));
    if (c.role === 'supervisor') {
      supervisorsAll.push(cand);
      if (near) supervisorsNear.push(cand);
    } else if (gridId !== undefined && c.areaIds.includes(gridId)) grid.push(cand);
    else if (near) community.push(cand);
  }
  return {
    grid: rankCandidates(grid),
    community: rankCandidates(community),
    // the supervisors of this community, or else whoever supervises tonight
    supervisors: rankCandidates(supervisorsNear.length > 0 ? supervisorsNear : supervisorsAll),
    family: input.family.filter((f) => f.phone.trim() !== ''),
  };
}
