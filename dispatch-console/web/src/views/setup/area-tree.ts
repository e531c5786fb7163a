import { areaKinds, type AreaKind, type AreaRow } from './admin-types.ts';

/** The kind one level below (a grid has none). */
export const childKind = (kind: AreaKind): AreaKind | undefined => areaKinds[areaKinds.indexOf(kind) + 1];
/** The kind one level above (a district has none). */
export const parentKind = (kind: AreaKind): AreaKind | undefined => (kind === 'district' ? undefined : areaKinds[areaKinds.indexOf(kind) - 1]);

const byName = (a: AreaRow, b: AreaRow) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * The areas top-down, each after its parent, with its depth. An area whose parent is not in the
 * list (a login bound to a street sees no district) is a root.
 */
export function treeOrder(areas: readonly AreaRow[]): Array<{ area: AreaRow; depth: number }> {
  const ids = new Set(areas.map((a) => a.id));
  const children = new Map<string | null, AreaRow[]>();
  for (const a of areas) {
    const key = a.parentId !== null && ids.has(a.parentId) ? a.parentId : null;
    children.set(key, [...(children.get(key) ?? []), a]);
  }
  const out: Array<{ area: AreaRow; depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const a of [...(children.get(parent) ?? [])].sort(byName)) {
      out.push({ area: a, depth });
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** "Xicheng / Financial St / Jade Garden / Grid 1": the names from the top to this area. */
export function areaPath(areas: readonly AreaRow[], id: string | null): string {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const names: string[] = [];
  for (let a = id === null ? undefined : byId.get(id); a && names.length < 8; a = a.parentId === null ? undefined : byId.get(a.parentId)) names.unshift(a.name);
  return names.join(' / ');
}

/** The areas of one kind with their paths, in tree order (for selects). */
export function areaChoices(areas: readonly AreaRow[], kind?: AreaKind): Array<{ id: string; label: string }> {
  return treeOrder(areas)
    .filter(({ area }) => kind === undefined || area.kind === kind)
    .map(({ area }) => ({ id: area.id, label: areaPath(areas, area.id) }));
}
