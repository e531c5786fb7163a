/**
 * Service orders in the pure core, table by table (DESIGN "Service orders"): a service request
 * is its own order (its own lane: never merged with an emergency, nor one into it), routed by
 * skill, and the resident's device hears `service.received` at once and `service.scheduled` on
 * the accept; the wrist and the SMS name the service.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from '../contract/alarm-record.ts';
import { DEFAULT_POLICIES } from '../contract/escalation-policy.ts';
import { alertSchema, deviceCommandSchema, type ServiceKind } from '../contract/device-messages.ts';
import { alertFor, smsBody } from '../dispatch-console/core/alarm-messages.ts';
import { classifyEvent, laneOf, type ActiveAlarmView, type EventContext } from '../dispatch-console/core/alarm-rules.ts';
import { decide, planEvent } from '../dispatch-console/core/decide.ts';
import type { Candidate, RoutingPool } from '../dispatch-console/core/routing.ts';
import { serviceGrouping, serviceOf, servicePool } from '../dispatch-console/core/service-orders.ts';
import type { Situation } from '../dispatch-console/core/situation.ts';
import type { Trigger } from '../dispatch-console/core/trigger.ts';

const NOW = new Date('2026-12-04T09:00:00.000Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
let n = 0;
const newId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const CTX: EventContext = { localHour: 12, nightHours: { start: 22, end: 7 }, temperature: { minC: 12, maxC: 35 } };

describe('grouping: a service order is its own lane', () => {
  const active = (id: string, priority: ActiveAlarmView['priority']) => ({ id, status: 'open' as const, priority, raisedAt: NOW });
  const care = active('care-1', 'emergency');
  const urgent = active('care-2', 'urgent');
  const order = active('order-1', 'service');
  const cases: Array<[string, Parameters<typeof classifyEvent>[0], Record<string, unknown>, Parameters<typeof planEvent>[1], ReturnType<typeof planEvent>]> = [
    ['a meal request with nothing open opens an order', 'service.request', { service: 'meal' }, {}, { kind: 'open', priority: 'service' }],
    ['a meal request while an emergency is open opens its own order', 'service.request', { service: 'meal' }, { care }, { kind: 'open', priority: 'service' }],
    ['a meal request while an urgent alarm is open opens its own order', 'service.request', { service: 'meal' }, { care: urgent }, { kind: 'open', priority: 'service' }],
    ['a fall while an order is open opens an emergency (not a raise of the order)', 'fall.detected', {}, { service: order }, { kind: 'open', priority: 'emergency' }],
    ['a button press while an order and an emergency are open joins the emergency', 'button.pressed', {}, { care, service: order }, { kind: 'join', alarmId: 'care-1', priority: 'emergency' }],
    ['a second meal request joins the open order', 'service.request', { service: 'meal' }, { service: order }, { kind: 'join', alarmId: 'order-1', priority: 'service' }],
    ['a bathing request while a meal order is open joins it too (one visit at a time)', 'service.request', { service: 'bathing' }, { service: order }, { kind: 'join', alarmId: 'order-1', priority: 'service' }],
    ['a battery warning goes to the technical lane, not the order', 'battery.low', { level: 0.1 }, { service: order }, { kind: 'open', priority: 'technical' }],
    ['a cancel calls off the care alarm first', 'cancel', {}, { care, service: order }, { kind: 'cancel', alarmId: 'care-1' }],
    ['a cancel with only an order open calls off the order', 'cancel', {}, { service: order }, { kind: 'cancel', alarmId: 'order-1' }],
    ['a cancel with nothing open does nothing', 'cancel', {}, {}, { kind: 'none' }],
  ];
  it.each(cases)('%s', (_name, type, data, activeByLane, expected) => {
    expect(planEvent(classifyEvent(type, data, CTX), activeByLane)).toEqual(expected);
  });

  it('lanes by priority: emergency and urgent are care, service its own, technical its own', () => {
    expect((['emergency', 'urgent', 'service', 'technical'] as const).map(laneOf)).toEqual(['care', 'care', 'service', 'technical']);
  });

  it('serviceGrouping: join the active order, else open', () => {
    expect(serviceGrouping(undefined)).toEqual({ action: 'open' });
    expect(serviceGrouping(order)).toEqual({ action: 'join', alarmId: 'order-1' });
  });

  it.each([
    [{ service: 'meal' }, 'meal'],
    [{ service: 'bathing', note: 'after lunch' }, 'bathing'],
    [{ service: 'juggling' }, 'other'],
    [{}, 'other'],
  ] as const)('serviceOf(%j) is %s', (data, kind) => {
    expect(serviceOf(data)).toBe(kind);
  });
});

const cand = (id: string, skills: ServiceKind[] = [], o: Partial<Candidate> = {}): Candidate => ({
  caregiverId: id,
  name: id,
  role: 'caregiver',
  wearableId: `w-${id}`,
  wearableOnline: true,
  phone: null,
  activeAlarms: 0,
  ...(skills.length > 0 && { skills }),
  ...o,
});
const ids = (list: Candidate[]) => list.map((c) => c.caregiverId);

describe('routing a service order by skill', () => {
  // the pools as buildRoutingPool ranks them (least busy first): servicePool keeps that order inside each group
  const cases: Array<[string, ServiceKind, Pick<RoutingPool, 'grid' | 'community'>, { grid: string[]; community: string[] }]> = [
    [
      'the grid with the skill, then the community with it, then the rest of the grid',
      'meal',
      { grid: [cand('g-plain'), cand('g-cook', ['meal'])], community: [cand('c-cook', ['meal', 'bathing']), cand('c-plain')] },
      { grid: ['g-cook', 'c-cook', 'g-plain'], community: ['c-plain'] },
    ],
    [
      'nobody in the grid with the skill: the community\'s first',
      'bathing',
      { grid: [cand('g-plain'), cand('g-cook', ['meal'])], community: [cand('c-bath', ['bathing'])] },
      { grid: ['c-bath', 'g-plain', 'g-cook'], community: [] },
    ],
    [
      'nobody with the skill at all: the grid as before, the community stays the community',
      'haircut',
      { grid: [cand('g-1'), cand('g-2', ['meal'])], community: [cand('c-1')] },
      { grid: ['g-1', 'g-2'], community: ['c-1'] },
    ],
    [
      'several with the skill keep their ranking (least busy first)',
      'meal',
      { grid: [cand('idle-cook', ['meal']), cand('plain'), cand('busy-cook', ['meal'], { activeAlarms: 1 })], community: [] },
      { grid: ['idle-cook', 'busy-cook', 'plain'], community: [] },
    ],
    ['nobody on duty: empty (the policy goes to the console)', 'meal', { grid: [], community: [] }, { grid: [], community: [] }],
  ];
  it.each(cases)('%s', (_name, service, pool, expected) => {
    const boss = cand('boss', [], { role: 'supervisor' });
    const r = servicePool({ ...pool, supervisors: [boss], family: [] }, service);
    expect({ grid: ids(r.grid), community: ids(r.community) }).toEqual(expected);
    expect(ids(r.supervisors)).toEqual(['boss']);
  });
});

function situation(pool: Partial<RoutingPool>): Situation {
  return { pool: { grid: [], community: [], supervisors: [], family: [], ...pool }, people: new Map(), areaPath: ['grid-1'], policy: {}, cancelWindowS: 120 };
}
const resident = { id: 'r-1', name: 'Zhao Min', areaId: 'grid-1', address: '3 Plum Lane', notes: 'diabetic', phone: null, grid: 'Grid 1' };
const trigger = (type: Trigger['type'], data: Record<string, unknown>): Trigger => ({ deviceId: 'hub-1', residentId: 'r-1', eventId: 'e-1', fingerprint: 'f', type, data, at: NOW });

describe('opening and accepting an order (decide)', () => {
  const pool = { grid: [cand('plain'), cand('cook', ['meal'])] };
  const s = { ...situation(pool), resident };
  const open = (service: string) =>
    decide(undefined, { type: 'open', alarmId: 'order-1', trigger: trigger('service.request', { service }), priority: 'service', replyCode: '1234', newId }, s, NOW);

  it('the order carries its service, asks the caregiver with the skill first and tells the device at once', () => {
    const d = open('meal');
    expect(d.alarm).toMatchObject({ lane: 'service', priority: 'service', service: 'meal', currentNotified: ['cook'] });
    expect(d.effects.commands).toEqual([{ deviceId: 'hub-1', command: { type: 'service.received', alarmId: 'order-1', service: 'meal' } }]);
    expect(deviceCommandSchema.parse(d.effects.commands[0]!.command)).toBeTruthy();
    const alert = alertFor(d.alarm);
    expect(alertSchema.parse(alert).service).toBe('meal');
    expect(smsBody(d.alarm, 'caregiver')).toMatch(/^SERVICE service request: meal: Zhao Min, 3 Plum Lane\./);
  });

  it('an emergency opens without a service, its alert without one, and the device hears nothing new', () => {
    const d = decide(undefined, { type: 'open', alarmId: 'em-1', trigger: trigger('fall.detected', {}), priority: 'emergency', replyCode: '4321', newId }, s, NOW);
    expect(d.alarm.service).toBeUndefined();
    expect(d.alarm.lane).toBe('care');
    expect(d.effects.commands).toEqual([]);
    expect('service' in alertFor(d.alarm)).toBe(false);
    // an emergency is routed as always: the grid in its ranked order, skills or not
    expect(d.alarm.currentNotified).toEqual(['plain']);
  });

  const accepts: Array<[string, Date | undefined, Record<string, unknown>]> = [
    ['with when they will come', at(3600), { type: 'service.scheduled', alarmId: 'order-1', by: 'cook', at: at(3600).toISOString() }],
    ['without a time', undefined, { type: 'service.scheduled', alarmId: 'order-1', by: 'cook' }],
  ];
  it.each(accepts)('accepting %s tells the device service.scheduled (not alarm.accepted)', (_name, when, command) => {
    const a: AlarmRecord = open('meal').alarm;
    const d = decide(a, { type: 'act', request: { action: 'accept', actor: { kind: 'caregiver', id: 'cook', name: 'cook' }, caregiverId: 'cook', via: 'wearable', at: when }, newId }, s, at(60));
    expect(d.refused).toBeUndefined();
    expect(d.alarm.status).toBe('accepted');
    expect(d.effects.commands).toEqual([{ deviceId: 'hub-1', command }]);
    expect(deviceCommandSchema.parse(command)).toEqual(command);
  });

  it('a second request joining the order is on its timeline with its service; the order keeps its own', () => {
    const a = open('meal').alarm;
    const d = decide(a, { type: 'join', trigger: { ...trigger('service.request', { service: 'bathing' }), eventId: 'e-2' }, priority: 'service', newId }, s, at(120));
    expect(d.alarm).toMatchObject({ service: 'meal', priority: 'service', eventCount: 2, currentNotified: ['cook'] });
    expect(d.effects.timeline.map((r) => [r.code, r.detail])).toEqual([['event.joined', { deviceId: 'hub-1', eventId: 'e-2', type: 'service.request', service: 'bathing' }]]);
    expect(d.effects.notices).toEqual([]);
  });

  it('the policy snapshot is the service policy (accept within 15 min)', () => {
    expect(open('meal').alarm.policy).toEqual(DEFAULT_POLICIES.service);
    expect(open('meal').alarm.acceptLimitS).toBe(900);
  });

  it('a decline by the skilled caregiver moves on to everyone in the grid (all_in_grid)', () => {
    const a = open('meal').alarm;
    const d = decide(a, { type: 'act', request: { action: 'decline', actor: { kind: 'caregiver', id: 'cook', name: 'cook' }, caregiverId: 'cook', via: 'wearable' }, newId }, s, at(30));
    expect(d.alarm.stepKind).toBe('all_in_grid');
    expect(d.alarm.currentNotified).toEqual(['plain']);
  });
});
