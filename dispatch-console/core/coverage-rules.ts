import { isActive } from '../../contract/alarms.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import { resolvePolicy, type PolicyConfig } from '../../contract/escalation-policy.ts';
import { Effects, newAlarm, stateOf, SYSTEM, withState } from './alarm-state.ts';
import { coverageGaps, type DutyCaregiver, type DutyIntervals, type GridInfo } from './duty-rules.ts';
import { initialState, nextStep, stopEscalation } from './escalation.ts';

/**
 * Coverage assurance (DESIGN "Coverage and arrival"): a grid with residents and nobody on duty
 * now, or at some moment within the next hour, by the rota (rotas + shifts − absences, the
 * expansion routing uses) raises one `technical` `coverage.gap` alarm for the operators, before
 * any resident needs help; it resolves itself (`restored`, reason `covered`) once the gap is
 * covered. A grid with residents and no caregiver at all counts. A grid without residents
 * raises nothing: nobody there can go unanswered (the duty page still shows its gaps).
 */

/** How far ahead a gap raises the alarm. */
export const COVERAGE_LOOKAHEAD_MS = 60 * 60_000;
/**
 * How long a grid must be seen uncovered before the alarm opens: two sweeps in a row (15 s
 * apart), so a grid that is uncovered only while someone enters its resident and then its
 * rota, or swaps one rota for another, raises nothing.
 */
export const COVERAGE_CONFIRM_MS = 10_000;
/** How far the alarm looks to say until when the gap lasts (the directory's duty horizon is 24 h). */
export const COVERAGE_EXTENT_MS = 23 * 3600_000;

/** The device id a grid's coverage alarm is filed under (one active technical alarm per "device"). */
export const coverageDeviceId = (gridId: string) => `coverage:${gridId}`;

export interface CoverageGrid extends GridInfo {
  /** Residents living in the grid. */
  residents: number;
}

export interface OpenCoverageAlarm {
  alarmId: string;
  /** The grid (the alarm's area). */
  areaId: string | null;
}

export interface CoverageFacts {
  grids: readonly CoverageGrid[];
  caregivers: ReadonlyArray<Pick<DutyCaregiver, 'id' | 'areaIds'>>;
  intervals: DutyIntervals;
  /** The active coverage.gap alarms. */
  open: readonly OpenCoverageAlarm[];
  now: Date;
  /** Grids an earlier sweep saw uncovered, since when (the shell keeps this between sweeps). */
  uncoveredSince?: ReadonlyMap<string, Date>;
  lookaheadMs?: number;
  extentMs?: number;
  confirmMs?: number;
}

export type CoverageFinding =
  /** `from`–`until`: the first uncovered window (`until` at most now + extent); `coverers`: how many caregivers cover the grid at all. */
  | { action: 'open'; grid: CoverageGrid; from: Date; until: Date; coverers: number }
  | { action: 'resolve'; alarmId: string; areaId: string | null; reason: 'covered' | 'no_residents' };

/**
 * What to open and what to resolve now, and the grids uncovered now with since when (the next
 * sweep's `uncoveredSince`). Pure: the same facts give the same findings.
 */
export function coverageFindings(f: CoverageFacts): CoverageFinding[] & { uncovered: Map<string, Date> } {
  const lookahead = f.lookaheadMs ?? COVERAGE_LOOKAHEAD_MS;
  const end = new Date(f.now.getTime() + Math.max(lookahead, f.extentMs ?? COVERAGE_EXTENT_MS));
  const openByGrid = new Map<string, OpenCoverageAlarm[]>();
  for (const a of f.open) openByGrid.set(a.areaId ?? '', [...(openByGrid.get(a.areaId ?? '') ?? []), a]);
  const out = Object.assign([] as CoverageFinding[], { uncovered: new Map<string, Date>() });
  const confirm = f.confirmMs ?? COVERAGE_CONFIRM_MS;
  const watched = new Set<string>();
  for (const g of f.grids) {
    if (g.residents === 0) continue;
    watched.add(g.areaId);
    const coverers = f.caregivers.filter((c) => c.areaIds.some((a) => g.path.includes(a)));
    const gap = coverageGaps([g], coverers.map((c) => ({ ...c, name: c.id, wearableOnline: false })), f.intervals, f.now, end)[0];
    const uncovered = gap !== undefined && gap.from.getTime() < f.now.getTime() + lookahead;
    const open = openByGrid.get(g.areaId) ?? [];
    const since = uncovered ? (f.uncoveredSince?.get(g.areaId) ?? f.now) : undefined;
    if (since) out.uncovered.set(g.areaId, since);
    const confirmed = since !== undefined && f.now.getTime() - since.getTime() >= confirm;
    if (uncovered && confirmed && open.length === 0) out.push({ action: 'open', grid: g, from: gap.from, until: gap.to, coverers: coverers.length });
    // a second one (opened twice by a race) goes with the first once covered
    if (!uncovered) for (const a of open) out.push({ action: 'resolve', alarmId: a.alarmId, areaId: a.areaId, reason: 'covered' });
  }
  // the grid lost its residents (or its kind, or was removed): nothing left to cover
  for (const a of f.open) if (!watched.has(a.areaId ?? '')) out.push({ action: 'resolve', alarmId: a.alarmId, areaId: a.areaId, reason: 'no_residents' });
  return out;
}

/**
 * The alarm for a finding: technical, filed under the grid (area-scoped consoles see it), with
 * no resident, routed to the operators only (an empty pool: whatever caregiver steps a policy
 * override names are skipped; staffing the rota is the centre's to fix, not a caregiver's).
 */
export function openCoverageAlarm(o: {
  id: string;
  finding: Extract<CoverageFinding, { action: 'open' }>;
  eventId: string;
  policy: PolicyConfig;
  replyCode: string;
  now: Date;
  newId: () => string;
}): { alarm: AlarmRecord; effects: Effects } {
  const { grid, from, until, coverers } = o.finding;
  const policy = resolvePolicy(o.policy, 'technical', grid.path);
  const first = nextStep(policy, initialState(), { grid: [], community: [], supervisors: [], family: [] }, o.now);
  const base = newAlarm({ id: o.id, deviceId: coverageDeviceId(grid.areaId), kind: 'coverage.gap', priority: 'technical', raisedAt: o.now, resident: undefined, policy, replyCode: o.replyCode });
  const alarm = withState(
    { ...base, areaId: grid.areaId, resident: { ...base.resident, name: grid.name, grid: grid.name } },
    first.state,
    first.kind,
  );
  const fx = new Effects(alarm, o.newId);
  const data = { areaId: grid.areaId, grid: grid.name, from: from.toISOString(), until: until.toISOString(), coverers };
  fx.log('alarm.raised', SYSTEM, o.now, { deviceId: alarm.deviceId, eventId: o.eventId, type: 'coverage.gap', priority: 'technical', data });
  fx.step(first, o.now, () => null);
  return { alarm, effects: fx };
}

/** The gap is covered (or the grid has nobody to cover): resolved `restored`, `alarm.restored` says why. */
export function restoreCoverage(a: AlarmRecord, reason: 'covered' | 'no_residents', now: Date, newId: () => string): { alarm: AlarmRecord; effects: Effects } | undefined {
  if (!isActive(a.status) || a.kind !== 'coverage.gap') return undefined;
  const fx = new Effects(a, newId);
  fx.alarm = { ...withState(a, stopEscalation(stateOf(a))), status: 'resolved', closedAt: now, outcome: 'restored' };
  fx.log('alarm.restored', SYSTEM, now, { reason, areaId: a.areaId });
  // (no wrist to stop: the pool was empty, only the operators were called)
  if (a.acceptedBy) fx.busy.push({ caregiverId: a.acceptedBy, delta: -1 });
  return { alarm: fx.alarm, effects: fx };
}
