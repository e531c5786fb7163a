import type { AreaRow, GridOnDuty } from './duty-types.ts';

export interface OnDutyPerson {
  id: string;
  name: string;
}

/** One grid's row: per sampled instant, who is on duty ([] = nobody: a gap; undefined = not known yet). */
export interface DutyRow {
  areaId: string;
  name: string;
  /** District › street › community, for grids of the same name in different places. */
  place: string;
  cells: Array<OnDutyPerson[] | undefined>;
}

function placeOf(areaId: string, byId: ReadonlyMap<string, AreaRow>): string {
  const names: string[] = [];
  const seen = new Set<string>([areaId]);
  for (let cur = byId.get(byId.get(areaId)?.parentId ?? ''); cur && !seen.has(cur.id); cur = byId.get(cur.parentId ?? '')) {
    seen.add(cur.id);
    names.unshift(cur.name);
  }
  return names.join(' › ');
}

/**
 * The rows of the duty table from the answers of GET /api/on-duty at each sampled instant
 * (`undefined`: that answer has not come yet). Every grid any answer lists gets a row, ordered
 * by place and name; a grid an answer does not list is unknown at that instant, not a gap.
 */
export function dutyRows(answers: ReadonlyArray<GridOnDuty[] | undefined>, areas: readonly AreaRow[]): DutyRow[] {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const names = new Map<string, string>();
  for (const answer of answers) for (const g of answer ?? []) names.set(g.areaId, g.name);
  const rows = [...names].map(([areaId, name]): DutyRow => ({
    areaId,
    name,
    place: placeOf(areaId, byId),
    cells: answers.map((answer) => {
      const grid = answer?.find((g) => g.areaId === areaId);
      return grid ? grid.caregivers.map((c) => ({ id: c.id, name: c.name })).sort((a, b) => a.name.localeCompare(b.name)) : undefined;
    }),
  }));
  return rows.sort((a, b) => a.place.localeCompare(b.place) || a.name.localeCompare(b.name) || a.areaId.localeCompare(b.areaId));
}

/** Hours of a row with somebody on duty, and hours known. */
export function coveredHours(cells: ReadonlyArray<OnDutyPerson[] | undefined>): { covered: number; known: number } {
  const known = cells.filter((c) => c !== undefined);
  return { covered: known.filter((c) => c.length > 0).length, known: known.length };
}
