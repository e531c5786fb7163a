/**
 * Who is on duty when, table by table: rotas in local time (overnight, DST changes in
 * Europe/Berlin and America/New_York, skipped and repeated wall times), from/until bounds,
 * absences cutting shifts, one-off shifts merged with rotas. Pure: every zone is named, every
 * expectation is a UTC instant worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { coverageGaps, dutyIntervals, onDutyAt, onDutyByGrid, type RotaRule, type Span } from '../dispatch-console/core/duty-rules.ts';
import { zonedInstant } from '../dispatch-console/core/zoned-time.ts';
import type { WeekDay } from '../contract/duty.ts';

const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';
const ALL: WeekDay[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const iso = (s: string) => new Date(s);

const rota = (p: Partial<RotaRule> = {}): RotaRule => ({ caregiverId: 'a', days: ALL, start: '08:00', end: '20:00', from: '2026-01-01', until: null, ...p });
const span = (start: string, end: string, caregiverId = 'a'): Span => ({ caregiverId, start: iso(start), end: iso(end) });

/** The caregiver's intervals in [from, to) as "start/end" ISO pairs. */
function duty(o: { rotas?: RotaRule[]; shifts?: Span[]; absences?: Span[]; tz?: string; from: string; to: string; who?: string }): string[] {
  const all = dutyIntervals({ rotas: o.rotas ?? [], shifts: o.shifts ?? [], absences: o.absences ?? [], timeZone: o.tz ?? BERLIN, from: iso(o.from), to: iso(o.to) });
  return (all.get(o.who ?? 'a') ?? []).map((i) => `${i.start.toISOString()}/${i.end.toISOString()}`);
}

describe('local wall time to instants', () => {
  it.each([
    ['winter (CET, +1)', '2026-12-01', '08:00', BERLIN, '2026-12-01T07:00:00.000Z'],
    ['summer (CEST, +2)', '2026-07-01', '08:00', BERLIN, '2026-07-01T06:00:00.000Z'],
    ['skipped 02:30 on 29 March: the moment clocks jump', '2026-03-29', '02:30', BERLIN, '2026-03-29T01:00:00.000Z'],
    ['repeated 02:30 on 25 October: the first showing (CEST)', '2026-10-25', '02:30', BERLIN, '2026-10-25T00:30:00.000Z'],
    ['New York skipped 02:15 on 8 March', '2026-03-08', '02:15', NY, '2026-03-08T07:00:00.000Z'],
    ['New York repeated 01:30 on 1 November: first (EDT)', '2026-11-01', '01:30', NY, '2026-11-01T05:30:00.000Z'],
  ])('%s', (_what, date, time, tz, expected) => {
    expect(new Date(zonedInstant(date, time, tz)).toISOString()).toBe(expected);
  });
});

describe('rotas', () => {
  it.each([
    ['a day shift on a Tuesday in winter', { rotas: [rota({ days: ['tue'] })], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }, ['2026-12-01T07:00:00.000Z/2026-12-01T19:00:00.000Z']],
    [
      'overnight: end ≤ start runs into the next day',
      { rotas: [rota({ days: ['tue'], start: '22:00', end: '06:00' })], from: '2026-12-01T00:00:00Z', to: '2026-12-03T00:00:00Z' },
      ['2026-12-01T21:00:00.000Z/2026-12-02T05:00:00.000Z'],
    ],
    [
      "overnight counts by its start day: Monday's night reaches into Tuesday's window whole",
      { rotas: [rota({ days: ['mon'], start: '22:00', end: '06:00' })], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' },
      ['2026-11-30T21:00:00.000Z/2026-12-01T05:00:00.000Z'],
    ],
    ['start = end is 24 hours', { rotas: [rota({ days: ['tue'], start: '07:00', end: '07:00' })], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }, ['2026-12-01T06:00:00.000Z/2026-12-02T06:00:00.000Z']],
    [
      'Berlin spring forward: Saturday 20:00 CET to Sunday 08:00 CEST is 11 h',
      { rotas: [rota({ days: ['sat'], start: '20:00', end: '08:00' })], from: '2026-03-28T12:00:00Z', to: '2026-03-29T12:00:00Z' },
      ['2026-03-28T19:00:00.000Z/2026-03-29T06:00:00.000Z'],
    ],
    [
      'Berlin spring forward: the day shift on the change day is 08:00-20:00 CEST',
      { rotas: [rota({ days: ['sun'] })], from: '2026-03-29T00:00:00Z', to: '2026-03-30T00:00:00Z' },
      ['2026-03-29T06:00:00.000Z/2026-03-29T18:00:00.000Z'],
    ],
    [
      'Berlin spring forward: a start in the skipped hour starts when the clocks jump',
      { rotas: [rota({ days: ['sun'], start: '02:30', end: '06:00' })], from: '2026-03-29T00:00:00Z', to: '2026-03-30T00:00:00Z' },
      ['2026-03-29T01:00:00.000Z/2026-03-29T04:00:00.000Z'],
    ],
    [
      'Berlin fall back: Saturday 20:00 CEST to Sunday 08:00 CET is 13 h',
      { rotas: [rota({ days: ['sat'], start: '20:00', end: '08:00' })], from: '2026-10-24T12:00:00Z', to: '2026-10-25T12:00:00Z' },
      ['2026-10-24T18:00:00.000Z/2026-10-25T07:00:00.000Z'],
    ],
    [
      'Berlin fall back: a start in the repeated hour takes the first one',
      { rotas: [rota({ days: ['sun'], start: '02:30', end: '06:00' })], from: '2026-10-25T00:00:00Z', to: '2026-10-26T00:00:00Z' },
      ['2026-10-25T00:30:00.000Z/2026-10-25T05:00:00.000Z'],
    ],
    [
      'New York spring forward: Saturday 20:00 EST to Sunday 08:00 EDT is 11 h',
      { tz: NY, rotas: [rota({ days: ['sat'], start: '20:00', end: '08:00' })], from: '2026-03-07T12:00:00Z', to: '2026-03-08T18:00:00Z' },
      ['2026-03-08T01:00:00.000Z/2026-03-08T12:00:00.000Z'],
    ],
    [
      'from and until are inclusive start days',
      { rotas: [rota({ from: '2026-12-02', until: '2026-12-03' })], from: '2026-12-01T00:00:00Z', to: '2026-12-06T00:00:00Z' },
      ['2026-12-02T07:00:00.000Z/2026-12-02T19:00:00.000Z', '2026-12-03T07:00:00.000Z/2026-12-03T19:00:00.000Z'],
    ],
    [
      'an overnight shift on the until day still runs past midnight; nothing starts after it',
      { rotas: [rota({ start: '22:00', end: '06:00', from: '2026-12-03', until: '2026-12-03' })], from: '2026-12-01T00:00:00Z', to: '2026-12-06T00:00:00Z' },
      ['2026-12-03T21:00:00.000Z/2026-12-04T05:00:00.000Z'],
    ],
    ['a rota with no days gives no duty', { rotas: [rota({ days: [] })], from: '2026-12-01T00:00:00Z', to: '2026-12-08T00:00:00Z' }, []],
    [
      'two rotas of one caregiver: weekdays and weekend',
      { rotas: [rota({ days: ['fri'], start: '08:00', end: '16:00' }), rota({ days: ['sat'], start: '10:00', end: '14:00' })], from: '2026-12-04T00:00:00Z', to: '2026-12-06T00:00:00Z' },
      ['2026-12-04T07:00:00.000Z/2026-12-04T15:00:00.000Z', '2026-12-05T09:00:00.000Z/2026-12-05T13:00:00.000Z'],
    ],
    [
      'two rotas of one caregiver that touch are one interval',
      { rotas: [rota({ days: ['tue'], start: '08:00', end: '12:00' }), rota({ days: ['tue'], start: '12:00', end: '16:00' })], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' },
      ['2026-12-01T07:00:00.000Z/2026-12-01T15:00:00.000Z'],
    ],
  ])('%s', (_what, input, expected) => {
    expect(duty(input)).toEqual(expected);
  });
});

describe('one-off shifts and absences', () => {
  const tuesday = { rotas: [rota({ days: ['tue'] })], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' };
  it.each([
    ['a one-off shift overlapping the rota is merged, not doubled', { ...tuesday, shifts: [span('2026-12-01T18:00:00Z', '2026-12-01T22:00:00Z')] }, ['2026-12-01T07:00:00.000Z/2026-12-01T22:00:00.000Z']],
    ['a one-off shift inside the rota changes nothing', { ...tuesday, shifts: [span('2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')] }, ['2026-12-01T07:00:00.000Z/2026-12-01T19:00:00.000Z']],
    ['a one-off shift alone', { from: tuesday.from, to: tuesday.to, shifts: [span('2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')] }, ['2026-12-01T10:00:00.000Z/2026-12-01T11:00:00.000Z']],
    ['an absence cuts the start', { ...tuesday, absences: [span('2026-12-01T06:00:00Z', '2026-12-01T09:00:00Z')] }, ['2026-12-01T09:00:00.000Z/2026-12-01T19:00:00.000Z']],
    [
      'an absence cuts the middle',
      { ...tuesday, absences: [span('2026-12-01T12:00:00Z', '2026-12-01T13:00:00Z')] },
      ['2026-12-01T07:00:00.000Z/2026-12-01T12:00:00.000Z', '2026-12-01T13:00:00.000Z/2026-12-01T19:00:00.000Z'],
    ],
    ['an absence cuts the end', { ...tuesday, absences: [span('2026-12-01T17:00:00Z', '2026-12-02T00:00:00Z')] }, ['2026-12-01T07:00:00.000Z/2026-12-01T17:00:00.000Z']],
    ['an absence covering the whole shift leaves nothing', { ...tuesday, absences: [span('2026-11-30T00:00:00Z', '2026-12-08T00:00:00Z')] }, []],
    ['an absence removes a one-off shift as well', { ...tuesday, shifts: [span('2026-12-01T19:00:00Z', '2026-12-01T22:00:00Z')], absences: [span('2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z')] }, []],
    ["another caregiver's absence does not touch this one", { ...tuesday, absences: [span('2026-11-30T00:00:00Z', '2026-12-08T00:00:00Z', 'b')] }, ['2026-12-01T07:00:00.000Z/2026-12-01T19:00:00.000Z']],
  ])('%s', (_what, input, expected) => {
    expect(duty(input)).toEqual(expected);
  });
});

describe('on duty at t, per grid, gaps', () => {
  const intervals = dutyIntervals({
    rotas: [rota({ caregiverId: 'a', days: ['tue'] }), rota({ caregiverId: 'b', days: ['tue'], start: '20:00', end: '08:00' })],
    shifts: [],
    absences: [span('2026-12-01T23:00:00Z', '2026-12-02T01:00:00Z', 'b')],
    timeZone: BERLIN,
    from: iso('2026-12-01T00:00:00Z'),
    to: iso('2026-12-03T00:00:00Z'),
  });
  const grids = [
    { areaId: 'g1', name: 'Grid 1', path: ['g1', 'c1'] },
    { areaId: 'g2', name: 'Grid 2', path: ['g2', 'c1'] },
    { areaId: 'g3', name: 'Grid 3', path: ['g3', 'c2'] },
  ];
  // a covers g1 only; b is assigned to the community c1 and so covers g1 and g2; nobody g3
  const people = [
    { id: 'a', name: 'Anna', areaIds: ['g1'], wearableOnline: true },
    { id: 'b', name: 'Bo', areaIds: ['c1'], wearableOnline: false },
  ];

  it.each([
    ['2026-12-01T06:59:59Z', false],
    ['2026-12-01T07:00:00Z', true],
    ['2026-12-01T18:59:59Z', true],
    ['2026-12-01T19:00:00Z', false],
  ])('onDutyAt %s → %s', (t, expected) => {
    expect(onDutyAt(intervals.get('a'), iso(t))).toBe(expected);
  });

  it('answers every grid, with the end of each current duty; an uncovered grid is empty', () => {
    expect(onDutyByGrid(grids, people, intervals, iso('2026-12-01T12:00:00Z'))).toEqual([
      { areaId: 'g1', name: 'Grid 1', caregivers: [{ id: 'a', name: 'Anna', until: iso('2026-12-01T19:00:00Z'), wearableOnline: true }] },
      { areaId: 'g2', name: 'Grid 2', caregivers: [] },
      { areaId: 'g3', name: 'Grid 3', caregivers: [] },
    ]);
    // at night Bo (community) covers both grids, until the absence cuts in
    const night = onDutyByGrid(grids, people, intervals, iso('2026-12-01T20:00:00Z'));
    expect(night.map((g) => g.caregivers.map((c) => [c.id, c.until?.toISOString()]))).toEqual([[['b', '2026-12-01T23:00:00.000Z']], [['b', '2026-12-01T23:00:00.000Z']], []]);
  });

  it('finds the windows where a grid has nobody', () => {
    const gaps = coverageGaps(grids.slice(0, 2), people, intervals, iso('2026-12-01T00:00:00Z'), iso('2026-12-02T12:00:00Z'));
    const show = gaps.map((g) => `${g.areaId} ${g.from.toISOString()}/${g.to.toISOString()}`);
    expect(show).toEqual([
      // Monday's night shift of b is not in the rota (Tuesday only): g1 is bare until Anna
      'g1 2026-12-01T00:00:00.000Z/2026-12-01T07:00:00.000Z',
      'g1 2026-12-01T23:00:00.000Z/2026-12-02T01:00:00.000Z',
      'g1 2026-12-02T07:00:00.000Z/2026-12-02T12:00:00.000Z',
      'g2 2026-12-01T00:00:00.000Z/2026-12-01T19:00:00.000Z',
      'g2 2026-12-01T23:00:00.000Z/2026-12-02T01:00:00.000Z',
      'g2 2026-12-02T07:00:00.000Z/2026-12-02T12:00:00.000Z',
    ]);
  });
});
