import type { AlarmView } from '../../contract/alarm-view.ts';
import type { AlarmRecord } from '../../db/queries/alarms.ts';

const seconds = (from: Date, to: Date | null) => (to === null ? null : (to.getTime() - from.getTime()) / 1000);

/** The stored alarm as HTTP answers and the live stream show it. */
export function presentAlarm(a: AlarmRecord): AlarmView {
  return {
    id: a.id,
    status: a.status,
    priority: a.priority,
    kind: a.kind,
    residentId: a.residentId,
    resident: { name: a.resident.name, address: a.resident.address, grid: a.resident.grid, notes: a.resident.notes, phone: a.resident.phone ?? null },
    deviceId: a.deviceId,
    areaId: a.areaId,
    raisedAt: a.raisedAt,
    acceptedAt: a.acceptedAt,
    acceptedBy: a.acceptedBy,
    acceptedByName: a.acceptedByName,
    arrivedAt: a.arrivedAt,
    closedAt: a.closedAt,
    outcome: a.outcome,
    acceptLimitS: a.acceptLimitS,
    arriveLimitS: a.arriveLimitS,
    acceptBy: new Date(a.raisedAt.getTime() + a.acceptLimitS * 1000),
    step: a.step,
    stepKind: a.stepKind,
    stepDeadline: a.status === 'open' ? a.deadline : null,
    notified: a.notified,
    currentNotified: a.currentNotified,
    declined: a.declined,
    replyCode: a.replyCode,
    eventCount: a.eventCount,
    lastEventAt: a.lastEventAt,
    arrivalOverdue: a.arrivalOverdue,
    ...(a.service && { service: a.service }),
    timeToAcceptS: seconds(a.raisedAt, a.acceptedAt),
    timeToArriveS: seconds(a.raisedAt, a.arrivedAt),
    timeToResolveS: a.status === 'resolved' ? seconds(a.raisedAt, a.closedAt) : null,
  };
}

/** Staff see every alarm; a caregiver login only those they were alerted to or hold. */
export function alarmVisibleTo(user: { role: string; caregiverId: string | null }, a: Pick<AlarmRecord, 'acceptedBy' | 'notified'>): boolean {
  if (user.role !== 'caregiver') return true;
  const me = user.caregiverId;
  return me !== null && (a.acceptedBy === me || a.notified.includes(me));
}
