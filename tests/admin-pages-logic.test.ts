// The administration pages' pure helpers (dispatch-console/web/src/views/setup), run in Node.
import { describe, expect, it } from 'vitest';
import type { AreaRow, ResidentRow } from '../dispatch-console/web/src/views/setup/admin-types.ts';
import { areaChoices, areaPath, childKind, parentKind, treeOrder } from '../dispatch-console/web/src/views/setup/area-tree.ts';
import { residentMatches } from '../dispatch-console/web/src/views/setup/resident-filter.ts';

const area = (id: string, name: string, kind: AreaRow['kind'], parentId: string | null): AreaRow => ({ id, name, kind, parentId });
const AREAS = [
  area('g2', 'Grid 2', 'grid', 'c1'),
  area('c1', 'Jade Garden', 'community', 's1'),
  area('s1', 'Financial St', 'street', 'd1'),
  area('g1', 'Grid 1', 'grid', 'c1'),
  area('d1', 'Xicheng', 'district', null),
  area('c2', 'Apple Court', 'community', 's1'),
];

describe('the area tree on the page', () => {
  it('orders areas top-down, each after its parent, siblings by name, with depths', () => {
    expect(treeOrder(AREAS).map(({ area: a, depth }) => `${depth}:${a.name}`)).toEqual([
      '0:Xicheng',
      '1:Financial St',
      '2:Apple Court',
      '2:Jade Garden',
      '3:Grid 1',
      '3:Grid 2',
    ]);
  });
  it('treats an area whose parent is out of sight (a login bound to a street) as a root', () => {
    const seen = AREAS.filter((a) => a.id !== 'd1');
    expect(treeOrder(seen)[0]).toEqual({ area: AREAS[2], depth: 0 });
    expect(areaPath(seen, 'g1')).toBe('Financial St / Jade Garden / Grid 1');
  });
  it('names an area by its path and offers the areas of one kind', () => {
    expect(areaPath(AREAS, 'g2')).toBe('Xicheng / Financial St / Jade Garden / Grid 2');
    expect(areaPath(AREAS, null)).toBe('');
    expect(areaPath(AREAS, 'missing')).toBe('');
    expect(areaChoices(AREAS, 'grid')).toEqual([
      { id: 'g1', label: 'Xicheng / Financial St / Jade Garden / Grid 1' },
      { id: 'g2', label: 'Xicheng / Financial St / Jade Garden / Grid 2' },
    ]);
    expect(areaChoices(AREAS)).toHaveLength(6);
  });
  it('knows the kind one level down and up', () => {
    expect(childKind('district')).toBe('street');
    expect(childKind('community')).toBe('grid');
    expect(childKind('grid')).toBeUndefined();
    expect(parentKind('grid')).toBe('community');
    expect(parentKind('district')).toBeUndefined();
  });
});

describe("the residents list's filter", () => {
  const r = { name: 'Huang Xueying', address: '12 Jade Lane', phone: '+86 138-0000-0000' } as ResidentRow;
  it('matches name, address, grid and phone (digits ignoring spaces and dashes), case-insensitively', () => {
    expect(residentMatches(r, 'Grid 1', '')).toBe(true);
    expect(residentMatches(r, 'Grid 1', 'huang')).toBe(true);
    expect(residentMatches(r, 'Grid 1', 'jade lane')).toBe(true);
    expect(residentMatches(r, 'Xicheng / Grid 1', 'grid 1')).toBe(true);
    expect(residentMatches(r, 'Grid 1', '13800000')).toBe(true);
    expect(residentMatches(r, 'Grid 1', 'Wang')).toBe(false);
    expect(residentMatches(r, 'Grid 1', '99')).toBe(false);
  });
});
