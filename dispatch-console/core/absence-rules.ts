import type { AbsenceKind, Priority } from '../../contract/alarms.ts';
import { isNight } from './alarm-rules.ts';
import { inHours, isAway, type ResidentRules } from './resident-rules.ts';

/**
 * Alarms raised by what did NOT happen (DESIGN.md: a missed daily check-in, a night-time
 * bed exit without return, inactivity). Pure: facts and the clock in, absences out.
 */
export interface AbsenceSettings {
  /** A bed exit at night without `bed.enter` within this many minutes. */
  bedReturnMinutes: number;
  /** Residents who opted in with `"checkinBy": true` must have checked in by this local time… */
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
  /** The device a check-in reminder goes to when they have not checked in this week (their button). */
  deviceId?: string | undefined;
  /**
   * The rules in force for this resident (centre defaults merged with their own settings, by the
   * shell). Absent: the centre's settings, as if opted in to the check-in at CHECKIN_BY.
   */
  rules?: ResidentRules | undefined;
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
  const centre = { bedReturnMinutes: s.bedReturnMinutes, checkinBy: s.checkinBy, inactivityHours: s.inactivityHours, waking: { start: s.nightHours.end, end: s.nightHours.start }, away: null };
  for (const f of facts) {
    const r = f.rules ?? centre;
    // away (hospital, family): inactivity and check-in pause; a bed exit at home still counts
    const away = isAway(r, clock.now);
    const b = f.lastBed;
    if (b && b.type === 'bed.exit' && isNight(clock.hourOf(b.at), s.nightHours) && now - b.at.getTime() >= r.bedReturnMinutes * MINUTE) {
      out.push({ action: 'alarm', kind: 'bed.no_return', priority: 'emergency', residentId: f.residentId, deviceId: b.deviceId, key: `bed:${b.deviceId}:${b.eventId}`, since: b.at });
    }
    const c = f.lastCheckin;
    const checkinDevice = c?.deviceId ?? f.deviceId;
    // opting in is explicit: only residents whose rules have a check-in time are on the programme
    const checkinAt = r.checkinBy ? r.checkinBy.hour * 60 + r.checkinBy.minute : 0;
    // back today after the check-in time: today's is not due (wall minutes from midnight: an hour off only on a DST day)
    const backLate = r.away !== null && r.away.until.getTime() <= now && r.away.until.getTime() > clock.dayStart.getTime() + checkinAt * MINUTE;
    if (r.checkinBy && !away && !backLate && checkinDevice && (!c || c.at.getTime() < clock.dayStart.getTime())) {
      if (minutesToday >= checkinAt + s.checkinGraceMinutes) {
        out.push({ action: 'alarm', kind: 'checkin.missed', priority: 'emergency', residentId: f.residentId, deviceId: checkinDevice, key: `checkin:${f.residentId}:${clock.day}`, since: clock.dayStart });
      } else if (minutesToday >= checkinAt) {
        out.push({ action: 'remind', residentId: f.residentId, deviceId: checkinDevice, key: `remind:${f.residentId}:${clock.day}` });
      }
    }
    const a = f.lastActivity;
    // back from away: the silence is counted from the return, not from before they left
    const since = a && r.away && r.away.until.getTime() > a.at.getTime() && r.away.until.getTime() <= now ? r.away.until : a?.at;
    if (f.hasMotionSensor && a && since && !away && inHours(clock.hour, r.waking) && now - since.getTime() >= r.inactivityHours * 60 * MINUTE) {
      out.push({ action: 'alarm', kind: 'inactivity', priority: 'urgent', residentId: f.residentId, deviceId: a.deviceId, key: `inactive:${f.residentId}:${since.toISOString()}`, since });
    }
  }
  return out;
}
