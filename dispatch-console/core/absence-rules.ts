import type { AbsenceKind, Priority } from '../../contract/alarms.ts';
import { isNight } from './alarm-rules.ts';

/**
 * Alarms raised by what did NOT happen (DESIGN.md: a missed daily check-in, a night-time
 * bed exit without return, inactivity). Pure: facts and the clock in, absences out.
 */
export interface AbsenceSettings {
  /** A bed exit at night without `bed.enter` within this many minutes. */
  bedReturnMinutes: number;
  /** Residents who check in daily must have done so by this local time… */
  checkinBy: { hour: number; minute: number };
  /** …or are reminded then, and raise an alarm this many minutes later. */
  checkinGraceMinutes: number;
  /** No motion, door or bed event for this long during the day. */
  inactivityHours: number;
  nightHours: { start: number; end: number };
}

/** What the database knows about one resident's recent activity. */
export interface ResidentFacts {
  residentId: string;
  lastBed: { type: 'bed.exit' | 'bed.enter'; at: Date; deviceId: string; eventId: string } | null;
  /** Last `checkin` within the past week (none: not on the daily check-in programme). */
  lastCheckin: { at: Date; deviceId: string } | null;
  /** Last motion / door / bed event within the past week, from any device. */
  lastActivity: { at: Date; deviceId: string } | null;
  hasMotionSensor: boolean;
}

export interface LocalClock {
  now: Date;
  /** Local hour and minute of `now`. */
  hour: number;
  minute: number;
  /** Local midnight that began today, as an instant, and the local date (YYYY-MM-DD). */
  dayStart: Date;
  day: string;
  /** Local hour of any instant. */
  hourOf: (d: Date) => number;
}

export type { AbsenceKind };

export type AbsenceFinding =
  | { action: 'alarm'; kind: AbsenceKind; priority: Priority; residentId: string; deviceId: string; key: string; since: Date }
  | { action: 'remind'; residentId: string; deviceId: string; key: string };

const MINUTE = 60_000;

export function findAbsences(facts: readonly ResidentFacts[], clock: LocalClock, s: AbsenceSettings): AbsenceFinding[] {
  const out: AbsenceFinding[] = [];
  const now = clock.now.getTime();
  const minutesToday = clock.hour * 60 + clock.minute;
  const checkinAt = s.checkinBy.hour * 60 + s.checkinBy.minute;
  for (const f of facts) {
    const b = f.lastBed;
    if (b && b.type === 'bed.exit' && isNight(clock.hourOf(b.at), s.nightHours) && now - b.at.getTime() >= s.bedReturnMinutes * MINUTE) {
      out.push({ action: 'alarm', kind: 'bed.no_return', priority: 'emergency', residentId: f.residentId, deviceId: b.deviceId, key: `bed:${b.deviceId}:${b.eventId}`, since: b.at });
    }
    const c = f.lastCheckin;
    if (c && c.at.getTime() < clock.dayStart.getTime() && minutesToday >= checkinAt) {
      // on the programme (checked in this week) and not yet today
      if (minutesToday >= checkinAt + s.checkinGraceMinutes) {
        out.push({ action: 'alarm', kind: 'checkin.missed', priority: 'emergency', residentId: f.residentId, deviceId: c.deviceId, key: `checkin:${f.residentId}:${clock.day}`, since: clock.dayStart });
      } else {
        out.push({ action: 'remind', residentId: f.residentId, deviceId: c.deviceId, key: `remind:${f.residentId}:${clock.day}` });
      }
    }
    const a = f.lastActivity;
    if (f.hasMotionSensor && a && !isNight(clock.hour, s.nightHours) && now - a.at.getTime() >= s.inactivityHours * 60 * MINUTE) {
      out.push({ action: 'alarm', kind: 'inactivity', priority: 'urgent', residentId: f.residentId, deviceId: a.deviceId, key: `inactive:${f.residentId}:${a.at.toISOString()}`, since: a.at });
    }
  }
  return out;
}
