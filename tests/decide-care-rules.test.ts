/**
 * Care rules of the pure core added for "every alarm reaches a person", table by table: who may
 * take an open alarm without having been alerted, and when a step nobody can hear moves on.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from '../contract/alarm-record.ts';
import { decide, stepUnheard } from '../dispatch-console/core/decide.ts';
import { at, cand, newId, openAlarm, person, situationOf } from './helpers/core-cases.ts';
import type { RoutingPool } from '../dispatch-console/core/routing.ts';
import type { Person, Situation } from '../dispatch-console/core/situation.ts';

const li = person('li');
const wang = person('wang');
const far = person('far', { areaIds: ['grid-9'] });
const boss = person('boss', { role: 'supervisor' });

const situation = (pool: Partial<RoutingPool>): Situation => situationOf(pool, [li, wang, far, boss]);

describe('taking an open alarm one was not alerted to', () => {
  const pool = { grid: [cand(li), cand(wang)], community: [], supervisors: [cand(boss)] };
  const cases: Array<[string, Person, 'accept' | 'arrive', Partial<RoutingPool>, string | null]> = [
    ['the alerted caregiver', li, 'accept', pool, null],
    ['a colleague on duty in the grid ("I\'ve got it")', wang, 'accept', pool, null],
    ['a colleague on duty in the grid, arriving first', wang, 'arrive', pool, null],
    ['the supervisor on duty', boss, 'accept', pool, null],
    ['a caregiver of another community', far, 'accept', pool, 'not_alerted'],
    ['a grid colleague who is off duty (not in the pool)', wang, 'accept', { grid: [cand(li)] }, 'not_alerted'],
  ];
  it.each(cases)('%s', (_name, who, action, p, refusal) => {
    const a = openAlarm();
    const d = decide(a, { type: 'act', request: { action, actor: { kind: 'caregiver', id: who.id, name: who.name }, caregiverId: who.id, via: 'wearable' }, newId }, situation(p), at(10));
    if (refusal === null) {
      expect(d.refused).toBeUndefined();
      expect(d.alarm.acceptedBy).toBe(who.id);
      const row = d.effects.timeline.find((t) => t.code === 'alarm.accepted')!;
      expect(row.detail).toMatchObject({ via: 'wearable' });
      expect((row.detail as { alerted?: boolean }).alerted).toBe(who === li ? undefined : false);
      return;
    }
    expect(d.refused).toMatchObject({ kind: 'conflict', reason: refusal });
    expect(d.alarm).toBe(a); // nothing changed
    expect(d.effects.timeline.map((t) => [t.code, (t.detail as { reason?: string }).reason])).toEqual([['ack.refused', 'not_alerted']]);
    expect(d.effects.withdrawals).toEqual([{ wearableId: who.wearableId, message: { type: 'alarm.closed', alarmId: a.id, reason: 'unknown' } }]);
  });

  it('an SMS accept from a family contact (no caregiver id) is not this rule\'s to refuse', () => {
    const d = decide(openAlarm(), { type: 'act', request: { action: 'accept', actor: { kind: 'contact', name: 'Daughter' }, via: 'sms' }, newId }, situation({}), at(10));
    expect(d.refused).toBeUndefined();
    expect(d.alarm.status).toBe('accepted');
  });
});

describe('stepUnheard: every wrist the step asked is gone', () => {
  const online = (m: Record<string, boolean | undefined>) => (id: string) => m[id];
  const base = openAlarm();
  const cases: Array<[string, AlarmRecord, Record<string, boolean | undefined>, boolean]> = [
    ['the one wrist asked is gone', base, { li: false }, true],
    ['the one wrist asked is still there', base, { li: true }, false],
    ['one of two gone, the other there', { ...base, currentNotified: ['li', 'wang'] }, { li: false, wang: true }, false],
    ['both gone', { ...base, currentNotified: ['li', 'wang'] }, { li: false, wang: false }, true],
    ['asked by SMS only (no wrist): the ask stands', { ...base, currentNotified: ['li', 'sms-only'] }, { li: false, 'sms-only': undefined }, false],
    ['a console step is the operators\'', { ...base, stepKind: 'console' }, { li: false }, false],
    ['already accepted', { ...base, status: 'accepted' }, { li: false }, false],
    ['nobody asked', { ...base, currentNotified: [] }, {}, false],
  ];
  it.each(cases)('%s', (_name, a, m, expected) => expect(stepUnheard(a, online(m))).toBe(expected));
});

describe('resident_found: an alarm opened before the directory knew its device\'s resident', () => {
  const home = { id: 'r-1', name: 'Huang Xueying', areaId: 'grid-1', address: '3 Lotus Lane', notes: 'hard of hearing', accessInfo: 'key safe 1234', phone: null, grid: 'Grid 1' };
  const known = (pool: Partial<RoutingPool>): Situation => ({ ...situation(pool), resident: home });
  // opened as an unassigned device: nobody in a grid to ask, the operators called
  const unassigned = (): AlarmRecord => ({ ...openAlarm(), stepKind: 'console', currentNotified: [], notified: [] });
  const pool = { grid: [cand(li), cand(wang)], community: [], supervisors: [cand(boss)] };
  const found = (a: AlarmRecord, s: Situation) => decide(a, { type: 'resident_found', newId }, s, at(5));

  it('an open one names the resident, takes their area and asks their grid again from the first step', () => {
    const a = unassigned();
    const d = found(a, known(pool));
    expect(d.alarm).toMatchObject({ residentId: 'r-1', areaId: 'grid-1', status: 'open', step: 1, stepKind: 'next_in_grid', token: a.token + 1 });
    expect(d.alarm.resident).toEqual({ id: 'r-1', name: 'Huang Xueying', address: '3 Lotus Lane', grid: 'Grid 1', notes: 'hard of hearing', accessInfo: 'key safe 1234', phone: null });
    expect(d.effects.timeline.map((t) => t.code)).toEqual(['resident.identified', 'step.started', 'notification.sent']);
    expect(d.effects.timeline[0]!.detail).toEqual({ residentId: 'r-1', name: 'Huang Xueying', grid: 'Grid 1' });
    expect(d.effects.notices.map((p) => p.notice.channel === 'wearable' && p.notice.wearableId)).toEqual(['w-li']);
    expect(d.alarm.deadline).toEqual(at(5 + d.alarm.policy.steps[0]!.acceptWithinS!));
  });

  it('an accepted one keeps its holder and its cursor: only the resident is filled in', () => {
    const a: AlarmRecord = { ...unassigned(), status: 'accepted', acceptedBy: 'wang', acceptedByName: 'wang', acceptedAt: at(2) };
    const d = found(a, known(pool));
    expect(d.alarm).toMatchObject({ residentId: 'r-1', areaId: 'grid-1', status: 'accepted', acceptedBy: 'wang', step: a.step, token: a.token });
    expect(d.effects.timeline.map((t) => t.code)).toEqual(['resident.identified']);
    expect(d.effects.notices).toEqual([]);
  });

  const unchanged: Array<[string, () => AlarmRecord, Situation]> = [
    ['the alarm already has its resident', () => ({ ...unassigned(), residentId: 'r-0' }), known(pool)],
    ['the directory still does not know the resident', unassigned, situation(pool)],
    ['a technical alarm stays with its device', () => ({ ...unassigned(), lane: 'technical', priority: 'technical' }), known(pool)],
  ];
  it.each(unchanged)('nothing changes when %s', (_name, make, s) => {
    const a = make();
    const d = found(a, s);
    expect(d.alarm).toBe(a);
    expect(d.effects.timeline).toEqual([]);
    expect(d.effects.notices).toEqual([]);
  });
});
