import { alreadyInAlarm, claimAbsenceNotice, loadAbsenceFacts } from '../../db/queries/absence-facts.ts';
import type { AlarmRecord } from '../../db/queries/alarms.ts';
import type { Db } from '../../db/types.ts';
import type { Priority } from '../../contract/alarms.ts';
import { findAbsences, type ResidentFacts } from '../core/absence-rules.ts';
import type { DispatchDirectory } from './directory.ts';
import type { DispatchSettings } from './dispatch-settings.ts';
import { dueAction, type EscalationReason } from '../core/decide.ts';
import { alarmIdFor } from './alarm-ids.ts';
import type { Trigger } from '../core/trigger.ts';
import { localClock } from '../core/local-clock.ts';
import type { Notifier } from './notifier.ts';
import { rulesFor } from './resident-rules.ts';
import { remindButtonTests } from './button-tests.ts';
import { isAway } from '../core/resident-rules.ts';

/** What the periodic jobs need of the dispatcher. */
export interface ScheduleHost {
  db: Db;
  directory: DispatchDirectory;
  notifier: Notifier;
  settings: DispatchSettings;
  now: () => Date;
  reload(graceMs: number): Promise<AlarmRecord[]>;
  escalate(alarmId: string, token: number, reason: EscalationReason): Promise<void>;
  isTracked(alarmId: string): boolean;
  /** Opens an alarm for the trigger, or joins the resident's active one. */
  raise(t: Trigger, priority: Priority): Promise<void>;
  markArrivalOverdue(alarmId: string): Promise<void>;
}

/**
 * The watchdog: serves deadlines passed unserved (an instance died, a timer was lost), moves
 * on when everyone a step alerted went off shift, and flags arrivals past their limit.
 */
export async function sweepAlarms(h: ScheduleHost, graceMs: number): Promise<Record<string, number>> {
  const now = h.now();
  const counts = { active: 0, missed: 0, shiftChange: 0, arrivalOverdue: 0 };
  for (const a of await h.reload(graceMs)) {
    counts.active++;
    const due = dueAction(a, (id) => h.directory.isOnDuty(id, now), now, graceMs);
    if (due === 'watchdog') {
      counts.missed++;
      await h.escalate(a.id, a.token, 'watchdog');
    } else if (due === 'shift_change') {
      counts.shiftChange++;
      await h.escalate(a.id, a.token, 'shift_change');
    } else if (due === 'arrival_overdue') {
      counts.arrivalOverdue++;
      await h.markArrivalOverdue(a.id);
    }
  }
  return counts;
}

/**
 * Raises alarms for what did not happen (night bed exit without return, missed check-in,
 * inactivity) and sends check-in reminders. Idempotent: each absence is raised once, and each
 * reminder sent once, whichever instance sweeps.
 */
export async function raiseAbsences(h: ScheduleHost, now: Date): Promise<Record<string, number>> {
  const rows = await loadAbsenceFacts(h.db, new Date(now.getTime() - 7 * 86_400_000), new Date(now.getTime() - 86_400_000));
  const facts: ResidentFacts[] = rows.map((r) => ({
    residentId: r.residentId,
    lastBed: r.bedType && r.bedAt && r.bedDeviceId && r.bedEventId ? { type: r.bedType, at: r.bedAt, deviceId: r.bedDeviceId, eventId: r.bedEventId } : null,
    lastCheckin: r.checkinAt && r.checkinDeviceId ? { at: r.checkinAt, deviceId: r.checkinDeviceId } : null,
    lastActivity: r.activityAt && r.activityDeviceId ? { at: r.activityAt, deviceId: r.activityDeviceId } : null,
    hasMotionSensor: r.hasMotionSensor,
    deviceId: r.buttonDeviceId ?? undefined,
    // the resident's own settings over the centre's defaults (check-in, waking hours, away…)
    rules: rulesFor(h.directory, h.settings, r.residentId),
  }));
  const counts = { residents: facts.length, reminded: 0, raised: 0, testReminders: await remindButtonTests({ ...h, isAway: (id) => isAway(rulesFor(h.directory, h.settings, id), now) }, now) };
  for (const f of findAbsences(facts, localClock(now), { ...h.settings.absence, nightHours: h.settings.nightHours })) {
    if (f.action === 'remind') {
      if (!(await claimAbsenceNotice(h.db, f.key, now))) continue;
      await h.notifier.toDevice(f.deviceId, { type: 'checkin.reminder' });
      counts.reminded++;
      continue;
    }
    const t: Trigger = { deviceId: f.deviceId, residentId: f.residentId, eventId: f.key, fingerprint: 'absence', type: f.kind, data: { since: f.since.toISOString() }, at: now };
    if (h.isTracked(alarmIdFor(t.deviceId, t.eventId, t.fingerprint)) || (await alreadyInAlarm(h.db, f.deviceId, f.key))) continue;
    await h.raise(t, f.priority);
    counts.raised++;
  }
  return counts;
}
