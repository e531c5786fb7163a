import { activeCoverageAlarms } from '../../db/queries/coverage.ts';
import type { Db } from '../../db/types.ts';
import type { PolicyConfig } from '../../contract/escalation-policy.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { Effects } from '../core/alarm-state.ts';
import {
  COVERAGE_EXTENT_MS,
  COVERAGE_LOOKAHEAD_MS,
  coverageDeviceId,
  coverageFindings,
  openCoverageAlarm,
  type CoverageGrid,
} from '../core/coverage-rules.ts';
import type { Trigger } from '../core/trigger.ts';
import { alarmIdFor } from './alarm-ids.ts';
import type { DispatchDirectory } from './directory.ts';

/** What the coverage sweep needs of the dispatcher: the paths every alarm takes. */
export interface CoverageHost {
  db: Db;
  directory: DispatchDirectory;
  policy: PolicyConfig;
  newReplyCode(): string;
  newId(): string;
  /** Opens the alarm as decided (written, then the console called, like any other). */
  open(t: Trigger, made: { alarm: AlarmRecord; effects: Effects }): Promise<void>;
  /** Resolves the alarm `restored` (under its row lock; nothing if it closed meanwhile). */
  restore(alarmId: string, reason: 'covered' | 'no_residents'): Promise<void>;
  /** Grids seen uncovered by this instance's last sweep, since when (read and replaced each sweep). */
  uncovered: Map<string, Date>;
}

/** Grids (areas of kind grid) with their paths up and how many residents live in each. */
export function coverageGrids(directory: DispatchDirectory): CoverageGrid[] {
  const areas = new Map(directory.allAreas().map((a) => [a.id, a]));
  const residents = directory.residentsByArea();
  return [...areas.values()]
    .filter((a) => a.kind === 'grid')
    .map((g) => ({ areaId: g.id, name: g.name, path: directory.areaPath(g.id), residents: residents.get(g.id) ?? 0 }));
}

/**
 * Coverage assurance, every 15 s (one instance, by lease) and on demand: feeds the pure rule
 * (coverage-rules.ts) the directory's expanded duty, the active coverage alarms and the grids the
 * last sweep saw uncovered, and carries out its findings. Idempotent: an open alarm is not opened
 * again; a covered one is resolved once. (Another instance taking the lease starts its own
 * "seen uncovered" from scratch: the alarm comes a sweep later, never twice.)
 */
export async function sweepCoverage(h: CoverageHost, now: Date): Promise<Record<string, number>> {
  let roster = h.directory.roster;
  // the duty known must reach past the hour looked at; else read it again (a stale directory)
  if (!roster.holds(now) || roster.to.getTime() - now.getTime() < COVERAGE_LOOKAHEAD_MS) {
    await h.directory.refresh(now);
    roster = h.directory.roster;
  }
  const findings = coverageFindings({
    grids: coverageGrids(h.directory),
    caregivers: h.directory.allCaregivers(),
    intervals: roster.intervals,
    open: await activeCoverageAlarms(h.db),
    now,
    uncoveredSince: h.uncovered,
    extentMs: Math.min(COVERAGE_EXTENT_MS, roster.to.getTime() - now.getTime()),
  });
  h.uncovered.clear();
  for (const [grid, since] of findings.uncovered) h.uncovered.set(grid, since);
  const counts = { opened: 0, restored: 0, uncovered: findings.uncovered.size };
  for (const f of findings) {
    if (f.action === 'resolve') {
      await h.restore(f.alarmId, f.reason);
      counts.restored++;
      continue;
    }
    const deviceId = coverageDeviceId(f.grid.areaId);
    const eventId = `gap:${now.toISOString()}`;
    const id = alarmIdFor(deviceId, eventId, 'coverage');
    const made = openCoverageAlarm({ id, finding: f, eventId, policy: h.policy, replyCode: h.newReplyCode(), now, newId: () => h.newId() });
    const t: Trigger = { deviceId, residentId: null, eventId, fingerprint: 'coverage', type: 'coverage.gap', data: {}, at: now };
    await h.open(t, made);
    counts.opened++;
  }
  return counts;
}
