import { GAP_HORIZON_DAYS, type CoverageGap, type OnDutyGrid } from '../../contract/duty.ts';
import { loadDutyRows } from '../../db/queries/dispatch-directory.ts';
import { loadDutyAreas, loadDutyPeople, type DutyArea } from '../../db/queries/on-duty.ts';
import { CENTRE_WIDE, type Scope } from '../../db/scope.ts';
import type { Queryable } from '../../db/types.ts';
import { coverageGaps, covers, dutyIntervals, onDutyByGrid, type DutyIntervals, type GridInfo } from '../core/duty-rules.ts';
import type { DispatchDirectory } from '../dispatcher/directory.ts';

/**
 * GET /api/on-duty and the gaps a duty write leaves, answered by the same pure rules as
 * routing: from the dispatcher's expanded roster while the time lies in its window (so the
 * answer is exactly what routing uses), else expanded here from the same rows.
 */
export interface DutyContext {
  db: Queryable;
  /** The dispatcher's directory, when this process runs one. */
  directory?: DispatchDirectory | undefined;
  /** Without a directory: the zone rotas are read in (default the process zone, TZ). */
  timeZone?: string | undefined;
}

const DAY_MS = 86_400_000;

export const dutyTimeZone = (ctx: DutyContext) => ctx.directory?.timeZone ?? ctx.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
export const dutyNow = (ctx: DutyContext) => ctx.directory?.now() ?? new Date();

/** Grids inside the scope with their paths (grid first, then upward), by name. */
function gridsOf(areas: readonly DutyArea[]): GridInfo[] {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const grids = areas.filter((a) => a.kind === 'grid' && a.inScope);
  return grids
    .map((g) => {
      const path: string[] = [];
      for (let a: DutyArea | undefined = g; a && path.length < 16; a = a.parentId ? byId.get(a.parentId) : undefined) path.push(a.id);
      return { areaId: g.id, name: g.name, path };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || (a.areaId < b.areaId ? -1 : 1));
}

async function expand(ctx: DutyContext, from: Date, to: Date, caregiverIds: readonly string[] | null): Promise<DutyIntervals> {
  const rows = await loadDutyRows(ctx.db, from, to, caregiverIds);
  return dutyIntervals({ ...rows, timeZone: dutyTimeZone(ctx), from, to });
}

/** Who is on duty at `at`, per grid in the scope; a grid nobody covers answers an empty list. */
export async function onDutyAnswer(ctx: DutyContext, scope: Scope, at: Date): Promise<OnDutyGrid[]> {
  const grids = gridsOf(await loadDutyAreas(ctx.db, scope));
  const people = await loadDutyPeople(ctx.db, scope);
  const dir = ctx.directory;
  // the window the dispatcher loads: the same expansion whichever side of it `at` lies
  const intervals = dir?.roster.holds(at) ? dir.roster.intervals : await expand(ctx, new Date(at.getTime() - 3600_000), new Date(at.getTime() + DAY_MS), null);
  const online = (p: (typeof people)[number]) => (dir && p.wearableId ? dir.isWearableOnline(p.wearableId) : p.wearableOnline);
  return onDutyByGrid(grids, people.map((p) => ({ ...p, wearableOnline: online(p) })), intervals, at);
}

/**
 * After a change to a caregiver's duty: the windows in the next GAP_HORIZON_DAYS where a grid
 * they cover (inside the scope) has nobody on duty. Everyone covering counts, in scope or not
 * (a colleague assigned higher up still answers), but only the scope's grids are named.
 */
export async function gapsAfterChange(ctx: DutyContext, scope: Scope, caregiverId: string): Promise<CoverageGap[]> {
  const from = dutyNow(ctx);
  const to = new Date(from.getTime() + GAP_HORIZON_DAYS * DAY_MS);
  const everyone = await loadDutyPeople(ctx.db, CENTRE_WIDE);
  const me = everyone.find((p) => p.id === caregiverId);
  if (!me) return [];
  const grids = gridsOf(await loadDutyAreas(ctx.db, scope)).filter((g) => covers(me, g));
  if (grids.length === 0) return [];
  const coverers = everyone.filter((p) => grids.some((g) => covers(p, g)));
  const intervals = await expand(ctx, from, to, coverers.map((p) => p.id));
  return coverageGaps(grids, coverers, intervals, from, to);
}
