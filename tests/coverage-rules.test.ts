/**
 * Coverage assurance, table by table through the pure rule: which grids get a coverage.gap
 * alarm (nobody on duty now or within the hour), which open ones resolve, and the alarm itself.
 */
import { describe, expect, it } from 'vitest';
import {
  coverageFindings,
  openCoverageAlarm,
  restoreCoverage,
  type CoverageFinding,
  type CoverageGrid,
  type OpenCoverageAlarm,
} from '../dispatch-console/core/coverage-rules.ts';
import { dutyIntervals, type Interval } from '../dispatch-console/core/duty-rules.ts';

const NOW = new Date('2026-12-04T20:00:00.000Z');
const min = (m: number) => new Date(NOW.getTime() + m * 60_000);
const H24 = 23 * 60; // the extent the alarm reports (minutes)

const GRID: CoverageGrid = { areaId: 'grid-1', name: 'Grid 1', path: ['grid-1', 'comm-1'], residents: 3 };
const EMPTY: CoverageGrid = { areaId: 'grid-2', name: 'Grid 2', path: ['grid-2', 'comm-1'], residents: 0 };

type Duty = Record<string, Array<[number, number]>>; // caregiver → [from, to) in minutes from now
const intervalsOf = (d: Duty) => new Map(Object.entries(d).map(([id, list]) => [id, list.map(([s, e]): Interval => ({ start: min(s), end: min(e) }))]));

const li = { id: 'li', areaIds: ['grid-1'] };
const wang = { id: 'wang', areaIds: ['grid-1'] };
const boss = { id: 'boss', areaIds: ['comm-1'] }; // assigned above the grid: covers it
const far = { id: 'far', areaIds: ['grid-9'] };

const find = (duty: Duty, o: { grids?: CoverageGrid[]; caregivers?: Array<{ id: string; areaIds: string[] }>; open?: OpenCoverageAlarm[] } = {}) =>
  coverageFindings({ grids: o.grids ?? [GRID], caregivers: o.caregivers ?? [li, wang, boss, far], intervals: intervalsOf(duty), open: o.open ?? [], now: NOW, confirmMs: 0 });
const brief = (f: CoverageFinding[]) =>
  f.map((x) => (x.action === 'open' ? `open ${x.grid.areaId} ${(x.from.getTime() - NOW.getTime()) / 60_000}..${(x.until.getTime() - NOW.getTime()) / 60_000} (${x.coverers})` : `resolve ${x.alarmId} ${x.reason}`));

describe('which grids raise a coverage gap', () => {
  const cases: Array<[string, Duty, Parameters<typeof find>[1], string[]]> = [
    ['on duty for the next 8 hours', { li: [[-60, 480]] }, {}, []],
    ["the only caregiver's duty ends in 30 minutes", { li: [[-60, 30]] }, {}, [`open grid-1 30..${H24} (3)`]],
    ['ends in 59 minutes (inside the hour)', { li: [[-60, 59]] }, {}, [`open grid-1 59..${H24} (3)`]],
    ['ends in exactly 60 minutes (the hour is covered)', { li: [[-60, 60]] }, {}, []],
    ['a handover: Li until +30, Wang from +30', { li: [[-60, 30]], wang: [[30, 600]] }, {}, []],
    ['a 5-minute hole at +40', { li: [[-60, 40]], wang: [[45, 600]] }, {}, ['open grid-1 40..45 (3)']],
    ['nobody now, Wang from +20', { wang: [[20, 600]] }, {}, ['open grid-1 0..20 (3)']],
    ['only the supervisor assigned to the community is on duty', { boss: [[-60, 600]] }, {}, []],
    ['only a caregiver of another grid is on duty', { far: [[-60, 600]] }, {}, [`open grid-1 0..${H24} (3)`]],
    ['residents and no caregiver at all', {}, { caregivers: [] }, [`open grid-1 0..${H24} (0)`]],
    ['a grid without residents raises nothing', {}, { grids: [EMPTY] }, []],
    ['already open and still uncovered: not a second one', { li: [[-60, 30]] }, { open: [{ alarmId: 'a-1', areaId: 'grid-1' }] }, []],
    ['open and covered now: resolved', { li: [[-60, 30]], wang: [[0, 600]] }, { open: [{ alarmId: 'a-1', areaId: 'grid-1' }] }, ['resolve a-1 covered']],
    ['open for a grid that has no residents any more: resolved', {}, { grids: [EMPTY], open: [{ alarmId: 'a-2', areaId: 'grid-2' }] }, ['resolve a-2 no_residents']],
    ['open for an area that is gone: resolved', { li: [[-60, 600]] }, { open: [{ alarmId: 'a-3', areaId: 'grid-x' }] }, ['resolve a-3 no_residents']],
  ];
  it.each(cases)('%s', (_name, duty, o, expected) => {
    expect(brief(find(duty, o))).toEqual(expected);
  });

  it('from the rota as the directory expands it: a rota ending 30 minutes from now', () => {
    const intervals = dutyIntervals({
      rotas: [{ caregiverId: 'li', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '08:00', end: '20:30', from: '2026-01-01', until: null }],
      shifts: [],
      absences: [],
      timeZone: 'UTC',
      from: min(-60),
      to: min(24 * 60),
    });
    const f = coverageFindings({ grids: [GRID], caregivers: [li], intervals, open: [], now: NOW, confirmMs: 0 });
    // uncovered from 20:30 until 08:00 the next morning
    expect(brief(f)).toEqual([`open grid-1 30..${12 * 60} (1)`]);
    // an absence over the rest of her shift (until 23:00): uncovered from now to her next one at 08:00
    const away = dutyIntervals({
      rotas: [{ caregiverId: 'li', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '08:00', end: '23:00', from: '2026-01-01', until: null }],
      shifts: [],
      absences: [{ caregiverId: 'li', start: min(-10), end: min(180) }],
      timeZone: 'UTC',
      from: min(-60),
      to: min(24 * 60),
    });
    expect(brief(coverageFindings({ grids: [GRID], caregivers: [li], intervals: away, open: [], now: NOW, confirmMs: 0 }))).toEqual([`open grid-1 0..${12 * 60} (1)`]);
  });
});

describe('a gap must be seen at two sweeps in a row (COVERAGE_CONFIRM_MS)', () => {
  const sweep = (duty: Duty, now: Date, uncoveredSince?: Map<string, Date>) =>
    coverageFindings({ grids: [GRID], caregivers: [li, wang], intervals: intervalsOf(duty), open: [], now, ...(uncoveredSince && { uncoveredSince }) });
  const gap: Duty = { li: [[-60, 30]] };

  it('first seen: nothing opens, the grid is remembered; 10 s later still uncovered: it opens', () => {
    const first = sweep(gap, NOW);
    expect(brief(first)).toEqual([]);
    expect(first.uncovered).toEqual(new Map([['grid-1', NOW]]));
    const at9 = sweep(gap, new Date(NOW.getTime() + 9_999), first.uncovered);
    expect(brief(at9)).toEqual([]);
    const second = sweep(gap, new Date(NOW.getTime() + 15_000), first.uncovered);
    expect(second.map((x) => x.action)).toEqual(['open']);
    expect(second.uncovered.get('grid-1')).toEqual(NOW);
  });

  it('covered in between (a rota swapped for another): forgotten, nothing opens', () => {
    const first = sweep(gap, NOW);
    const covered = sweep({ li: [[-60, 600]] }, new Date(NOW.getTime() + 15_000), first.uncovered);
    expect(brief(covered)).toEqual([]);
    expect(covered.uncovered.size).toBe(0);
    expect(brief(sweep(gap, new Date(NOW.getTime() + 30_000), covered.uncovered))).toEqual([]);
  });
});

describe('the coverage alarm', () => {
  const finding = find({ li: [[-60, 30]] })[0] as Extract<CoverageFinding, { action: 'open' }>;
  let n = 0;
  const newId = () => `id-${++n}`;
  const made = openCoverageAlarm({ id: 'a-1', finding, eventId: 'gap:x', policy: {}, replyCode: '1234', now: NOW, newId });

  it('is technical, has no resident, is filed under the grid and calls the operators only', () => {
    expect(made.alarm).toMatchObject({ kind: 'coverage.gap', priority: 'technical', lane: 'technical', residentId: null, areaId: 'grid-1', deviceId: 'coverage:grid-1', status: 'open', stepKind: 'console' });
    expect(made.alarm.resident.name).toBe('Grid 1');
    expect(made.effects.notices.map((p) => p.notice.channel)).toEqual(['console']);
    const raised = made.effects.timeline.find((r) => r.code === 'alarm.raised')!;
    expect(raised.detail).toMatchObject({ type: 'coverage.gap', priority: 'technical', data: { areaId: 'grid-1', grid: 'Grid 1', from: min(30).toISOString(), until: min(H24).toISOString(), coverers: 3 } });
  });

  it('a policy override with caregiver steps still reaches only the console', () => {
    const policy = { technical: { steps: [{ kind: 'next_in_grid' as const, acceptWithinS: 60 }, { kind: 'console' as const, acceptWithinS: 3600 }] } };
    const m = openCoverageAlarm({ id: 'a-2', finding, eventId: 'gap:y', policy, replyCode: '1235', now: NOW, newId });
    expect(m.effects.notices.map((p) => p.notice.channel)).toEqual(['console']);
    expect(m.effects.timeline.map((r) => r.code)).toContain('step.skipped');
  });

  it('resolves itself restored, once', () => {
    const r = restoreCoverage(made.alarm, 'covered', min(5), newId)!;
    expect(r.alarm).toMatchObject({ status: 'resolved', outcome: 'restored', deadline: null });
    expect(r.alarm.closedAt).toEqual(min(5));
    expect(r.effects.timeline.map((x) => [x.code, x.detail])).toEqual([['alarm.restored', { reason: 'covered', areaId: 'grid-1' }]]);
    expect(restoreCoverage(r.alarm, 'covered', min(6), newId)).toBeUndefined();
  });
});
