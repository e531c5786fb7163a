import type { AlarmLane, AlarmStatus, Priority } from '../../contract/alarms.ts';
import type { EventType } from '../../contract/device-messages.ts';

/** When a conditional rule applies; the adapter works these out from the clock and the data. */
export interface EventContext {
  /** Hour of day (0–23) in the centre's time zone. */
  localHour: number;
  nightHours: { start: number; end: number };
  temperature: { minC: number; maxC: number };
  /** The resident's nightDoorAlarm setting (absent: on): whether a door opening at night alarms. */
  nightDoorAlarm?: boolean;
}

type Rule =
  | { opens: Priority; when?: 'night' | 'extreme_temperature' }
  | { cancels: true }
  | { ignored: string };

/**
 * DESIGN.md's table of which event opens which alarm — the one place it is written.
 * (Missed check-ins, inactivity and night bed-exits without return are absences of events:
 * they need a schedule, not a rule here.)
 */
export const EVENT_RULES: Record<EventType, Rule> = {
  'button.pressed': { opens: 'emergency' },
  'fall.detected': { opens: 'emergency' },
  'smoke.detected': { opens: 'emergency' },
  'co.detected': { opens: 'emergency' },
  'flood.detected': { opens: 'emergency' },
  'door.opened': { opens: 'urgent', when: 'night' }, // wandering at night
  temperature: { opens: 'urgent', when: 'extreme_temperature' },
  'service.request': { opens: 'service' },
  'battery.low': { opens: 'technical' },
  'device.fault': { opens: 'technical' },
  cancel: { cancels: true },
  'door.closed': { ignored: 'activity' },
  motion: { ignored: 'activity' },
  'bed.exit': { ignored: 'activity' },
  'bed.enter': { ignored: 'activity' },
  heartbeat: { ignored: 'liveness' },
  checkin: { ignored: 'liveness' },
};

export const PRIORITY_RANK: Record<Priority, number> = { emergency: 0, urgent: 1, service: 2, technical: 3 };
// a service order is its own lane: a fall never joins (or waits behind) a meal request
export const laneOf = (p: Priority): AlarmLane => (p === 'technical' ? 'technical' : p === 'service' ? 'service' : 'care');

export function isNight(hour: number, night: { start: number; end: number }): boolean {
  return night.start <= night.end ? hour >= night.start && hour < night.end : hour >= night.start || hour < night.end;
}

export type Classification = { kind: 'opens'; priority: Priority; lane: AlarmLane } | { kind: 'cancels' } | { kind: 'none' };

export function classifyEvent(type: EventType, data: Record<string, unknown>, ctx: EventContext): Classification {
  const rule = EVENT_RULES[type];
  if ('cancels' in rule) return { kind: 'cancels' };
  if ('ignored' in rule) return { kind: 'none' };
  if (rule.when === 'night' && (ctx.nightDoorAlarm === false || !isNight(ctx.localHour, ctx.nightHours))) return { kind: 'none' };
  if (rule.when === 'extreme_temperature') {
    const c = data.celsius;
    if (typeof c !== 'number' || (c >= ctx.temperature.minC && c <= ctx.temperature.maxC)) return { kind: 'none' };
  }
  return { kind: 'opens', priority: rule.opens, lane: laneOf(rule.opens) };
}

export interface ActiveAlarmView {
  status: AlarmStatus;
  priority: Priority;
  raisedAt: Date;
}

export type GroupDecision = { action: 'open' } | { action: 'join'; raisePriority: boolean; restartEscalation: boolean };

/**
 * Resident-centric grouping: while an alarm of the same lane is active, new alarm events
 * join it. A more serious one raises its priority; if nobody has accepted yet, escalation
 * restarts under the more serious policy (a fall after a meal request is not a meal request).
 */
export function groupDecision(active: ActiveAlarmView | undefined, priority: Priority): GroupDecision {
  if (!active) return { action: 'open' };
  const raise = PRIORITY_RANK[priority] < PRIORITY_RANK[active.priority];
  return { action: 'join', raisePriority: raise, restartEscalation: raise && active.status === 'open' };
}

/**
 * A resident's `cancel` closes their alarm as a false alarm only inside the window and before
 * anyone is on site; later it is noted for the operator and the caregiver still comes.
 */
export function cancelDecision(active: ActiveAlarmView | undefined, now: Date, windowS: number): 'cancel' | 'late' | 'nothing_open' {
  if (!active) return 'nothing_open';
  if (active.status === 'on_site') return 'late';
  return now.getTime() - active.raisedAt.getTime() <= windowS * 1000 ? 'cancel' : 'late';
}
