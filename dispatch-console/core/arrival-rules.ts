import type { Priority } from '../../contract/alarms.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { ActionRequest } from './action-request.ts';
import { helpIsComing, smsBody, withdrawal } from './alarm-messages.ts';
import { Effects, stateOf, SYSTEM } from './alarm-state.ts';
import { noticesFor, type Notice, type StepResult } from './escalation.ts';
import { isReachable, type Candidate, type RoutingPool } from './routing.ts';
import { fitOneSegment } from './sms-segments.ts';
import type { Situation } from './situation.ts';

/**
 * Closed-loop arrival (DESIGN "Coverage and arrival"). An accepted alarm carries a deadline
 * again: its arrive limit counted from the accept (stored in the alarm's deadline/token like
 * every escalation deadline, so it survives a restart and is re-armed at start). When it
 * passes with nobody on site, the console is told (`arrival.overdue`); for an emergency or an
 * urgent alarm the next caregiver is alerted as well (`arrival.redispatched`) and the holder is
 * asked whether they are still on the way (`arrival.check` on the wrist, or an SMS when the
 * wrist is offline). The holder keeps the alarm; whoever was redispatched and accepts (or
 * arrives) takes it over, and the first is told `alarm.taken`. If the redispatched caregiver
 * does not take it within the alarm's accept limit, the next one is alerted, and so on until
 * nobody is left (the console already knows).
 *
 * Bookkeeping on the stored alarm, no new columns: `currentNotified` of an accepted alarm holds
 * the caregivers redispatched to since the holder's accept; `arrivalOverdue` that the holder's
 * limit passed (set back when someone else takes it over).
 */

/** Priorities whose overdue arrival sends the next caregiver (a meal can wait; a fall cannot). */
export const REDISPATCHED: readonly Priority[] = ['emergency', 'urgent'];

/** When the holder of an accepted alarm must be on site: the arrive limit from their accept. */
export function arrivalDeadline(a: Pick<AlarmRecord, 'status' | 'acceptedAt' | 'arriveLimitS'>): Date | null {
  if (a.status !== 'accepted' || a.acceptedAt === null) return null;
  return new Date(a.acceptedAt.getTime() + a.arriveLimitS * 1000);
}

/**
 * Hook at the end of every action (alarm-actions.ts): a fresh accept arms the arrival deadline;
 * arriving (or handing it back) ends the redispatch, and the wrists it alerted are told.
 */
export function afterAction(prev: AlarmRecord, next: AlarmRecord, fx: Effects, s: Situation, actorId: string | undefined): AlarmRecord {
  if (next.status === 'accepted' && (prev.status !== 'accepted' || prev.acceptedBy !== next.acceptedBy)) {
    return { ...next, deadline: arrivalDeadline(next), arrivalOverdue: false };
  }
  if (prev.status === 'accepted' && next.status === 'on_site') {
    const others = prev.currentNotified.filter((id) => id !== actorId && id !== prev.acceptedBy);
    fx.withdrawFrom(wearablesOf(others, s), withdrawal(prev.id, 'accepted', next.acceptedByName ?? undefined));
    return { ...next, deadline: null, currentNotified: [] };
  }
  return next;
}

/** A graver event joined an accepted alarm: its arrival deadline follows the new limit (not once redispatching). */
export const rearmArrival = (a: AlarmRecord): AlarmRecord => (a.status === 'accepted' && !a.arrivalOverdue ? { ...a, deadline: arrivalDeadline(a) } : a);

const wearablesOf = (ids: readonly string[], s: Situation) => ids.map((id) => ({ caregiverId: id, wearableId: s.people.get(id)?.wearableId ?? null }));

/** The next caregiver to send: the resident's circles in routing order, not yet asked, reachable. */
export function nextForArrival(a: AlarmRecord, pool: RoutingPool): Candidate | undefined {
  const skip = new Set([...(a.acceptedBy ? [a.acceptedBy] : []), ...a.currentNotified, ...a.declined]);
  for (const circle of [pool.grid, pool.community, pool.supervisors]) {
    const c = circle.find((x) => !skip.has(x.caregiverId) && isReachable(x));
    if (c) return c;
  }
  return undefined;
}

/** The SMS for a holder whose wrist is offline. */
export function arrivalCheckSms(a: AlarmRecord, also: string | undefined): string {
  const where = a.resident.address ? `, ${a.resident.address}` : '';
  const more = also ? ` ${also} has been alerted too.` : '';
  return fitOneSegment(`Still on your way to ${a.resident.name}${where}?${more}`, ' Press arrived on site, or call the centre.');
}

/**
 * The arrival deadline passed (the timer, or the watchdog for a missed one). Stale (another
 * token) or early (`undeliverable` SMS, a clock that fired early): nothing.
 */
export function arrivalDue(a: AlarmRecord, token: number, s: Situation, now: Date, newId: () => string): { alarm: AlarmRecord; effects: Effects } {
  const fx = new Effects(a, newId);
  if (a.status !== 'accepted' || a.token !== token || a.deadline === null || now.getTime() < a.deadline.getTime()) return { alarm: a, effects: fx };
  if (!a.arrivalOverdue) {
    fx.log('arrival.overdue', SYSTEM, now, { limitS: a.arriveLimitS, acceptedBy: a.acceptedByName, since: a.acceptedAt?.toISOString() });
    fx.log('console.called', SYSTEM, now, { reason: 'arrival_overdue' });
  }
  return redispatch(a, s, now, fx);
}

/** Sends the next caregiver (or finds nobody left); the holder is asked at the first round. */
function redispatch(a: AlarmRecord, s: Situation, now: Date, fx: Effects): { alarm: AlarmRecord; effects: Effects } {
  const first = !a.arrivalOverdue;
  let alarm: AlarmRecord = { ...a, arrivalOverdue: true, token: a.token + 1, deadline: null };
  const next = REDISPATCHED.includes(a.priority) ? nextForArrival(a, s.pool) : undefined;
  if (!next) {
    // nobody left to send (or a priority that is not redispatched): the operators have it
    if (!first) fx.log('console.called', SYSTEM, now, { reason: 'arrival_nobody_left' });
    fx.alarm = alarm;
    return { alarm, effects: fx };
  }
  const asked = [...a.currentNotified, next.caregiverId];
  alarm = {
    ...alarm,
    deadline: new Date(now.getTime() + a.acceptLimitS * 1000),
    notified: [...new Set([...a.notified, next.caregiverId])],
    currentNotified: asked,
  };
  fx.alarm = alarm;
  fx.log('arrival.redispatched', SYSTEM, now, {
    limitS: a.arriveLimitS,
    acceptedBy: a.acceptedByName,
    acceptedById: a.acceptedBy,
    to: [next.name],
    toIds: [next.caregiverId],
    round: asked.length,
    deadline: alarm.deadline?.toISOString(),
  });
  const notices: Notice[] = noticesFor(next);
  const holder = a.acceptedBy ? s.people.get(a.acceptedBy) : undefined;
  // the holder is asked once, at the first redispatch: on the wrist, or by SMS if it is offline
  if (holder && first) {
    if (holder.wearableId !== null && holder.wearableOnline) fx.wristMessages.push({ wearableId: holder.wearableId, message: { type: 'arrival.check', alarmId: a.id, also: next.name } });
    else if (holder.phone !== null) notices.push({ channel: 'sms', audience: 'caregiver', caregiverId: holder.id, name: holder.name, phone: holder.phone });
  }
  const r: StepResult = { state: stateOf(alarm), step: a.step, kind: a.stepKind ?? 'next_in_grid', repeated: false, notices, skipped: [] };
  fx.step(r, now, (n) => (n.channel !== 'sms' ? null : n.caregiverId === a.acceptedBy ? arrivalCheckSms(alarm, next.name) : smsBody(alarm, n.audience)), { started: false });
  return { alarm, effects: fx };
}

/**
 * A redispatched caregiver accepts (or arrives): the alarm is theirs now. The first holder is
 * told `alarm.taken`, as is everyone else the redispatch alerted; the resident hears the new
 * name. One who declines is recorded (and the next sent if nobody else is waiting to answer).
 * Undefined: not such an action (the lifecycle rules decide as usual).
 */
export function takeOver(a: AlarmRecord, req: ActionRequest, now: Date, s: Situation, newId: () => string): Effects | undefined {
  const id = req.caregiverId;
  if (a.status !== 'accepted' || !id || id === a.acceptedBy || !a.currentNotified.includes(id)) return undefined;
  if (req.action !== 'accept' && req.action !== 'arrive' && req.action !== 'decline') return undefined;
  const fx = new Effects(a, newId);
  if (req.action === 'decline') {
    // cannot go: recorded; when nobody sent is left waiting, the next one goes at once
    fx.log('alarm.declined', req.actor, now, { via: req.via, ...(req.note && { note: req.note }), reopened: false, redispatch: true });
    const declined: AlarmRecord = { ...a, declined: [...a.declined, id], currentNotified: a.currentNotified.filter((x) => x !== id) };
    if (declined.currentNotified.length > 0) {
      fx.alarm = declined;
      return fx;
    }
    return redispatch(declined, s, now, fx).effects;
  }
  const name = req.actor.name ?? s.people.get(id)?.name ?? 'caregiver';
  const detail = { via: req.via, ...(req.note && { note: req.note }), takeover: true, from: a.acceptedBy, fromName: a.acceptedByName };
  const seconds = (now.getTime() - a.raisedAt.getTime()) / 1000;
  // the first holder, late once, is not sent again by a later redispatch (nor by a reopening)
  const declined = a.acceptedBy && !a.declined.includes(a.acceptedBy) ? [...a.declined, a.acceptedBy] : a.declined;
  let next: AlarmRecord = { ...a, acceptedBy: id, acceptedByName: name, acceptedAt: now, token: a.token + 1, currentNotified: [], declined, arrivalOverdue: false };
  fx.log('alarm.accepted', req.actor, now, { ...detail, seconds, withinLimit: seconds <= a.acceptLimitS });
  const told = [...(a.acceptedBy ? [a.acceptedBy] : []), ...a.currentNotified];
  fx.withdrawFrom(wearablesOf(told, s), withdrawal(a.id, 'accepted', name), id);
  if (a.acceptedBy) fx.busy.push({ caregiverId: a.acceptedBy, delta: -1 });
  fx.busy.push({ caregiverId: id, delta: 1 });
  fx.commands.push({ deviceId: a.deviceId, command: helpIsComing(a, name) });
  if (req.action === 'arrive') {
    next = { ...next, status: 'on_site', arrivedAt: now, deadline: null };
    fx.log('alarm.arrived', req.actor, now, { via: req.via, seconds, withinLimit: seconds <= a.arriveLimitS });
  } else {
    next = { ...next, deadline: arrivalDeadline(next) };
  }
  fx.alarm = next;
  return fx;
}
