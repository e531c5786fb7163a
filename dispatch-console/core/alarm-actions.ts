import type { AlarmRecord } from '../../contract/alarm-record.ts';
import { alarmClosedCommand, helpIsComing, withdrawal } from './alarm-messages.ts';
import { cancelDecision, type ActiveAlarmView } from './alarm-rules.ts';
import { Effects, policyOf, stateOf, SYSTEM, withState } from './alarm-state.ts';
import { transition } from './alarm-transitions.ts';
import { applyDecline, nextStep, reassignTo, stopEscalation, type Notice } from './escalation.ts';
import { candidateOf } from './routing.ts';
import { afterAction, takeOver } from './arrival-rules.ts';
import { serviceScheduled } from './service-orders.ts';
import type { Refusal, Situation } from './situation.ts';
import type { ActionRequest } from './action-request.ts';

export type { ActionRequest } from './action-request.ts';

export interface ActionDeps {
  situation: Situation;
  body: (a: AlarmRecord, n: Notice) => string | null;
  newId: () => string;
}

/**
 * One action on a locked alarm row: the lifecycle rule decides, this writes down what
 * follows (timeline, escalation cursor, wrists to stop, the resident's "help is coming").
 */
export function applyAlarmAction(a: AlarmRecord, req: ActionRequest, now: Date, deps: ActionDeps): { effects: Effects; refused?: Refusal } {
  const fx = new Effects(a, deps.newId);
  const { actor } = req;
  const s = deps.situation;
  const detail: { via: ActionRequest['via']; note?: string; alerted?: boolean } = { via: req.via, ...(req.note && { note: req.note }) };
  const wearables = (ids: readonly string[]) => ids.map((id) => ({ caregiverId: id, wearableId: s.people.get(id)?.wearableId ?? null }));
  const actorWearable = req.caregiverId ? (s.people.get(req.caregiverId)?.wearableId ?? null) : null;

  if (req.action === 'note') {
    if (!req.note) return { effects: fx, refused: { kind: 'invalid', reason: 'note_missing', message: 'note: the text to add to the timeline' } };
    fx.log('note.added', actor, now, { via: req.via, note: req.note });
    return { effects: fx };
  }
  if (req.action === 'cancel' && actor.kind === 'resident' && cancelDecision(a as ActiveAlarmView, now, s.cancelWindowS) === 'late') {
    fx.log('cancel.late', actor, now, { deviceId: req.deviceId, status: a.status });
    fx.log('console.called', SYSTEM, now, { reason: 'resident_cancel_too_late' });
    return { effects: fx };
  }
  // a caregiver sent because the holder did not arrive in time takes the alarm over
  const taken = takeOver(a, req, now, s, deps.newId);
  if (taken) return { effects: taken };
  const t = transition({ status: a.status, acceptedBy: a.acceptedBy, action: req.action, actor: { kind: actor.kind, caregiverId: req.caregiverId } });
  if (!t.ok) {
    fx.log('ack.refused', actor, now, { ...detail, action: req.action, reason: t.reason, status: a.status });
    if (req.via === 'wearable' && actorWearable) {
      const closed = a.status === 'resolved' || a.status === 'cancelled';
      fx.withdrawals.push({ wearableId: actorWearable, message: withdrawal(a.id, closed ? 'closed' : 'accepted', a.acceptedByName ?? undefined) });
    }
    const message = `alarm ${a.id} cannot take "${req.action}" now: ${t.reason.replace(/_/g, ' ')}`;
    return { effects: fx, refused: { kind: 'conflict', reason: t.reason, message, details: { reason: t.reason, status: a.status } } };
  }
  if (!t.changed) return { effects: fx };

  const actorName = actor.name ?? (actor.kind === 'resident' ? 'resident' : actor.kind);
  let next: AlarmRecord = { ...a, status: t.status };
  const take = () => {
    next = { ...withState(next, stopEscalation(stateOf(next))), acceptedAt: next.acceptedAt ?? now, acceptedBy: req.caregiverId ?? null, acceptedByName: actorName };
    fx.log('alarm.accepted', actor, now, { ...detail, seconds: (now.getTime() - a.raisedAt.getTime()) / 1000, withinLimit: now.getTime() - a.raisedAt.getTime() <= a.acceptLimitS * 1000 });
    fx.withdrawFrom(wearables(a.notified), withdrawal(a.id, 'accepted', actorName), req.caregiverId);
    fx.commands.push({ deviceId: a.deviceId, command: a.service ? serviceScheduled(a, actorName, req.at) : helpIsComing(a, actorName) });
    if (req.caregiverId) fx.busy.push({ caregiverId: req.caregiverId, delta: 1 });
  };
  const close = (code: 'alarm.resolved' | 'alarm.cancelled', outcome: string) => {
    next = { ...withState(next, stopEscalation(stateOf(next))), closedAt: now, outcome };
    fx.log(code, actor, now, { ...detail, outcome });
    // every wrist that heard of it stops, the one on its way included (an operator may close
    // it under them); only whoever closed it needs no telling
    const heard = a.acceptedBy && !a.notified.includes(a.acceptedBy) ? [...a.notified, a.acceptedBy] : a.notified;
    fx.withdrawFrom(wearables(heard), withdrawal(a.id, 'closed', actorName), req.caregiverId);
    fx.commands.push({ deviceId: a.deviceId, command: alarmClosedCommand(a, outcome) });
    if (a.acceptedBy) fx.busy.push({ caregiverId: a.acceptedBy, delta: -1 });
  };
  const escalateNow = () => {
    const r = nextStep(policyOf(next), stateOf(next), s.pool, now);
    next = withState(next, r.state, r.kind);
    fx.alarm = next;
    fx.step(r, now, (n) => deps.body(next, n));
  };

  // Someone who was not alerted may take an open alarm if they are on duty within its
  // escalation circles ("I've got it" from a colleague nearby, as in nurse call): recorded as
  // such. Anyone else is refused: a wrist far away must not take an alarm nobody asked it for.
  if ((req.action === 'accept' || req.action === 'arrive') && a.status === 'open' && req.caregiverId && !a.notified.includes(req.caregiverId)) {
    const id = req.caregiverId;
    const p = s.pool;
    if (![...p.grid, ...p.community, ...p.supervisors].some((c) => c.caregiverId === id)) {
      fx.log('ack.refused', actor, now, { ...detail, action: req.action, reason: 'not_alerted', status: a.status });
      if (req.via === 'wearable' && actorWearable) fx.withdrawals.push({ wearableId: actorWearable, message: withdrawal(a.id, 'unknown') });
      const message = `alarm ${a.id} cannot take "${req.action}" from a caregiver who was not alerted and is not on duty near the resident`;
      return { effects: fx, refused: { kind: 'conflict', reason: 'not_alerted', message, details: { reason: 'not_alerted', status: a.status } } };
    }
    detail.alerted = false;
  }

  switch (req.action) {
    case 'accept':
      take();
      break;
    case 'decline': {
      const d = applyDecline(stateOf(next), req.caregiverId!);
      next = withState(next, d.state);
      fx.log('alarm.declined', actor, now, { ...detail, reopened: t.reopens });
      if (t.reopens) {
        next = { ...next, acceptedAt: null, acceptedBy: null, acceptedByName: null };
        fx.busy.push({ caregiverId: req.caregiverId!, delta: -1 });
      }
      if (t.reopens || d.stepExhausted) escalateNow();
      break;
    }
    case 'arrive':
      if (t.assigns || a.status === 'open') take();
      next = { ...next, arrivedAt: now };
      fx.log('alarm.arrived', actor, now, { ...detail, seconds: (now.getTime() - a.raisedAt.getTime()) / 1000, withinLimit: now.getTime() - a.raisedAt.getTime() <= a.arriveLimitS * 1000 });
      break;
    case 'resolve':
      if (t.assigns) next = { ...next, acceptedAt: now, acceptedBy: req.caregiverId ?? null, acceptedByName: actorName };
      close('alarm.resolved', req.outcome ?? 'assisted');
      break;
    case 'cancel':
      close('alarm.cancelled', req.outcome ?? (actor.kind === 'resident' ? 'false_alarm' : 'cancelled'));
      // the resident says all is well; the operator still hears about it
      if (actor.kind === 'resident') fx.log('console.called', SYSTEM, now, { reason: 'resident_cancelled' });
      break;
    case 'reassign': {
      const target = req.targetCaregiverId ? s.people.get(req.targetCaregiverId) : undefined;
      if (!target) {
        const refused: Refusal = req.targetCaregiverId
          ? { kind: 'invalid', reason: 'caregiver_not_found', message: `caregiver ${req.targetCaregiverId} does not exist` }
          : { kind: 'invalid', reason: 'reassign_target_missing', message: 'caregiverId: whom to reassign to' };
        return { effects: new Effects(a, deps.newId), refused };
      }
      const cand = candidateOf(target, () => target.wearableOnline, 0);
      if (a.acceptedBy && a.acceptedBy !== target.id) {
        fx.withdrawFrom(wearables([a.acceptedBy]), withdrawal(a.id, 'reassigned', target.name));
        fx.busy.push({ caregiverId: a.acceptedBy, delta: -1 });
      }
      next = { ...next, acceptedAt: null, acceptedBy: null, acceptedByName: null };
      const r = reassignTo(policyOf(next), stateOf(next), cand, now);
      next = withState(next, r.state, r.kind);
      fx.log('alarm.reassigned', actor, now, {
        ...detail,
        to: target.id,
        toName: target.name,
        from: a.acceptedBy,
        fromName: a.acceptedByName,
        onDuty: target.onDuty,
        step: r.step,
        deadline: r.state.deadline?.toISOString(),
      });
      fx.alarm = next;
      fx.step({ ...r, skipped: [] }, now, (n) => deps.body(next, n), { started: false });
      break;
    }
  }
  if (req.note && req.action !== 'decline') fx.log('note.added', actor, now, { note: req.note });
  fx.alarm = afterAction(a, next, fx, s, req.caregiverId);
  return { effects: fx };
}
