/**
 * Closed-loop arrival, table by table through the pure core (decide): the arrive limit counts
 * from the accept; when it passes with nobody on site the console is told and, for emergency
 * and urgent alarms, the next caregiver is sent while the holder is asked if still coming.
 */
import { describe, expect, it } from 'vitest';
import type { Priority } from '../contract/alarms.ts';
import type { AlarmRecord } from '../contract/alarm-record.ts';
import { DEFAULT_POLICIES } from '../contract/escalation-policy.ts';
import { arrivalDeadline } from '../dispatch-console/core/arrival-rules.ts';
import { at, cand, newId, openAlarm, person, situationOf } from './helpers/core-cases.ts';
import { decide, dueAction, type Decision } from '../dispatch-console/core/decide.ts';
import type { RoutingPool } from '../dispatch-console/core/routing.ts';
import type { Person, Situation } from '../dispatch-console/core/situation.ts';

const li = person('li');
const wang = person('wang');
const zhao = person('zhao');
const boss = person('boss', { role: 'supervisor' });
const POOL: Partial<RoutingPool> = { grid: [cand(li), cand(wang), cand(zhao)], supervisors: [cand(boss)] };

const situation = (pool: Partial<RoutingPool> = POOL, people: Person[] = [li, wang, zhao, boss]): Situation => situationOf(pool, people);

const LIMIT: Record<Priority, number> = { emergency: 20 * 60, urgent: 45 * 60, service: 8 * 3600, technical: 2 * 86_400 };


const act = (a: AlarmRecord, who: Person, action: 'accept' | 'arrive' | 'decline' | 'resolve', t: Date, s = situation()): Decision =>
  decide(a, { type: 'act', request: { action, actor: { kind: 'caregiver', id: who.id, name: who.name }, caregiverId: who.id, via: 'wearable' }, newId }, s, t);
const fire = (a: AlarmRecord, t: Date, s = situation(), reason: 'deadline' | 'watchdog' | 'undeliverable' = 'deadline'): Decision =>
  decide(a, { type: 'escalate', token: a.token, reason, newId }, s, t);
const codes = (d: Decision) => d.effects.timeline.map((r) => r.code);

/** Li accepts `acceptS` after the raise. */
const accepted = (priority: Priority = 'emergency', acceptS = 30) => act(openAlarm(priority), li, 'accept', at(acceptS)).alarm;

describe('the arrival deadline counts from the accept', () => {
  const cases: Array<[string, Priority, number]> = [
    ['emergency accepted at once', 'emergency', 30],
    ['emergency accepted late in the raise window (19 min)', 'emergency', 19 * 60],
    ['urgent', 'urgent', 120],
    ['service (same day)', 'service', 600],
  ];
  it.each(cases)('%s: deadline = accept + its arrive limit, stored with the alarm', (_name, priority, acceptS) => {
    const a = accepted(priority, acceptS);
    expect(a.status).toBe('accepted');
    expect(a.deadline).toEqual(at(acceptS + LIMIT[priority]));
    expect(arrivalDeadline(a)).toEqual(a.deadline);
  });

  it('a graver event joins an accepted urgent alarm: the deadline follows the emergency limit, from the same accept', () => {
    const a = accepted('urgent', 100);
    const d = decide(a, { type: 'join', trigger: { deviceId: 'pendant-1', residentId: null, eventId: 'e-2', fingerprint: 'f', type: 'fall.detected', data: {}, at: at(600) }, priority: 'emergency', newId }, situation(), at(600));
    expect(d.alarm).toMatchObject({ priority: 'emergency', status: 'accepted', arriveLimitS: LIMIT.emergency });
    expect(d.alarm.deadline).toEqual(at(100 + LIMIT.emergency));
  });

  it('the watchdog (a lost timer) serves it only past accept + limit + grace, not at raise + limit', () => {
    const a = accepted('emergency', 19 * 60);
    const grace = 5_000;
    expect(dueAction(a, () => true, at(LIMIT.emergency + 10), grace)).toBeUndefined(); // the old rule (from the raise) fired here
    expect(dueAction(a, () => true, new Date(a.deadline!.getTime() + grace), grace)).toBeUndefined();
    expect(dueAction(a, () => true, new Date(a.deadline!.getTime() + grace + 1), grace)).toBe('watchdog');
  });
});

describe('when the limit passes', () => {
  it('one second early: nothing; exactly at the limit: overdue, Wang alerted, Li asked on the wrist', () => {
    const a = accepted();
    const early = fire(a, new Date(a.deadline!.getTime() - 1000));
    expect(early.alarm).toBe(a);
    expect(codes(early)).toEqual([]);
    const d = fire(a, a.deadline!);
    expect(codes(d)).toEqual(['arrival.overdue', 'console.called', 'arrival.redispatched', 'notification.sent']);
    expect(d.alarm.status).toBe('accepted');
    expect(d.alarm.acceptedBy).toBe('li'); // Li keeps it unless Wang accepts
    expect(d.alarm.currentNotified).toEqual(['wang']);
    expect(d.alarm.notified).toContain('wang');
    expect(d.alarm.deadline).toEqual(new Date(a.deadline!.getTime() + DEFAULT_POLICIES.emergency.acceptLimitS * 1000));
    expect(d.alarm.token).toBe(a.token + 1);
    expect(d.effects.notices.map((p) => `${p.notice.channel}:${p.notification.recipientName}`)).toEqual(['wearable:wang']);
    expect(d.effects.wristMessages).toEqual([{ wearableId: 'w-li', message: { type: 'arrival.check', alarmId: 'a-1', also: 'wang' } }]);
    expect(d.effects.timeline.find((r) => r.code === 'arrival.redispatched')!.detail).toMatchObject({ limitS: LIMIT.emergency, acceptedBy: 'li', to: ['wang'] });
  });

  it('arrived one second before the limit: on site, the deadline gone, the timer finds nothing to do', () => {
    const a = accepted();
    const arrived = act(a, li, 'arrive', new Date(a.deadline!.getTime() - 1000)).alarm;
    expect(arrived.status).toBe('on_site');
    expect(arrived.deadline).toBeNull();
    const d = fire({ ...arrived, token: a.token }, a.deadline!);
    expect(codes(d)).toEqual([]);
  });

  it('urgent: at 45 min from the accept, not at 20', () => {
    const a = accepted('urgent', 100);
    expect(codes(fire(a, at(100 + 20 * 60)))).toEqual([]);
    expect(codes(fire(a, at(100 + 45 * 60)))).toContain('arrival.redispatched');
  });

  it('service: the console is told, nobody else is sent, no further deadline', () => {
    const a = accepted('service', 600);
    const d = fire(a, a.deadline!);
    expect(codes(d)).toEqual(['arrival.overdue', 'console.called']);
    expect(d.effects.notices).toEqual([]);
    expect(d.effects.wristMessages).toEqual([]);
    expect(d.alarm.deadline).toBeNull();
    expect(d.alarm.arrivalOverdue).toBe(true);
  });

  it('an SMS failure or a stale timer does not start it early or twice', () => {
    const a = accepted();
    expect(codes(fire(a, new Date(a.deadline!.getTime() - 1), situation(), 'undeliverable'))).toEqual([]);
    const d = fire(a, a.deadline!);
    expect(codes(decide(d.alarm, { type: 'escalate', token: a.token, reason: 'deadline', newId }, situation(), d.alarm.deadline!))).toEqual([]);
  });

  it("the holder's wrist is offline: the question goes by SMS", () => {
    const liOff = { ...li, wearableOnline: false };
    const a = accepted();
    const d = fire(a, a.deadline!, situation(POOL, [liOff, wang, zhao, boss]));
    const sms = d.effects.notices.filter((p) => p.notice.channel === 'sms');
    expect(sms.map((p) => p.notification.recipientName)).toEqual(['li']);
    expect(sms[0]!.notification.body).toMatch(/^Still on your way to .*wang has been alerted too/);
    expect(d.effects.wristMessages).toEqual([]);
  });

  it('nobody else reachable: the console is told, no redispatch', () => {
    const a = accepted();
    const d = fire(a, a.deadline!, situation({ grid: [cand(li)] }));
    expect(codes(d)).toEqual(['arrival.overdue', 'console.called']);
    expect(d.alarm.deadline).toBeNull();
  });

  it('Wang does not take it within the accept limit: Zhao next, then the supervisor, then nobody left', () => {
    let a = fire(accepted(), accepted().deadline!).alarm;
    const next = fire(a, a.deadline!);
    expect(codes(next)).toEqual(['arrival.redispatched', 'notification.sent']); // overdue told once
    expect(next.alarm.currentNotified).toEqual(['wang', 'zhao']);
    a = fire(next.alarm, next.alarm.deadline!).alarm;
    expect(a.currentNotified).toEqual(['wang', 'zhao', 'boss']);
    const last = fire(a, a.deadline!);
    expect(codes(last)).toEqual(['console.called']);
    expect(last.alarm.deadline).toBeNull();
  });
});

describe('after a redispatch', () => {
  const redispatched = () => {
    const a = accepted();
    return fire(a, a.deadline!).alarm;
  };

  it('Wang accepts: it is his (from now on his own arrive limit); Li is told alarm.taken', () => {
    const a = redispatched();
    const t = new Date(a.deadline!.getTime() - 10_000);
    const d = act(a, wang, 'accept', t);
    expect(d.refused).toBeUndefined();
    expect(d.alarm).toMatchObject({ status: 'accepted', acceptedBy: 'wang', currentNotified: [], arrivalOverdue: false });
    expect(d.alarm.deadline).toEqual(new Date(t.getTime() + LIMIT.emergency * 1000));
    expect(d.alarm.declined).toContain('li');
    expect(d.effects.withdrawals).toEqual([{ wearableId: 'w-li', message: { type: 'alarm.taken', alarmId: 'a-1', reason: 'accepted', by: 'wang' } }]);
    expect(d.effects.busy).toEqual([{ caregiverId: 'li', delta: -1 }, { caregiverId: 'wang', delta: 1 }]);
    expect(d.effects.timeline.find((r) => r.code === 'alarm.accepted')!.detail).toMatchObject({ takeover: true, from: 'li' });
    // Wang does not arrive either: the next redispatch skips Li (late once) and Wang (the holder)
    const again = fire(d.alarm, d.alarm.deadline!);
    expect(again.alarm.currentNotified).toEqual(['zhao']);
    expect(again.effects.wristMessages).toEqual([{ wearableId: 'w-wang', message: { type: 'arrival.check', alarmId: 'a-1', also: 'zhao' } }]);
  });

  it('Wang arrives without accepting first: his, on site', () => {
    const d = act(redispatched(), wang, 'arrive', at(25 * 60));
    expect(d.alarm).toMatchObject({ status: 'on_site', acceptedBy: 'wang', deadline: null });
    expect(codes(d)).toEqual(['alarm.accepted', 'alarm.arrived']);
  });

  it('Li arrives after all: hers, on site, and Wang is told to stand down', () => {
    const d = act(redispatched(), li, 'arrive', at(25 * 60));
    expect(d.alarm).toMatchObject({ status: 'on_site', acceptedBy: 'li', deadline: null, currentNotified: [] });
    expect(d.effects.withdrawals.map((w) => w.wearableId)).toEqual(['w-wang']);
  });

  it('Wang declines: recorded, and Zhao is sent at once (nobody else was waiting to answer)', () => {
    const a = redispatched();
    const d = act(a, wang, 'decline', at(21 * 60));
    expect(d.refused).toBeUndefined();
    expect(codes(d)).toEqual(['alarm.declined', 'arrival.redispatched', 'notification.sent']);
    expect(d.alarm).toMatchObject({ status: 'accepted', acceptedBy: 'li', currentNotified: ['zhao'] });
    expect(d.alarm.declined).toContain('wang');
    expect(d.alarm.deadline).toEqual(new Date(at(21 * 60).getTime() + DEFAULT_POLICIES.emergency.acceptLimitS * 1000));
    expect(d.effects.wristMessages).toEqual([]); // Li was asked already
  });

  it('a caregiver nobody redispatched to cannot take it from Li', () => {
    const d = act(redispatched(), zhao, 'accept', at(25 * 60));
    expect(d.refused?.reason).toBe('already_accepted');
  });
});
