/**
 * The pure dispatcher core, table by table: event rules, grouping and cancel window, the
 * lifecycle transitions, routing order, escalation steps and policies. No database, no
 * sockets, no timers: every clock is a fixed `now` passed in.
 */
import { describe, expect, it } from 'vitest';
import { planEvent, type EventPlan } from '../dispatch-console/core/decide.ts';
import { alarmStatuses, actorKinds, priorities, stepKinds, type ActorKind, type AlarmStatus, type Priority } from '../contract/alarms.ts';
import { eventTypes, type EventType } from '../contract/device-messages.ts';
import {
  EVENT_RULES,
  cancelDecision,
  classifyEvent,
  groupDecision,
  isNight,
  laneOf,
  type ActiveAlarmView,
  type Classification,
  type EventContext,
  type GroupDecision,
} from '../dispatch-console/core/alarm-rules.ts';
import { alarmActions, transition, type AlarmAction, type TransitionResult } from '../dispatch-console/core/alarm-transitions.ts';
import { buildRoutingPool, isReachable, rankCandidates, type Candidate, type DirectoryCaregiver, type FamilyContact, type RoutingPool } from '../dispatch-console/core/routing.ts';
import {
  applyDecline,
  initialState,
  nextStep,
  noticesFor,
  reassignTo,
  restartEscalation,
  stopEscalation,
  type EscalationState,
  type Notice,
  type SkippedStep,
  type StepResult,
} from '../dispatch-console/core/escalation.ts';
import {
  DEFAULT_POLICIES,
  alarmPolicySchema,
  parsePolicyConfig,
  resolvePolicy,
  type AlarmPolicy,
  type PolicyConfig,
} from '../contract/escalation-policy.ts';

const NOW = new Date('2026-11-22T08:15:00.000Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);

// ───────────────────────────── event rules ─────────────────────────────

describe('classifyEvent', () => {
  const ctx = (localHour: number): EventContext => ({ localHour, nightHours: { start: 22, end: 6 }, temperature: { minC: 16, maxC: 30 } });
  const DAY = 12;
  const NIGHT = 23;
  const opens = (priority: Priority): Classification => ({ kind: 'opens', priority, lane: priority === 'technical' || priority === 'service' ? priority : 'care' });
  const none: Classification = { kind: 'none' };

  it('has exactly one rule for every event type of the contract', () => {
    expect(Object.keys(EVENT_RULES).sort()).toEqual([...eventTypes].sort());
  });

  const cases: Array<[string, EventType, Record<string, unknown>, number, Classification]> = [
    ['button by day', 'button.pressed', {}, DAY, opens('emergency')],
    ['button at night', 'button.pressed', { button: 'pendant' }, NIGHT, opens('emergency')],
    ['fall', 'fall.detected', {}, DAY, opens('emergency')],
    ['smoke', 'smoke.detected', {}, DAY, opens('emergency')],
    ['CO', 'co.detected', {}, NIGHT, opens('emergency')],
    ['flood', 'flood.detected', {}, DAY, opens('emergency')],
    ['door opened by day', 'door.opened', {}, DAY, none],
    ['door opened at 23:00', 'door.opened', {}, 23, opens('urgent')],
    ['door opened at 02:00 (after midnight)', 'door.opened', {}, 2, opens('urgent')],
    ['door opened at 22:00 (night starts)', 'door.opened', {}, 22, opens('urgent')],
    ['door opened at 06:00 (night over)', 'door.opened', {}, 6, none],
    ['too hot', 'temperature', { celsius: 35 }, DAY, opens('urgent')],
    ['too cold', 'temperature', { celsius: 10.5 }, NIGHT, opens('urgent')],
    ['just above max', 'temperature', { celsius: 30.1 }, DAY, opens('urgent')],
    ['just below min', 'temperature', { celsius: 15.9 }, DAY, opens('urgent')],
    ['normal temperature', 'temperature', { celsius: 21 }, DAY, none],
    ['temperature at max (inclusive)', 'temperature', { celsius: 30 }, DAY, none],
    ['temperature at min (inclusive)', 'temperature', { celsius: 16 }, DAY, none],
    ['temperature without a reading', 'temperature', {}, DAY, none],
    ['temperature as text', 'temperature', { celsius: '45' }, DAY, none],
    ['service request', 'service.request', { service: 'meal' }, DAY, opens('service')],
    ['battery low', 'battery.low', { level: 0.05 }, DAY, opens('technical')],
    ['a device reporting its own fault', 'device.fault', { code: 'sensor_stuck' }, DAY, opens('technical')],
    ['cancel', 'cancel', {}, DAY, { kind: 'cancels' }],
    ['cancel at night', 'cancel', {}, NIGHT, { kind: 'cancels' }],
    ['door closed', 'door.closed', {}, NIGHT, none],
    ['motion', 'motion', {}, NIGHT, none],
    ['bed exit', 'bed.exit', {}, NIGHT, none],
    ['bed enter', 'bed.enter', {}, DAY, none],
    ['heartbeat', 'heartbeat', {}, DAY, none],
    ['check-in', 'checkin', {}, DAY, none],
  ];

  it('the table names every event type at least once', () => {
    expect(new Set(cases.map((c) => c[1]))).toEqual(new Set(eventTypes));
  });

  it.each(cases)('%s (%s) → %j', (_label, type, data, hour, expected) => {
    expect(classifyEvent(type, data, ctx(hour))).toEqual(expected);
  });

  it('follows the configured temperature range, not a fixed one', () => {
    const warm: EventContext = { localHour: DAY, nightHours: { start: 22, end: 6 }, temperature: { minC: 18, maxC: 26 } };
    expect(classifyEvent('temperature', { celsius: 27 }, warm)).toEqual(opens('urgent'));
    expect(classifyEvent('temperature', { celsius: 27 }, ctx(DAY))).toEqual(none);
  });
});

describe('isNight', () => {
  const wrap = { start: 22, end: 6 };
  const wrapNight = new Set([22, 23, 0, 1, 2, 3, 4, 5]);
  it.each(Array.from({ length: 24 }, (_, h) => [h, wrapNight.has(h)] as const))('22–06 window: hour %i → %s', (hour, expected) => {
    expect(isNight(hour, wrap)).toBe(expected);
  });

  const plain = { start: 1, end: 5 };
  const plainNight = new Set([1, 2, 3, 4]);
  it.each(Array.from({ length: 24 }, (_, h) => [h, plainNight.has(h)] as const))('01–05 window: hour %i → %s', (hour, expected) => {
    expect(isNight(hour, plain)).toBe(expected);
  });

  it.each([
    [{ start: 20, end: 0 }, 23, true],
    [{ start: 20, end: 0 }, 0, false],
    [{ start: 20, end: 0 }, 19, false],
    [{ start: 0, end: 7 }, 0, true],
    [{ start: 0, end: 7 }, 7, false],
  ])('%j at %i → %s', (night, hour, expected) => {
    expect(isNight(hour, night)).toBe(expected);
  });
});

describe('laneOf', () => {
  it.each([
    ['emergency', 'care'],
    ['urgent', 'care'],
    ['service', 'service'], // a service order is its own lane (DESIGN "Service orders")
    ['technical', 'technical'],
  ] as const)('%s → %s', (p, lane) => {
    expect(laneOf(p)).toBe(lane);
  });
});

describe('groupDecision', () => {
  const active = (status: AlarmStatus, priority: Priority): ActiveAlarmView => ({ status, priority, raisedAt: at(-30) });
  const join = (raisePriority: boolean, restartEscalation: boolean): GroupDecision => ({ action: 'join', raisePriority, restartEscalation });

  it.each<[string, ActiveAlarmView | undefined, Priority, GroupDecision]>([
    ['nothing active → open', undefined, 'emergency', { action: 'open' }],
    ['nothing active, technical → open', undefined, 'technical', { action: 'open' }],
    ['same priority joins', active('open', 'emergency'), 'emergency', join(false, false)],
    ['less serious joins without raising', active('open', 'emergency'), 'service', join(false, false)],
    ['urgent after emergency joins without raising', active('open', 'emergency'), 'urgent', join(false, false)],
    ['fall after meal request, still open → raise and restart', active('open', 'service'), 'emergency', join(true, true)],
    ['urgent after service, open → raise and restart', active('open', 'service'), 'urgent', join(true, true)],
    ['emergency after urgent, open → raise and restart', active('open', 'urgent'), 'emergency', join(true, true)],
    ['more serious while accepted → raise, no restart', active('accepted', 'service'), 'emergency', join(true, false)],
    ['more serious while on site → raise, no restart', active('on_site', 'urgent'), 'emergency', join(true, false)],
    ['technical joins technical', active('open', 'technical'), 'technical', join(false, false)],
  ])('%s', (_label, a, priority, expected) => {
    expect(groupDecision(a, priority)).toEqual(expected);
  });
});

describe('planEvent: where a classified event goes', () => {
  const care = { id: 'care-1', status: 'open' as const, priority: 'service' as const, raisedAt: at(-30) };
  const technical = { id: 'tech-1', status: 'open' as const, priority: 'technical' as const, raisedAt: at(-30) };
  const opens = (priority: Priority, lane: 'care' | 'technical' = 'care') => ({ kind: 'opens' as const, priority, lane });

  it.each<[string, Parameters<typeof planEvent>[0], Parameters<typeof planEvent>[1], EventPlan]>([
    ['heartbeat, motion: nothing', { kind: 'none' }, { care }, { kind: 'none' }],
    ['a cancel with a care alarm active cancels it', { kind: 'cancels' }, { care, technical }, { kind: 'cancel', alarmId: 'care-1' }],
    ['a cancel with only a technical alarm active does nothing', { kind: 'cancels' }, { technical }, { kind: 'none' }],
    ['a press with nothing active opens', opens('emergency'), {}, { kind: 'open', priority: 'emergency' }],
    ['a press joins (and raises) the care alarm', opens('emergency'), { care, technical }, { kind: 'join', alarmId: 'care-1', priority: 'emergency' }],
    ['battery low joins the technical lane, never the care alarm', opens('technical', 'technical'), { care, technical }, { kind: 'join', alarmId: 'tech-1', priority: 'technical' }],
    ['battery low with only a care alarm opens its own', opens('technical', 'technical'), { care }, { kind: 'open', priority: 'technical' }],
  ])('%s', (_label, c, active, expected) => {
    expect(planEvent(c, active)).toEqual(expected);
  });
});

describe('cancelDecision', () => {
  const WINDOW_S = 120;
  const raised = (status: AlarmStatus, agoS: number): ActiveAlarmView => ({ status, priority: 'emergency', raisedAt: at(-agoS) });

  it.each<[string, ActiveAlarmView | undefined, 'cancel' | 'late' | 'nothing_open']>([
    ['nothing open', undefined, 'nothing_open'],
    ['open, just raised', raised('open', 0), 'cancel'],
    ['open, 30 s in', raised('open', 30), 'cancel'],
    ['open, exactly at the window (inclusive)', raised('open', 120), 'cancel'],
    ['open, 1 ms past the window', raised('open', 120.001), 'late'],
    ['open, 10 min in', raised('open', 600), 'late'],
    ['accepted inside the window', raised('accepted', 30), 'cancel'],
    ['accepted outside the window', raised('accepted', 300), 'late'],
    ['on site inside the window → late, the caregiver is there', raised('on_site', 5), 'late'],
    ['on site outside the window', raised('on_site', 900), 'late'],
  ])('%s → %s', (_label, a, expected) => {
    expect(cancelDecision(a, NOW, WINDOW_S)).toBe(expected);
  });

  it('uses the window it is given', () => {
    expect(cancelDecision(raised('open', 200), NOW, 300)).toBe('cancel');
    expect(cancelDecision(raised('open', 200), NOW, 60)).toBe('late');
  });
});

// ───────────────────────────── lifecycle ─────────────────────────────

describe('transition', () => {
  type ActorName = 'holder' | 'other' | 'operator' | 'system' | 'resident' | 'contact';
  const HOLDER = 'cg-holder';
  const actors: Record<ActorName, { kind: ActorKind; caregiverId?: string }> = {
    holder: { kind: 'caregiver', caregiverId: HOLDER },
    other: { kind: 'caregiver', caregiverId: 'cg-other' },
    operator: { kind: 'operator' },
    system: { kind: 'system' },
    resident: { kind: 'resident' },
    contact: { kind: 'contact' },
  };
  const ok = (status: AlarmStatus, o: { changed?: boolean; assigns?: boolean; reopens?: boolean } = {}): TransitionResult => ({
    ok: true,
    changed: o.changed ?? true,
    status,
    assigns: o.assigns ?? false,
    reopens: o.reopens ?? false,
  });
  const no = (reason: 'closed' | 'already_accepted' | 'not_yours' | 'not_open' | 'not_allowed'): TransitionResult => ({ ok: false, reason });

  // An open alarm is held by nobody: "holder" and "other" are then just two caregivers.
  const table: Record<string, TransitionResult> = {};
  const set = (actor: ActorName | ActorName[], status: AlarmStatus, rows: Record<AlarmAction, TransitionResult>) => {
    for (const a of [actor].flat()) for (const action of alarmActions) table[`${a}|${status}|${action}`] = rows[action];
  };
  const caregiverOnOpen: Record<AlarmAction, TransitionResult> = {
    accept: ok('accepted', { assigns: true }),
    decline: ok('open'),
    arrive: ok('on_site', { assigns: true }),
    resolve: ok('resolved', { assigns: true }),
    cancel: no('not_allowed'),
    reassign: no('not_allowed'),
  };
  set(['holder', 'other'], 'open', caregiverOnOpen);
  set('holder', 'accepted', {
    accept: ok('accepted', { changed: false }),
    decline: ok('open', { reopens: true }),
    arrive: ok('on_site'),
    resolve: ok('resolved'),
    cancel: no('not_allowed'),
    reassign: no('not_allowed'),
  });
  set('holder', 'on_site', {
    accept: ok('on_site', { changed: false }),
    decline: no('not_open'),
    arrive: ok('on_site', { changed: false }),
    resolve: ok('resolved'),
    cancel: no('not_allowed'),
    reassign: no('not_allowed'),
  });
  for (const status of ['accepted', 'on_site'] as const) {
    set('other', status, {
      accept: no('already_accepted'),
      decline: no('not_open'),
      arrive: no('not_yours'),
      resolve: no('not_yours'),
      cancel: no('not_allowed'),
      reassign: no('not_allowed'),
    });
  }
  set(['operator', 'system'], 'open', {
    accept: ok('accepted', { assigns: true }),
    decline: no('not_allowed'),
    arrive: ok('on_site'),
    resolve: ok('resolved'),
    cancel: ok('cancelled'),
    reassign: ok('open', { reopens: true }),
  });
  set(['operator', 'system'], 'accepted', {
    accept: no('already_accepted'),
    decline: no('not_allowed'),
    arrive: ok('on_site'),
    resolve: ok('resolved'),
    cancel: ok('cancelled'),
    reassign: ok('open', { reopens: true }),
  });
  set(['operator', 'system'], 'on_site', {
    accept: no('already_accepted'),
    decline: no('not_allowed'),
    arrive: ok('on_site', { changed: false }),
    resolve: ok('resolved'),
    cancel: ok('cancelled'),
    reassign: no('not_open'),
  });
  for (const status of ['open', 'accepted', 'on_site'] as const) {
    // a resident only cancels (cancelDecision decides whether that is in time)
    set('resident', status, {
      accept: no('not_allowed'),
      decline: no('not_allowed'),
      arrive: no('not_allowed'),
      resolve: no('not_allowed'),
      cancel: ok('cancelled'),
      reassign: no('not_allowed'),
    });
  }
  // a family contact (SMS reply to the sms_family step) may take an open alarm, nothing more
  set('contact', 'open', {
    accept: ok('accepted', { assigns: true }),
    decline: no('not_allowed'),
    arrive: ok('on_site'),
    resolve: ok('resolved'),
    cancel: no('not_allowed'),
    reassign: no('not_allowed'),
  });
  for (const status of ['accepted', 'on_site'] as const) {
    set('contact', status, {
      accept: no('already_accepted'),
      decline: no('not_allowed'),
      arrive: no('not_yours'),
      resolve: no('not_yours'),
      cancel: no('not_allowed'),
      reassign: no('not_allowed'),
    });
  }
  for (const status of ['resolved', 'cancelled'] as const) {
    const closed = Object.fromEntries(alarmActions.map((a) => [a, no('closed')])) as Record<AlarmAction, TransitionResult>;
    set(Object.keys(actors) as ActorName[], status, closed);
  }

  const rows = Object.entries(table).map(([key, expected]) => {
    const [actor, status, action] = key.split('|') as [ActorName, AlarmStatus, AlarmAction];
    return { actor, status, action, expected };
  });

  it('the table covers every action from every status for every actor', () => {
    expect(rows).toHaveLength(Object.keys(actors).length * alarmStatuses.length * alarmActions.length);
    // and the actors span every actor kind of the contract
    expect(new Set(Object.values(actors).map((a) => a.kind))).toEqual(new Set(actorKinds));
  });

  it.each(rows)('$actor: $action on $status', ({ actor, status, action, expected }) => {
    const acceptedBy = status === 'open' ? null : HOLDER;
    expect(transition({ status, acceptedBy, action, actor: actors[actor] })).toEqual(expected);
  });

  describe('idempotent repeats (a resent ack) change nothing', () => {
    it.each<[string, ActorName, AlarmAction]>([
      ['caregiver accepts twice', 'holder', 'accept'],
      ['caregiver arrives twice', 'holder', 'arrive'],
      ['operator marks arrival twice', 'operator', 'arrive'],
    ])('%s', (_label, actor, action) => {
      const first = transition({ status: 'open', acceptedBy: null, action, actor: actors[actor] });
      expect(first).toMatchObject({ ok: true, changed: true });
      if (!first.ok) throw new Error('unreachable');
      const acceptedBy = first.assigns ? HOLDER : null;
      const again = transition({ status: first.status, acceptedBy, action, actor: actors[actor] });
      expect(again).toEqual(ok(first.status, { changed: false }));
    });

    it('accept then arrive then arrive again by the holder', () => {
      const s1 = transition({ status: 'open', acceptedBy: null, action: 'accept', actor: actors.holder });
      expect(s1).toEqual(ok('accepted', { assigns: true }));
      const s2 = transition({ status: 'accepted', acceptedBy: HOLDER, action: 'arrive', actor: actors.holder });
      expect(s2).toEqual(ok('on_site'));
      const s3 = transition({ status: 'on_site', acceptedBy: HOLDER, action: 'arrive', actor: actors.holder });
      expect(s3).toEqual(ok('on_site', { changed: false }));
    });
  });

  it('a caregiver without an id never counts as the holder', () => {
    expect(transition({ status: 'accepted', acceptedBy: HOLDER, action: 'resolve', actor: { kind: 'caregiver' } })).toEqual(no('not_yours'));
  });
});

// ───────────────────────────── routing ─────────────────────────────

const cand = (id: string, name: string, o: Partial<Omit<Candidate, 'caregiverId' | 'name'>> = {}): Candidate => ({
  caregiverId: id,
  name,
  role: o.role ?? 'caregiver',
  wearableId: o.wearableId !== undefined ? o.wearableId : `w-${id}`,
  wearableOnline: o.wearableOnline ?? true,
  phone: o.phone !== undefined ? o.phone : null,
  activeAlarms: o.activeAlarms ?? 0,
  pendingAlerts: o.pendingAlerts ?? 0,
});
const smsOnly = (id: string, name: string, o: Partial<Omit<Candidate, 'caregiverId' | 'name'>> = {}) =>
  cand(id, name, { wearableId: null, wearableOnline: false, phone: `+4917${id.length}000${id.charCodeAt(0)}`, ...o });
const ids = (list: readonly Candidate[]) => list.map((c) => c.caregiverId);

describe('isReachable', () => {
  it.each<[string, Candidate, boolean]>([
    ['online wrist, no phone', cand('a', 'A'), true],
    ['online wrist and phone', cand('a', 'A', { phone: '+1' }), true],
    ['offline wrist with phone', cand('a', 'A', { wearableOnline: false, phone: '+1' }), true],
    ['offline wrist, no phone', cand('a', 'A', { wearableOnline: false }), false],
    ['no wrist, phone', smsOnly('a', 'A'), true],
    ['no wrist, no phone', cand('a', 'A', { wearableId: null, wearableOnline: false }), false],
    ['"online" without a wrist, no phone', cand('a', 'A', { wearableId: null, wearableOnline: true }), false],
  ])('%s → %s', (_label, c, expected) => {
    expect(isReachable(c)).toBe(expected);
  });
});

describe('rankCandidates', () => {
  it.each<[string, Candidate[], string[]]>([
    ['least busy first', [cand('a', 'Ann', { activeAlarms: 2 }), cand('b', 'Bo'), cand('c', 'Cy', { activeAlarms: 1 })], ['b', 'c', 'a']],
    [
      'a busy one goes last, even with an online wrist',
      [cand('busy', 'Aaron', { activeAlarms: 1 }), smsOnly('idle', 'Zora')],
      ['idle', 'busy'],
    ],
    [
      'among the idle, fewer unanswered alerts first (a burst spreads over the grid)',
      [cand('p2', 'Ann', { pendingAlerts: 2 }), cand('p0', 'Zed'), cand('p1', 'Bo', { pendingAlerts: 1 })],
      ['p0', 'p1', 'p2'],
    ],
    [
      'unanswered alerts weigh less than an alarm held',
      [cand('holding', 'Ann', { activeAlarms: 1 }), cand('asked', 'Zed', { pendingAlerts: 5 })],
      ['asked', 'holding'],
    ],
    ['online wrist before SMS-only', [smsOnly('s', 'Anna'), cand('w', 'Zed')], ['w', 's']],
    [
      'an offline wrist counts as SMS-only',
      [cand('off', 'Anna', { wearableOnline: false, phone: '+1' }), cand('on', 'Zed')],
      ['on', 'off'],
    ],
    ['"online" without a wrist is not a wrist', [cand('x', 'Anna', { wearableId: null, wearableOnline: true, phone: '+1' }), cand('w', 'Zed')], ['w', 'x']],
    ['then by name', [cand('3', 'Chen'), cand('1', 'Bai'), cand('2', 'An')], ['2', '1', '3']],
    ['then by id for the same name', [cand('b', 'Li Na'), cand('c', 'Li Na'), cand('a', 'Li Na')], ['a', 'b', 'c']],
    [
      'all keys together',
      [
        cand('busy2', 'A', { activeAlarms: 2 }),
        smsOnly('sms', 'A'),
        cand('busy1', 'A', { activeAlarms: 1 }),
        cand('wristB', 'B'),
        cand('wristA2', 'A'),
        cand('wristA1', 'A'),
      ],
      ['wristA1', 'wristA2', 'wristB', 'sms', 'busy1', 'busy2'],
    ],
    ['empty', [], []],
  ])('%s', (_label, list, expected) => {
    const before = ids(list);
    expect(ids(rankCandidates(list))).toEqual(expected);
    expect(ids(list)).toEqual(before); // the input is not sorted in place
  });

  it('is stable whatever the input order', () => {
    const list = [cand('c', 'Li'), smsOnly('d', 'Li'), cand('a', 'Li'), cand('b', 'Li', { activeAlarms: 1 })];
    const expected = ['a', 'c', 'd', 'b'];
    expect(ids(rankCandidates(list))).toEqual(expected);
    expect(ids(rankCandidates([...list].reverse()))).toEqual(expected);
  });
});

describe('buildRoutingPool', () => {
  // district D → street S → community C → grids G1 (the resident's) and G2; another community C2 → G3
  const D = 'd',
    S = 's',
    C = 'c',
    G1 = 'g1',
    G2 = 'g2',
    C2 = 'c2',
    G3 = 'g3';
  const dir = (id: string, areaIds: string[], o: Partial<DirectoryCaregiver> = {}): DirectoryCaregiver => ({
    id,
    name: o.name ?? id,
    role: o.role ?? 'caregiver',
    wearableId: o.wearableId !== undefined ? o.wearableId : `w-${id}`,
    phone: o.phone !== undefined ? o.phone : `+49${id.length}`,
    areaIds,
  });
  const caregivers: DirectoryCaregiver[] = [
    dir('g1-busy', [G1], { name: 'Aaron' }),
    dir('g1-idle', [G1], { name: 'Zoe' }),
    dir('g1-sms', [G1], { name: 'Bea', wearableId: null }),
    dir('g1-off', [G1], { name: 'Off Duty' }),
    dir('multi', [G3, G1], { name: 'Mia' }),
    dir('g2', [G2], { name: 'Gus' }),
    dir('comm', [C], { name: 'Cora' }),
    dir('district', [D], { name: 'Dan' }),
    dir('g3', [G3], { name: 'Far Away' }),
    dir('nowhere', [], { name: 'Nobody' }),
    dir('sup-c', [C], { name: 'Sue', role: 'supervisor' }),
    dir('sup-g1', [G1], { name: 'Sam', role: 'supervisor' }),
    dir('sup-c2', [C2], { name: 'Sid', role: 'supervisor' }),
    dir('sup-g3', [G3], { name: 'Ada', role: 'supervisor' }),
    dir('sup-off', [C], { name: 'Sleeping', role: 'supervisor' }),
  ];
  const allOnDuty = new Set(caregivers.map((c) => c.id).filter((id) => !id.endsWith('-off')));
  const offline = new Set(['w-g1-idle']);
  const busy: Record<string, number> = { 'g1-busy': 1, comm: 3 };
  const build = (onDuty: ReadonlySet<string>, family: FamilyContact[] = [{ name: 'Daughter', phone: '+4930111', relation: 'daughter' }]) =>
    buildRoutingPool({
      caregivers,
      onDuty,
      wearableOnline: (w) => !offline.has(w),
      activeAlarms: (id) => busy[id] ?? 0,
      pendingAlerts: (id) => (id === 'comm' ? 2 : 0),
      areaPath: [G1, C, S, D],
      communityAreas: new Set([C, G1, G2]),
      family,
    });

  it.each<[keyof Omit<RoutingPool, 'family'>, string[]]>([
    // ranked: idle online wrist (Mia), then the SMS-only and offline-wrist ones by name (Bea, Zoe), busy last
    ['grid', ['multi', 'g1-sms', 'g1-idle', 'g1-busy']],
    // caregivers of the sibling grid, the community itself and an ancestor area; busy Cora last
    ['community', ['district', 'g2', 'comm']],
    // supervisors of this community (by name), not the far ones
    ['supervisors', ['sup-g1', 'sup-c']],
  ])('%s circle', (circle, expected) => {
    expect(ids(build(allOnDuty)[circle])).toEqual(expected);
  });

  it('nobody off duty and nobody from another community appears anywhere', () => {
    const pool = build(allOnDuty);
    const everyone = [...pool.grid, ...pool.community, ...pool.supervisors].map((c) => c.caregiverId);
    for (const id of ['g1-off', 'sup-off', 'g3', 'nowhere', 'sup-c2', 'sup-g3']) expect(everyone).not.toContain(id);
    expect(new Set(everyone).size).toBe(everyone.length); // each one in a single circle
  });

  it('fills candidates from the directory, the wrist status and the workload', () => {
    const pool = build(allOnDuty);
    const byId = new Map([...pool.grid, ...pool.community, ...pool.supervisors].map((c) => [c.caregiverId, c]));
    expect(byId.get('g1-busy')).toEqual({
      caregiverId: 'g1-busy',
      name: 'Aaron',
      role: 'caregiver',
      wearableId: 'w-g1-busy',
      wearableOnline: true,
      phone: '+497',
      activeAlarms: 1,
      pendingAlerts: 0,
    });
    expect(byId.get('g1-idle')).toMatchObject({ wearableOnline: false, activeAlarms: 0 });
    expect(byId.get('g1-sms')).toMatchObject({ wearableId: null, wearableOnline: false });
    expect(byId.get('comm')).toMatchObject({ activeAlarms: 3, pendingAlerts: 2 });
    expect(byId.get('sup-c')).toMatchObject({ role: 'supervisor' });
  });

  it.each<[string, string[], string[]]>([
    ['no supervisor near → every on-duty supervisor', ['g1-busy', 'sup-c2', 'sup-g3'], ['sup-g3', 'sup-c2']],
    ['one supervisor near → only that one', ['sup-c', 'sup-c2', 'sup-g3'], ['sup-c']],
    ['no supervisor on duty → nobody', ['g1-busy', 'comm'], []],
    ['off-duty near supervisor does not count as near', ['sup-g3'], ['sup-g3']],
  ])('supervisors: %s', (_label, onDuty, expected) => {
    expect(ids(build(new Set(onDuty)).supervisors)).toEqual(expected);
  });

  it('nobody on duty → empty circles', () => {
    const pool = build(new Set());
    expect(pool).toMatchObject({ grid: [], community: [], supervisors: [] });
  });

  it('keeps family contacts with a phone number only', () => {
    const family: FamilyContact[] = [
      { name: 'Son', phone: '+4930222' },
      { name: 'Blank', phone: '   ' },
      { name: 'Empty', phone: '' },
      { name: 'Niece', phone: '+4930333', relation: 'niece' },
    ];
    expect(build(allOnDuty, family).family).toEqual([family[0], family[3]]);
  });

  it('with no area path the grid is empty and the community comes from the community areas', () => {
    const pool = buildRoutingPool({
      caregivers,
      onDuty: allOnDuty,
      wearableOnline: () => true,
      activeAlarms: () => 0,
      areaPath: [],
      communityAreas: new Set([G2]),
      family: [],
    });
    expect(pool.grid).toEqual([]);
    expect(ids(pool.community)).toEqual(['g2']);
  });
});

// ───────────────────────────── escalation ─────────────────────────────

describe('noticesFor', () => {
  it.each<[string, Candidate, Notice[]]>([
    ['online wrist only', cand('a', 'Ann'), [{ channel: 'wearable', audience: 'caregiver', caregiverId: 'a', name: 'Ann', wearableId: 'w-a' }]],
    [
      'online wrist and phone → wrist only',
      cand('a', 'Ann', { phone: '+1' }),
      [{ channel: 'wearable', audience: 'caregiver', caregiverId: 'a', name: 'Ann', wearableId: 'w-a' }],
    ],
    [
      'offline wrist and phone → wrist and SMS',
      cand('a', 'Ann', { wearableOnline: false, phone: '+1' }),
      [
        { channel: 'wearable', audience: 'caregiver', caregiverId: 'a', name: 'Ann', wearableId: 'w-a' },
        { channel: 'sms', audience: 'caregiver', caregiverId: 'a', name: 'Ann', phone: '+1' },
      ],
    ],
    [
      'offline wrist, no phone → the wrist (it may come back)',
      cand('a', 'Ann', { wearableOnline: false }),
      [{ channel: 'wearable', audience: 'caregiver', caregiverId: 'a', name: 'Ann', wearableId: 'w-a' }],
    ],
    ['no wrist → SMS', cand('a', 'Ann', { wearableId: null, wearableOnline: false, phone: '+2' }), [{ channel: 'sms', audience: 'caregiver', caregiverId: 'a', name: 'Ann', phone: '+2' }]],
    ['no wrist, no phone → nothing', cand('a', 'Ann', { wearableId: null, wearableOnline: false }), []],
    [
      'supervisor with offline wrist',
      cand('s', 'Sue', { role: 'supervisor', wearableOnline: false, phone: '+3' }),
      [
        { channel: 'wearable', audience: 'supervisor', caregiverId: 's', name: 'Sue', wearableId: 'w-s' },
        { channel: 'sms', audience: 'supervisor', caregiverId: 's', name: 'Sue', phone: '+3' },
      ],
    ],
  ])('%s', (_label, c, expected) => {
    expect(noticesFor(c)).toEqual(expected);
  });
});

const wear = (c: Candidate): Notice => ({ channel: 'wearable', audience: c.role, caregiverId: c.caregiverId, name: c.name, wearableId: c.wearableId! });
const sms = (c: Candidate): Notice => ({ channel: 'sms', audience: c.role, caregiverId: c.caregiverId, name: c.name, phone: c.phone! });
const policyOf = (...steps: Array<[AlarmPolicy['steps'][number]['kind'], number]>): AlarmPolicy => ({
  priority: 'emergency',
  acceptLimitS: 60,
  arriveLimitS: 1200,
  steps: steps.map(([kind, acceptWithinS]) => ({ kind, acceptWithinS })),
});
const stateOf = (o: Partial<EscalationState>): EscalationState => ({ ...initialState(), ...o });

describe('nextStep', () => {
  const A = cand('A', 'Ann');
  const B = smsOnly('B', 'Bo');
  const U = cand('U', 'Una', { wearableOnline: false }); // on duty, but no way to reach her
  const C1 = cand('C1', 'Cora');
  const S1 = cand('S1', 'Sue', { role: 'supervisor', wearableOnline: false, phone: '+49301' });
  const F1 = { name: 'Daughter', phone: '+4930111' };
  const F2 = { name: 'Son', phone: '+4930222' };
  const fullPool: RoutingPool = { grid: [A, U, B], community: [C1], supervisors: [S1], family: [F1, F2] };
  const emptyPool: RoutingPool = { grid: [], community: [], supervisors: [], family: [] };
  const emergency = DEFAULT_POLICIES.emergency;

  it('initial state', () => {
    expect(initialState()).toEqual({ step: 0, token: 0, deadline: null, notified: [], current: [], declined: [] });
  });

  describe('walks every step of the emergency policy, then repeats the console', () => {
    // one call every step; now advances by one minute per call
    const run = (): StepResult[] => {
      const out: StepResult[] = [];
      let state = initialState();
      for (let i = 0; i < 8; i++) {
        const r = nextStep(emergency, state, fullPool, at(i * 60));
        out.push(r);
        state = r.state;
      }
      return out;
    };
    const results = run();
    const familySms = (f: { name: string; phone: string }): Notice => ({ channel: 'sms', audience: 'family', name: f.name, phone: f.phone });

    it.each<[number, { step: number; kind: string; repeated: boolean; notices: Notice[]; current: string[]; notified: string[]; waitS: number }]>([
      [0, { step: 1, kind: 'next_in_grid', repeated: false, notices: [wear(A)], current: ['A'], notified: ['A'], waitS: 60 }],
      [1, { step: 2, kind: 'all_in_grid', repeated: false, notices: [wear(A), sms(B)], current: ['A', 'B'], notified: ['A', 'B'], waitS: 60 }],
      [2, { step: 3, kind: 'community_pool', repeated: false, notices: [wear(C1)], current: ['C1'], notified: ['A', 'B', 'C1'], waitS: 60 }],
      [3, { step: 4, kind: 'supervisor', repeated: false, notices: [wear(S1), sms(S1)], current: ['S1'], notified: ['A', 'B', 'C1', 'S1'], waitS: 60 }],
      [4, { step: 5, kind: 'sms_family', repeated: false, notices: [familySms(F1), familySms(F2)], current: [], notified: ['A', 'B', 'C1', 'S1'], waitS: 120 }],
      [5, { step: 6, kind: 'console', repeated: false, notices: [{ channel: 'console' }], current: [], notified: ['A', 'B', 'C1', 'S1'], waitS: 60 }],
      [6, { step: 6, kind: 'console', repeated: true, notices: [{ channel: 'console' }], current: [], notified: ['A', 'B', 'C1', 'S1'], waitS: 60 }],
      [7, { step: 6, kind: 'console', repeated: true, notices: [{ channel: 'console' }], current: [], notified: ['A', 'B', 'C1', 'S1'], waitS: 60 }],
    ])('call %i', (i, e) => {
      const r = results[i]!;
      const now = at(i * 60);
      expect(r).toMatchObject({ step: e.step, kind: e.kind, repeated: e.repeated, notices: e.notices, skipped: [] });
      expect(r.state).toEqual({
        step: e.step,
        token: i + 1,
        deadline: new Date(now.getTime() + e.waitS * 1000),
        notified: e.notified,
        current: e.current,
        declined: [],
      });
    });
  });

  describe('next_in_grid', () => {
    const P = cand('P', 'Pia');
    const Q = cand('Q', 'Quinn');
    const R = cand('R', 'Rosa');
    const policy = policyOf(['next_in_grid', 30], ['console', 10]);
    it.each<[string, Candidate[], Partial<EscalationState>, string | SkippedStep['reason']]>([
      ['first in rank order', [P, Q, R], {}, 'P'],
      ['skips the already notified', [P, Q, R], { notified: ['P'] }, 'Q'],
      ['skips the declined', [P, Q, R], { notified: ['P'], declined: ['Q'] }, 'R'],
      ['skips a declined one never notified', [P, Q, R], { declined: ['P'] }, 'Q'],
      ['skips the unreachable', [U, Q], {}, 'Q'],
      ['everyone notified → nobody_left', [P, Q], { notified: ['P', 'Q'] }, 'nobody_left'],
      ['everyone declined → nobody_left', [P, Q], { declined: ['P', 'Q'] }, 'nobody_left'],
      ['only unreachable on duty → nobody_left', [U], {}, 'nobody_left'],
      ['empty grid → nobody_on_duty', [], {}, 'nobody_on_duty'],
    ])('%s', (_label, grid, st, expected) => {
      const r = nextStep(policy, stateOf(st), { ...emptyPool, grid }, NOW);
      if (expected === 'nobody_left' || expected === 'nobody_on_duty') {
        expect(r.skipped).toEqual([{ step: 1, kind: 'next_in_grid', reason: expected }]);
        expect(r).toMatchObject({ step: 2, kind: 'console', notices: [{ channel: 'console' }] });
      } else {
        expect(r.skipped).toEqual([]);
        expect(r).toMatchObject({ step: 1, kind: 'next_in_grid' });
        expect(r.state.current).toEqual([expected]);
        expect(r.notices).toEqual(noticesFor(grid.find((c) => c.caregiverId === expected)!));
      }
    });

    it('three next_in_grid steps alert three different caregivers in turn', () => {
      const p = policyOf(['next_in_grid', 30], ['next_in_grid', 30], ['next_in_grid', 30], ['console', 10]);
      const pool = { ...emptyPool, grid: [P, Q, R] };
      let state = initialState();
      const alerted: string[][] = [];
      for (let i = 0; i < 3; i++) {
        const r = nextStep(p, state, pool, NOW);
        alerted.push(r.state.current);
        state = r.state;
      }
      expect(alerted).toEqual([['P'], ['Q'], ['R']]);
      expect(state.notified).toEqual(['P', 'Q', 'R']);
    });
  });

  describe.each<[string, 'all_in_grid' | 'community_pool' | 'supervisor', keyof RoutingPool]>([
    ['all_in_grid', 'all_in_grid', 'grid'],
    ['community_pool', 'community_pool', 'community'],
    ['supervisor', 'supervisor', 'supervisors'],
  ])('%s', (_label, kind, circle) => {
    const policy = policyOf([kind, 45], ['console', 10]);
    const P = cand('P', 'Pia');
    const Q = smsOnly('Q', 'Quinn');
    const R = cand('R', 'Rosa', { wearableOnline: false, phone: '+3' });
    const poolWith = (list: Candidate[]): RoutingPool => ({ ...emptyPool, [circle]: list });

    it('alerts every reachable, not declined one, the notified ones again', () => {
      const r = nextStep(policy, stateOf({ notified: ['P'], declined: ['X'] }), poolWith([P, U, Q, R]), NOW);
      expect(r).toMatchObject({ step: 1, kind, repeated: false, skipped: [] });
      expect(r.notices).toEqual([wear(P), sms(Q), wear(R), sms(R)]);
      expect(r.state.current).toEqual(['P', 'Q', 'R']);
      expect(r.state.notified).toEqual(['P', 'Q', 'R']);
      expect(r.state.deadline).toEqual(at(45));
    });

    it('leaves out the declined', () => {
      const r = nextStep(policy, stateOf({ declined: ['Q'] }), poolWith([P, Q]), NOW);
      expect(r.state.current).toEqual(['P']);
    });

    it.each<[string, Candidate[], Partial<EscalationState>, SkippedStep['reason']]>([
      ['nobody on duty', [], {}, 'nobody_on_duty'],
      ['all declined', [P, Q], { declined: ['P', 'Q'] }, 'nobody_left'],
      ['only unreachable', [U], {}, 'nobody_left'],
    ])('skips at once when %s', (_l, list, st, reason) => {
      const r = nextStep(policy, stateOf(st), poolWith(list), NOW);
      expect(r.skipped).toEqual([{ step: 1, kind, reason }]);
      expect(r).toMatchObject({ step: 2, kind: 'console' });
      expect(r.state.deadline).toEqual(at(10));
    });
  });

  describe('sms_family', () => {
    const policy = policyOf(['sms_family', 300], ['console', 10]);
    it('texts every family contact, alerts no caregiver', () => {
      const r = nextStep(policy, stateOf({ notified: ['A'] }), { ...emptyPool, grid: [A], family: [F1, F2] }, NOW);
      expect(r).toMatchObject({ step: 1, kind: 'sms_family', skipped: [] });
      expect(r.notices).toEqual([
        { channel: 'sms', audience: 'family', name: 'Daughter', phone: '+4930111' },
        { channel: 'sms', audience: 'family', name: 'Son', phone: '+4930222' },
      ]);
      expect(r.state).toMatchObject({ current: [], notified: ['A'], deadline: at(300) });
    });
    it('no contacts → skipped with no_contacts', () => {
      const r = nextStep(policy, initialState(), { ...emptyPool, grid: [A] }, NOW);
      expect(r.skipped).toEqual([{ step: 1, kind: 'sms_family', reason: 'no_contacts' }]);
      expect(r.kind).toBe('console');
    });
  });

  describe('skips at once the steps that reach nobody', () => {
    const skip = (step: number, kind: SkippedStep['kind'], reason: SkippedStep['reason']): SkippedStep => ({ step, kind, reason });
    it.each<[string, Partial<EscalationState>, RoutingPool, { step: number; kind: string; waitS: number; skipped: SkippedStep[] }]>([
      [
        'nobody in the grid → community',
        {},
        { ...emptyPool, community: [C1] },
        { step: 3, kind: 'community_pool', waitS: 60, skipped: [skip(1, 'next_in_grid', 'nobody_on_duty'), skip(2, 'all_in_grid', 'nobody_on_duty')] },
      ],
      [
        'grid all declined → community',
        { declined: ['A', 'B'] },
        { ...fullPool, grid: [A, B] },
        { step: 3, kind: 'community_pool', waitS: 60, skipped: [skip(1, 'next_in_grid', 'nobody_left'), skip(2, 'all_in_grid', 'nobody_left')] },
      ],
      [
        'nobody at all → console',
        {},
        emptyPool,
        {
          step: 6,
          kind: 'console',
          waitS: 60,
          skipped: [
            skip(1, 'next_in_grid', 'nobody_on_duty'),
            skip(2, 'all_in_grid', 'nobody_on_duty'),
            skip(3, 'community_pool', 'nobody_on_duty'),
            skip(4, 'supervisor', 'nobody_on_duty'),
            skip(5, 'sms_family', 'no_contacts'),
          ],
        },
      ],
      [
        'only family → family SMS',
        {},
        { ...emptyPool, family: [F1] },
        {
          step: 5,
          kind: 'sms_family',
          waitS: 120,
          skipped: [
            skip(1, 'next_in_grid', 'nobody_on_duty'),
            skip(2, 'all_in_grid', 'nobody_on_duty'),
            skip(3, 'community_pool', 'nobody_on_duty'),
            skip(4, 'supervisor', 'nobody_on_duty'),
          ],
        },
      ],
      [
        'from the community step, no supervisor → family',
        { step: 3, token: 7, notified: ['C1'] },
        { ...fullPool, supervisors: [] },
        { step: 5, kind: 'sms_family', waitS: 120, skipped: [skip(4, 'supervisor', 'nobody_on_duty')] },
      ],
    ])('%s', (_label, st, pool, e) => {
      const before = stateOf(st);
      const r = nextStep(emergency, before, pool, NOW);
      expect(r).toMatchObject({ step: e.step, kind: e.kind, repeated: false, skipped: e.skipped });
      expect(r.state.step).toBe(e.step);
      expect(r.state.deadline).toEqual(at(e.waitS));
      expect(r.state.token).toBe(before.token + 1); // one move, however many steps it skipped
    });
  });

  describe.each(priorities)('the default %s policy: the first deadline is now + its first step', (priority) => {
    it('deadline and token', () => {
      const policy = DEFAULT_POLICIES[priority];
      const r = nextStep(policy, stateOf({ token: 41 }), fullPool, NOW);
      expect(r.step).toBe(1);
      expect(r.kind).toBe(policy.steps[0]!.kind);
      expect(r.state.deadline).toEqual(new Date(NOW.getTime() + policy.steps[0]!.acceptWithinS * 1000));
      expect(r.state.token).toBe(42);
    });
  });

  it.each([
    ['at the last step', 6],
    ['past the end (clamped to the last)', 7],
  ])('the console repeats %s: step stays last, repeated, new deadline and token', (_label, step) => {
    const r = nextStep(emergency, stateOf({ step, token: 9, notified: ['A'] }), fullPool, at(3600));
    expect(r).toMatchObject({ step: 6, kind: 'console', repeated: true, notices: [{ channel: 'console' }], skipped: [] });
    expect(r.state).toEqual({ step: 6, token: 10, deadline: at(3660), notified: ['A'], current: [], declined: [] });
  });

  it('a one-step (technical) policy repeats its console from the second call on', () => {
    const first = nextStep(DEFAULT_POLICIES.technical, initialState(), emptyPool, NOW);
    expect(first).toMatchObject({ step: 1, kind: 'console', repeated: false });
    const second = nextStep(DEFAULT_POLICIES.technical, first.state, emptyPool, at(3600));
    expect(second).toMatchObject({ step: 1, kind: 'console', repeated: true });
    expect(second.state.deadline).toEqual(at(7200));
  });

  it('refuses a policy without a console last step (the schema forbids it)', () => {
    expect(() => nextStep(policyOf(['next_in_grid', 30]), initialState(), emptyPool, NOW)).toThrow(/console/);
  });

  it('is pure: the input state is not changed', () => {
    const state = stateOf({ step: 1, token: 3, notified: ['A'], current: ['A'], declined: ['B'] });
    const copy = structuredClone(state);
    nextStep(emergency, state, fullPool, NOW);
    expect(state).toEqual(copy);
  });
});

describe('applyDecline', () => {
  it.each<[string, Partial<EscalationState>, string, { declined: string[]; stepExhausted: boolean }]>([
    ['the only one alerted declines → step over', { current: ['A'] }, 'A', { declined: ['A'], stepExhausted: true }],
    ['one of two declines → not over', { current: ['A', 'B'] }, 'A', { declined: ['A'], stepExhausted: false }],
    ['the last of two declines → over', { current: ['A', 'B'], declined: ['A'] }, 'B', { declined: ['A', 'B'], stepExhausted: true }],
    ['a repeated decline is recorded once', { current: ['A', 'B'], declined: ['A'] }, 'A', { declined: ['A'], stepExhausted: false }],
    ['someone outside the step declines → recorded, not over', { current: ['A'] }, 'X', { declined: ['X'], stepExhausted: false }],
    ['a step that alerted nobody (family, console) is never exhausted', { current: [] }, 'A', { declined: ['A'], stepExhausted: false }],
  ])('%s', (_label, st, who, e) => {
    const state = stateOf({ step: 2, token: 5, deadline: at(60), ...st });
    const copy = structuredClone(state);
    const r = applyDecline(state, who);
    expect(r.stepExhausted).toBe(e.stepExhausted);
    expect(r.state).toEqual({ ...state, declined: e.declined });
    expect(state).toEqual(copy);
  });
});

describe('reassignTo', () => {
  const urgent = DEFAULT_POLICIES.urgent; // steps: 180, 120, 120, 180, 300, 120
  const T = cand('T', 'Tom', { wearableOnline: false, phone: '+4915' });

  it.each<[number, number, string]>([
    [0, 180, 'next_in_grid'], // before any step: counts as the first
    [1, 180, 'next_in_grid'],
    [2, 120, 'all_in_grid'],
    [4, 180, 'supervisor'],
    [5, 300, 'sms_family'],
    [6, 120, 'console'],
    [9, 120, 'console'], // past the end: the last
  ])('from step %i: the step stays, its clock (%i s) starts again', (step, waitS, kind) => {
    const state = stateOf({ step, token: 5, deadline: at(-10), notified: ['A', 'B'], current: ['A', 'B'], declined: ['T', 'C'] });
    const r = reassignTo(urgent, state, T, NOW);
    const index = Math.max(1, Math.min(step, urgent.steps.length));
    expect(r).toEqual({
      state: { step: index, token: 6, deadline: at(waitS), notified: ['A', 'B', 'T'], current: ['T'], declined: ['C'] },
      step: index,
      kind,
      repeated: false,
      notices: [wear(T), sms(T)],
      skipped: [],
    });
  });

  it('an already notified target is not listed twice', () => {
    const r = reassignTo(urgent, stateOf({ step: 2, notified: ['T', 'A'] }), T, NOW);
    expect(r.state.notified).toEqual(['T', 'A']);
  });

  it('after a reassignment the target can decline and exhaust the step', () => {
    const r = reassignTo(urgent, stateOf({ step: 2, current: ['A', 'B'], declined: ['T'] }), T, NOW);
    expect(applyDecline(r.state, 'T').stepExhausted).toBe(true);
  });
});

describe('stopEscalation and restartEscalation', () => {
  const busy = stateOf({ step: 3, token: 8, deadline: at(60), notified: ['A', 'B', 'C'], current: ['C'], declined: ['A'] });

  it('stop: no deadline, no current step, a new token; the history stays', () => {
    expect(stopEscalation(busy)).toEqual({ step: 3, token: 9, deadline: null, notified: ['A', 'B', 'C'], current: [], declined: ['A'] });
  });

  it('restart: back before the first step, nobody notified, declines forgotten', () => {
    expect(restartEscalation(busy)).toMatchObject({ step: 0, notified: [], current: [], declined: [] });
  });

  it('a caregiver who declined the meal request is still asked about the fall', () => {
    const A = cand('A', 'Ann');
    const B = cand('B', 'Bo');
    const pool: RoutingPool = { grid: [A, B], community: [], supervisors: [], family: [] };
    const meal = nextStep(DEFAULT_POLICIES.service, initialState(), pool, NOW);
    expect(meal.state.current).toEqual(['A']);
    const declined = applyDecline(meal.state, 'A').state;
    const fall = nextStep(DEFAULT_POLICIES.emergency, restartEscalation(declined), pool, at(30));
    expect(fall).toMatchObject({ step: 1, kind: 'next_in_grid', skipped: [] });
    expect(fall.state.current).toEqual(['A']);
    expect(fall.state.token).toBe(meal.state.token + 1); // the old timer goes stale
    expect(fall.state.deadline).toEqual(at(90));
  });
});

// ───────────────────────────── policies ─────────────────────────────

describe('DEFAULT_POLICIES', () => {
  it.each<[Priority, number, number]>([
    ['emergency', 60, 20 * 60],
    ['urgent', 180, 45 * 60],
    ['service', 15 * 60, 8 * 3600],
    ['technical', 86_400, 2 * 86_400],
  ])('%s: accept %i s, arrive %i s, valid, ends at the console', (priority, accept, arrive) => {
    const p = DEFAULT_POLICIES[priority];
    expect(p).toMatchObject({ priority, acceptLimitS: accept, arriveLimitS: arrive });
    expect(alarmPolicySchema.safeParse(p).success).toBe(true);
    expect(p.steps.at(-1)?.kind).toBe('console');
  });

  it('the emergency policy widens through every step kind in order', () => {
    expect(DEFAULT_POLICIES.emergency.steps.map((s) => s.kind)).toEqual([...stepKinds]);
  });
});

describe('resolvePolicy', () => {
  const GRID = '11111111-1111-4111-8111-111111111111';
  const COMM = '22222222-2222-4222-8222-222222222222';
  const DIST = '33333333-3333-4333-8333-333333333333';
  const OTHER = '44444444-4444-4444-8444-444444444444';
  const gridSteps: AlarmPolicy['steps'] = [
    { kind: 'all_in_grid', acceptWithinS: 30 },
    { kind: 'console', acceptWithinS: 30 },
  ];
  const config: PolicyConfig = {
    emergency: { acceptLimitS: 45 },
    service: { arriveLimitS: 4 * 3600 },
    areas: {
      [GRID]: { emergency: { steps: gridSteps } },
      [COMM]: { emergency: { acceptLimitS: 30, arriveLimitS: 600 }, urgent: { acceptLimitS: 99 } },
      [DIST]: { service: { acceptLimitS: 1800 }, technical: {} },
    },
  };
  const path = [GRID, COMM, DIST];
  const d = DEFAULT_POLICIES;

  it.each<[string, PolicyConfig, Priority, string[], AlarmPolicy]>([
    ...priorities.map((p): [string, PolicyConfig, Priority, string[], AlarmPolicy] => [`no config, ${p} → the default`, {}, p, path, d[p]]),
    ['global override, no area path', config, 'emergency', [], { ...d.emergency, acceptLimitS: 45 }],
    ['global override, an area without overrides', config, 'emergency', [OTHER], { ...d.emergency, acceptLimitS: 45 }],
    ['the nearest area wins whole (grid steps; the community limits do not mix in)', config, 'emergency', path, { ...d.emergency, acceptLimitS: 45, steps: gridSteps }],
    ['without the grid the community wins over the global override', config, 'emergency', [OTHER, COMM, DIST], { ...d.emergency, acceptLimitS: 30, arriveLimitS: 600 }],
    ['a grid override of another priority does not count', config, 'urgent', path, { ...d.urgent, acceptLimitS: 99 }],
    ['an ancestor area several levels up', config, 'service', path, { ...d.service, acceptLimitS: 1800, arriveLimitS: 4 * 3600 }],
    ['an empty area override → the global one', config, 'technical', path, d.technical],
    ['order is the path order, not the config order', config, 'emergency', [COMM, GRID], { ...d.emergency, acceptLimitS: 30, arriveLimitS: 600 }],
  ])('%s', (_label, cfg, priority, areaPath, expected) => {
    expect(resolvePolicy(cfg, priority, areaPath)).toEqual(expected);
  });

  it('leaves the defaults untouched', () => {
    const before = structuredClone(DEFAULT_POLICIES);
    for (const p of priorities) resolvePolicy(config, p, path);
    expect(DEFAULT_POLICIES).toEqual(before);
  });

  it('what it resolves from a parsed config is a valid policy', () => {
    const parsed = parsePolicyConfig(JSON.stringify(config));
    if (!parsed.ok) throw new Error(parsed.message);
    for (const p of priorities) expect(alarmPolicySchema.safeParse(resolvePolicy(parsed.value, p, path)).success).toBe(true);
  });
});

describe('parsePolicyConfig', () => {
  const AREA = '6f1c2a52-4a8e-4b8a-9d1e-1a2b3c4d5e6f';

  it.each<[string, string | undefined, PolicyConfig]>([
    ['unset → no overrides', undefined, {}],
    ['empty object', '{}', {}],
    ['a global override', '{"urgent":{"acceptLimitS":120}}', { urgent: { acceptLimitS: 120 } }],
    [
      'an area override with steps',
      JSON.stringify({ areas: { [AREA]: { emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 30 }, { kind: 'console', acceptWithinS: 30 }] } } } }),
      { areas: { [AREA]: { emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 30 }, { kind: 'console', acceptWithinS: 30 }] } } } },
    ],
  ])('accepts %s', (_label, text, value) => {
    expect(parsePolicyConfig(text)).toEqual({ ok: true, value });
  });

  it.each<[string, string, string | RegExp]>([
    ['broken JSON', '{"emergency":', 'must be JSON'],
    ['an empty string', '', 'must be JSON'],
    ['not JSON at all', 'emergency=60', 'must be JSON'],
    [
      'a last step that is not the console',
      '{"emergency":{"steps":[{"kind":"next_in_grid","acceptWithinS":60}]}}',
      'emergency.steps: the last step must be "console": an alarm is never left with nobody',
    ],
    [
      'an area policy whose last step is not the console',
      JSON.stringify({ areas: { [AREA]: { urgent: { steps: [{ kind: 'console', acceptWithinS: 60 }, { kind: 'supervisor', acceptWithinS: 60 }] } } } }),
      `areas.${AREA}.urgent.steps: the last step must be "console": an alarm is never left with nobody`,
    ],
    ['an unknown top-level key', '{"emergncy":{}}', '(top): Unrecognized key: "emergncy"'],
    ['an unknown key in a priority', '{"emergency":{"acceptWithin":60}}', 'emergency: Unrecognized key: "acceptWithin"'],
    ['an unknown key in an area priority', JSON.stringify({ areas: { [AREA]: { urgent: { foo: 1 } } } }), new RegExp(`^areas\\.${AREA}\\.urgent: .*"foo"`)],
    ['an unknown priority in an area', JSON.stringify({ areas: { [AREA]: { critical: {} } } }), new RegExp(`^areas\\.${AREA}: .*"critical"`)],
    ['an area key that is not a uuid', '{"areas":{"grid-7":{}}}', 'areas.grid-7: keys must be area ids (UUIDs)'],
    ['an unknown step kind', '{"emergency":{"steps":[{"kind":"pager","acceptWithinS":60}]}}', /^emergency\.steps\.0\.kind: /],
    ['a zero wait', '{"emergency":{"steps":[{"kind":"console","acceptWithinS":0}]}}', /^emergency\.steps\.0\.acceptWithinS: /],
    ['a non-integer limit', '{"service":{"acceptLimitS":1.5}}', /^service\.acceptLimitS: /],
    ['an array', '[]', /^\(top\): /],
    ['null', 'null', /^\(top\): /],
  ])('refuses %s', (_label, text, message) => {
    const r = parsePolicyConfig(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    if (typeof message === 'string') expect(r.message).toBe(message);
    else expect(r.message).toMatch(message);
  });
});
