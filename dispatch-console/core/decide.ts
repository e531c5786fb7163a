import { resolvePolicy } from '../../contract/escalation-policy.ts';
import type { Actor, AlarmLane, Priority, StepKind } from '../../contract/alarms.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import { applyAlarmAction, type ActionRequest } from './alarm-actions.ts';
import { smsBody } from './alarm-messages.ts';
import { groupDecision, type ActiveAlarmView, type Classification } from './alarm-rules.ts';
import { Effects, newAlarm, policyOf, stateOf, SYSTEM, withState } from './alarm-state.ts';
import { initialState, nextStep, restartEscalation, type Notice } from './escalation.ts';
import { serviceOf, serviceReceived, servicePool } from './service-orders.ts';
import type { Refusal, Situation } from './situation.ts';
import type { Trigger } from './trigger.ts';
import { arrivalDue, rearmArrival } from './arrival-rules.ts';
import { residentFound } from './resident-found.ts';

/**
 * Why an escalation step runs: its deadline, a missed deadline, nobody left on shift, SMS that
 * all failed, every wrist the step asked gone (disconnected, or dropped for not reading).
 */
export type EscalationReason = 'deadline' | 'watchdog' | 'undeliverable' | 'shift_change' | 'wearable_lost';

/** Every input the alarm engine decides on. Ids for what it plans come in with the command. */
export type Command = { newId: () => string } & (
  | { type: 'open'; alarmId: string; trigger: Trigger; priority: Priority; replyCode: string }
  /** A further event of the resident while this alarm is active (its row already recorded). */
  | { type: 'join'; trigger: Trigger; priority: Priority }
  | { type: 'act'; request: ActionRequest }
  | { type: 'escalate'; token: number; reason: EscalationReason }
  | { type: 'arrival_overdue' }
  /** An SMS answered with this alarm's code: recorded whoever sent it (the accept is an `act`). */
  | { type: 'sms_reply'; actor: Actor; from: string; body: string; messageSid: string | undefined }
  /** The directory now knows the resident of the device an alarm opened for without one. */
  | { type: 'resident_found' }
);

export interface Decision {
  /** The alarm as it should be stored (the same object when nothing changed). */
  alarm: AlarmRecord;
  effects: Effects;
  refused?: Refusal;
  /** An escalation step ran: for the shell's metrics and logs. */
  stepped?: { kind: StepKind; reason: EscalationReason };
  /** A deadline was served late by the watchdog. */
  missedDeadline?: { deadline: Date | null; lateMs: number | null };
}

const body = (a: AlarmRecord, n: Notice) => (n.channel === 'sms' ? smsBody(a, n.audience) : null);

/**
 * The alarm engine: one pure function of (alarm, command, situation, now). No timers, sockets,
 * SQL, randomness or clock inside; the shell locks, calls this, saves, then sends.
 */
export function decide(alarm: AlarmRecord | undefined, cmd: Command, situation: Situation, now: Date): Decision {
  // a service order asks the caregivers with its skill first (service-orders.ts)
  const service = cmd.type === 'open' ? (cmd.priority === 'service' ? serviceOf(cmd.trigger.data) : null) : (alarm?.service ?? null);
  const s = service ? { ...situation, pool: servicePool(situation.pool, service) } : situation;
  if (cmd.type === 'open') return open(cmd, s);
  // the shell reads the alarm under its row lock first, and has nothing to decide without one
  if (!alarm) throw new Error(`decide: "${cmd.type}" needs the alarm it acts on`);
  switch (cmd.type) {
    case 'join':
      return join(alarm, cmd, s, now);
    case 'act': {
      const r = applyAlarmAction(alarm, cmd.request, now, { situation: s, body, newId: cmd.newId });
      return { alarm: r.effects.alarm, effects: r.effects, ...(r.refused && { refused: r.refused }) };
    }
    case 'escalate':
      return escalate(alarm, cmd, s, now);
    case 'arrival_overdue':
      return arrivalOverdue(alarm, cmd.newId, now);
    case 'resident_found':
      return residentFound(alarm, s, now, cmd.newId, body);
    case 'sms_reply': {
      const fx = new Effects(alarm, cmd.newId);
      fx.log('sms.reply', cmd.actor, now, { from: cmd.from, body: cmd.body, messageSid: cmd.messageSid });
      return { alarm, effects: fx };
    }
  }
}

function open(cmd: Extract<Command, { type: 'open' }>, s: Situation): Decision {
  const t = cmd.trigger;
  const now = t.at;
  const r = s.resident;
  const policy = resolvePolicy(s.policy, cmd.priority, s.areaPath);
  const first = nextStep(policy, initialState(), s.pool, now);
  const alarm = withState(
    newAlarm({
      id: cmd.alarmId, deviceId: t.deviceId, kind: t.type, priority: cmd.priority, raisedAt: now, resident: r, policy, replyCode: cmd.replyCode,
      service: cmd.priority === 'service' ? serviceOf(t.data) : null,
    }),
    first.state,
    first.kind,
  );
  const fx = new Effects(alarm, cmd.newId);
  fx.log('alarm.raised', { kind: 'resident', id: r?.id, name: r?.name }, now, {
    deviceId: t.deviceId,
    eventId: t.eventId,
    type: t.type,
    priority: cmd.priority,
    data: t.data,
  });
  fx.step(first, now, (n) => body(alarm, n));
  if (alarm.service) fx.commands.push({ deviceId: t.deviceId, command: serviceReceived(alarm, alarm.service) });
  return { alarm, effects: fx };
}

/** A further event joins; a more serious one raises the priority and may restart escalation. */
function join(a: AlarmRecord, cmd: Extract<Command, { type: 'join' }>, s: Situation, now: Date): Decision {
  const t = cmd.trigger;
  const fx = new Effects(a, cmd.newId);
  let alarm: AlarmRecord = { ...a, eventCount: a.eventCount + 1, lastEventAt: t.at };
  fx.log('event.joined', { kind: 'resident', id: a.residentId ?? undefined }, now, {
    deviceId: t.deviceId,
    eventId: t.eventId,
    type: t.type,
    // a further request joining a service order: which service it asked for
    ...(t.type === 'service.request' && { service: serviceOf(t.data) }),
  });
  const d = groupDecision(a as ActiveAlarmView, cmd.priority);
  if (d.action === 'join' && d.raisePriority) {
    const policy = resolvePolicy(s.policy, cmd.priority, s.areaPath);
    // the wrist and the reports name what made it serious: a fall, not the meal request before it
    alarm = { ...alarm, kind: t.type, priority: cmd.priority, policy, acceptLimitS: policy.acceptLimitS, arriveLimitS: policy.arriveLimitS };
    alarm = rearmArrival(alarm); // accepted: the graver priority's arrive limit, from the same accept
    fx.log('priority.raised', SYSTEM, now, { from: a.priority, to: cmd.priority, type: t.type, previousKind: a.kind });
    if (d.restartEscalation) {
      const r = nextStep(policy, restartEscalation(stateOf(alarm)), s.pool, now);
      alarm = withState(alarm, r.state, r.kind);
      const raised = alarm;
      fx.step(r, now, (n) => body(raised, n));
    }
  }
  fx.alarm = alarm;
  return { alarm, effects: fx };
}

/** A deadline passed (or the step ran out early): the next step, if the token still matches. */
function escalate(a: AlarmRecord, cmd: Extract<Command, { type: 'escalate' }>, s: Situation, now: Date): Decision {
  if (a.status === 'accepted') return arrivalDue(a, cmd.token, s, now, cmd.newId); // the arrival deadline (arrival-rules.ts)
  const fx = new Effects(a, cmd.newId);
  if (a.status !== 'open' || a.token !== cmd.token) return { alarm: a, effects: fx }; // stale: already moved on
  let missedDeadline: Decision['missedDeadline'];
  if (cmd.reason === 'watchdog') {
    const lateMs = a.deadline ? now.getTime() - a.deadline.getTime() : null;
    missedDeadline = { deadline: a.deadline, lateMs };
    fx.log('watchdog.missed_deadline', SYSTEM, now, { deadline: a.deadline?.toISOString(), lateMs });
    fx.log('console.called', SYSTEM, now, { reason: 'missed_deadline' }); // operators see that dispatch slipped
  }
  const r = nextStep(policyOf(a), stateOf(a), s.pool, now);
  const alarm = withState(a, r.state, r.kind);
  fx.alarm = alarm;
  fx.step(r, now, (n) => body(alarm, n));
  return { alarm, effects: fx, stepped: { kind: r.kind, reason: cmd.reason }, ...(missedDeadline && { missedDeadline }) };
}

function arrivalOverdue(a: AlarmRecord, newId: () => string, now: Date): Decision {
  const fx = new Effects(a, newId);
  if (a.status !== 'accepted' || a.arrivalOverdue) return { alarm: a, effects: fx };
  fx.alarm = { ...a, arrivalOverdue: true };
  fx.log('arrival.overdue', SYSTEM, now, { limitS: a.arriveLimitS, acceptedBy: a.acceptedByName });
  fx.log('console.called', SYSTEM, now, { reason: 'arrival_overdue' });
  return { alarm: fx.alarm, effects: fx };
}

/** Where a device's event goes (the `join`/`open` commands, or a resident's cancel, follow from it). */
export type EventPlan =
  | { kind: 'none' }
  | { kind: 'cancel'; alarmId: string }
  | { kind: 'join'; alarmId: string; priority: Priority }
  | { kind: 'open'; priority: Priority };

/**
 * The grouping rule for one classified event, given the resident's active alarm in each lane:
 * a cancel cancels the care alarm (else the service order, if any); a further event joins the
 * lane's active alarm (service orders are a lane: see service-orders.ts serviceGrouping)
 * (raising it when more serious); otherwise it opens a new alarm.
 */
export function planEvent(c: Classification, active: Partial<Record<AlarmLane, ActiveAlarmView & { id: string }>>): EventPlan {
  if (c.kind === 'none') return c;
  // the care alarm first; with none, the resident calls off their service order
  const cancels = active.care ?? active.service;
  if (c.kind === 'cancels') return cancels ? { kind: 'cancel', alarmId: cancels.id } : { kind: 'none' };
  const current = active[c.lane];
  const d = groupDecision(current, c.priority);
  return d.action === 'join' && current ? { kind: 'join', alarmId: current.id, priority: c.priority } : { kind: 'open', priority: c.priority };
}

/**
 * What the periodic sweep owes an active alarm: a deadline passed unserved (past the grace),
 * a step whose every alerted caregiver went off shift, or an arrival past its limit.
 */
export function dueAction(a: AlarmRecord, onDuty: (caregiverId: string) => boolean, now: Date, graceMs: number): EscalationReason | 'arrival_overdue' | undefined {
  if (a.status === 'open' && a.deadline && now.getTime() - a.deadline.getTime() > graceMs) return 'watchdog';
  if (a.status === 'open' && a.stepKind !== 'console' && a.currentNotified.length > 0 && a.currentNotified.every((id) => !onDuty(id))) {
    return 'shift_change'; // do not wait out a deadline nobody on duty can meet
  }
  // the arrival deadline (arrival-rules.ts), counted from the accept, when its timer was lost
  if (a.status === 'accepted' && a.deadline && now.getTime() - a.deadline.getTime() > graceMs) return 'watchdog';
  // accepted before arrival deadlines were stored: the console is told, as it was then
  if (a.status === 'accepted' && !a.deadline && !a.arrivalOverdue && now.getTime() > (a.acceptedAt ?? a.raisedAt).getTime() + a.arriveLimitS * 1000) return 'arrival_overdue';
  return undefined;
}

/**
 * A step whose only way through is SMS: no console call and no wrist online. When every one of
 * its messages failed, the step moves on at once instead of waiting out its deadline.
 */
export function smsOnlyStep(notices: readonly Notice[], wearableOnline: (wearableId: string) => boolean): boolean {
  const sms = notices.some((n) => n.channel === 'sms');
  const otherWay = notices.some((n) => n.channel === 'console' || (n.channel === 'wearable' && wearableOnline(n.wearableId)));
  return sms && !otherWay;
}

/**
 * An open step nobody can hear any more: every caregiver it asked wears a wrist that is gone now
 * (`wristOnline` answers undefined for a caregiver without one: an SMS-only ask still stands).
 * The step moves on at once, and the next one texts whoever is still offline.
 */
export function stepUnheard(a: AlarmRecord, wristOnline: (caregiverId: string) => boolean | undefined): boolean {
  if (a.status !== 'open' || a.stepKind === 'console' || a.currentNotified.length === 0) return false;
  return a.currentNotified.every((id) => wristOnline(id) === false);
}
