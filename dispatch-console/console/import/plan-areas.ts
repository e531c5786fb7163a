import { areaKinds } from '../../../db/queries/areas.ts';
import type { KnownArea, NewArea } from '../../../db/queries/import.ts';

/**
 * Resolves "District/Street/Community/Grid" paths against the area tree, pure. Missing areas
 * along a path are planned for creation (a centre moving in brings its own tree), but only
 * inside the login's area: a login bound to a community may add grids under it, never a new
 * district. A name twice under one parent cannot be told apart: that path is refused.
 */
export class AreaResolver {
  private readonly children = new Map<string | null, KnownArea[]>();
  private readonly inside = new Set<string>();
  private readonly planned = new Map<string, NewArea>();

  constructor(
    areas: readonly KnownArea[],
    private readonly scopeRoot: string | null,
    /** The id a new area at this path gets (the same for the same path on every call). */
    private readonly newId: (path: string) => string,
  ) {
    for (const a of areas) this.children.set(a.parentId, [...(this.children.get(a.parentId) ?? []), a]);
    if (scopeRoot !== null) {
      const walk = (id: string) => {
        this.inside.add(id);
        for (const c of this.children.get(id) ?? []) walk(c.id);
      };
      walk(scopeRoot);
    }
  }

  /** A login bound to an area (not the whole centre). */
  get scoped(): boolean {
    return this.scopeRoot !== null;
  }

  /** Whether an existing area is inside the login's subtree. */
  isInside(areaId: string): boolean {
    return this.scopeRoot === null || this.inside.has(areaId);
  }

  /** The area at the end of `path` (existing or planned), or why there is none. */
  resolve(path: readonly string[]): { id: string } | { reason: string } {
    let parent: string | null = null;
    let parentNew = false;
    for (let depth = 0; depth < path.length; depth++) {
      const name = path[depth]!;
      const key = path.slice(0, depth + 1).join('/');
      const existing: KnownArea[] = parentNew ? [] : (this.children.get(parent) ?? []).filter((a) => a.name === name);
      if (existing.length > 1) return { reason: `"${key}" is ambiguous: ${existing.length} areas have that name there` };
      const found = existing[0];
      if (found) {
        parent = found.id;
        continue;
      }
      // a new area: its parent must be inside the login's subtree (or new itself, hence inside)
      if (this.scopeRoot !== null && !(parentNew || (parent !== null && this.inside.has(parent)))) {
        return { reason: 'the path is outside your area' };
      }
      let planned = this.planned.get(key);
      if (!planned) {
        planned = { id: this.newId(key), name, kind: areaKinds[depth]!, parentId: parent, path: key };
        this.planned.set(key, planned);
      }
      parent = planned.id;
      parentNew = true;
    }
    if (parent === null) return { reason: 'the path is empty' };
    if (!parentNew && !this.isInside(parent)) return { reason: 'the path is outside your area' };
    return { id: parent };
  }

  /** Areas to create, parents before children. */
  newAreas(): NewArea[] {
    return [...this.planned.values()].sort((a, b) => areaKinds.indexOf(a.kind) - areaKinds.indexOf(b.kind));
  }
}
