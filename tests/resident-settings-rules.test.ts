/**
 * Per-resident settings in the pure rules, table by table: the merge with the centre's
 * defaults, the away window's bounds, the waking window's edges (and a DST night in
 * Europe/Berlin), check-in opted in or not, the night door alarm, the cancel window.
 * Clocks are built by hand (UTC+8, and Europe/Berlin through Intl), not from the process TZ.
 */
import { describe, expect, it } from 'vitest';
import { residentSettingsSchema, type ResidentSettings } from '../contract/resident-settings.ts';
import { findAbsences, type AbsenceSettings, type LocalClock, type ResidentFacts } from '../dispatch-console/core/absence-rules.ts';
import { cancelDecision, classifyEvent, type EventContext } from '../dispatch-console/core/alarm-rules.ts';
import { effectiveSettingsView, isAway, residentRules, type CentreRuleDefaults } from '../dispatch-console/core/resident-rules.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const OFFSET_H = 8;

const local = (wall: string): Date => {
  const [d, t] = wall.split(' ') as [string, string];
  const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
  const [h, mi] = t.split(':').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo - 1, da, h, mi) - OFFSET_H * HOUR);
};
const clockAt = (wall: string): LocalClock => ({
  now: local(wall),
  hour: Number(wall.slice(11, 13)),
  minute: Number(wall.slice(14, 16)),
  dayStart: local(`${wall.slice(0, 10)} 00:00`),
  day: wall.slice(0, 10),
  hourOf: (d) => new Date(d.getTime() + OFFSET_H * HOUR).getUTCHours(),
});

/** A LocalClock in another zone, read through Intl (so DST is the zone's own). */
function zonedClock(now: Date, timeZone: string): LocalClock {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  const f = (d: Date) => Object.fromEntries(fmt.formatToParts(d).filter((p) => p.type !== 'literal').map((p) => [p.type, p.value]));
  const p = f(now);
  return { now, hour: Number(p.hour), minute: Number(p.minute), dayStart: now, day: `${p.year}-${p.month}-${p.day}`, hourOf: (d) => Number(f(d).hour) };
}

const CENTRE: CentreRuleDefaults = {
  inactivityHours: 12,
  nightHours: { start: 22, end: 7 },
  checkinBy: { hour: 10, minute: 0 },
  nightDoorAlarm: true,
  bedReturnMinutes: 30,
  cancelWindowS: 120,
};
const S: AbsenceSettings = { bedReturnMinutes: 30, checkinBy: { hour: 10, minute: 0 }, checkinGraceMinutes: 60, inactivityHours: 12, nightHours: { start: 22, end: 7 } };

const R = 'res-1';
const facts = (own: ResidentSettings, f: Partial<ResidentFacts> = {}): ResidentFacts => ({
  residentId: R,
  lastBed: null,
  lastCheckin: null,
  lastActivity: null,
  hasMotionSensor: true,
  deviceId: 'pendant-1',
  rules: residentRules(CENTRE, own),
  ...f,
});
const kinds = (out: ReturnType<typeof findAbsences>) => out.map((x) => (x.action === 'alarm' ? x.kind : 'remind'));

describe('settings: validation and merge with the centre defaults', () => {
  it.each([
    ['inactivityHours 0', { inactivityHours: 0 }],
    ['inactivityHours 73', { inactivityHours: 73 }],
    ['wakingHours 7-22 (two digits each)', { wakingHours: '7-22' }],
    ['wakingHours 07-07 (empty)', { wakingHours: '07-07' }],
    ['wakingHours 25-07', { wakingHours: '25-07' }],
    ['checkinBy 24:00', { checkinBy: '24:00' }],
    ['checkinBy 9:30', { checkinBy: '9:30' }],
    ['checkinBy false', { checkinBy: false }],
    ['bedReturnMinutes 0', { bedReturnMinutes: 0 }],
    ['bedReturnMinutes 2.5', { bedReturnMinutes: 2.5 }],
    ['cancelWindowS -1', { cancelWindowS: -1 }],
    ['cancelWindowS 86401', { cancelWindowS: 86_401 }],
    ['away until before from', { away: { from: '2026-03-10T10:00:00Z', until: '2026-03-10T09:00:00Z' } }],
    ['away until equal to from', { away: { from: '2026-03-10T10:00:00Z', until: '2026-03-10T10:00:00Z' } }],
    ['away not a time', { away: { from: 'monday', until: '2026-03-10T10:00:00Z' } }],
    ['an unknown key', { inactivityHour: 5 }],
  ])('refuses %s', (_, v) => {
    expect(residentSettingsSchema.safeParse(v).success).toBe(false);
  });

  it.each([
    [{}],
    [{ inactivityHours: 1, wakingHours: '22-06', checkinBy: '09:30', nightDoorAlarm: false, bedReturnMinutes: 1, cancelWindowS: 0 }],
    [{ checkinBy: true }],
    [{ checkinBy: null }],
    [{ away: null }],
    [{ away: { from: '2026-03-10T10:00:00+08:00', until: '2026-03-12T10:00:00+08:00', reason: 'hospital' } }],
  ])('accepts %j', (v) => {
    expect(residentSettingsSchema.safeParse(v).success).toBe(true);
  });

  it('defaults: waking = outside the night hours, no check-in (opting in is explicit), nothing from the resident', () => {
    expect(effectiveSettingsView(residentRules(CENTRE, {}), {})).toEqual({
      inactivityHours: 12,
      wakingHours: '07-22',
      checkinBy: null,
      nightDoorAlarm: true,
      bedReturnMinutes: 30,
      cancelWindowS: 120,
      away: null,
      fromResident: [],
    });
  });

  it('checkinBy true takes the centre CHECKIN_BY; a time is the resident own; which keys came from the resident', () => {
    expect(residentRules(CENTRE, { checkinBy: true }).checkinBy).toEqual({ hour: 10, minute: 0 });
    const own = { checkinBy: '08:45', cancelWindowS: 30 } as const;
    const v = effectiveSettingsView(residentRules(CENTRE, own), own);
    expect(v).toMatchObject({ checkinBy: '08:45', cancelWindowS: 30, inactivityHours: 12, fromResident: ['checkinBy', 'cancelWindowS'] });
  });
});

describe('away window: inactivity and check-in pause in [from, until)', () => {
  const away = { from: local('2026-03-10 12:00').toISOString(), until: local('2026-03-12 12:00').toISOString(), reason: 'hospital' };
  const own: ResidentSettings = { away, inactivityHours: 2, checkinBy: '10:00' };
  // quiet since the morning, checked in never: both rules would fire by day
  const f = facts(own, { lastActivity: { at: local('2026-03-10 08:00'), deviceId: 'motion-1' } });

  it.each([
    ['a minute before from', '2026-03-10 11:59', ['checkin.missed', 'inactivity']],
    ['at from', '2026-03-10 12:00', []],
    ['inside, the next day', '2026-03-11 15:00', []],
    ['a minute before until', '2026-03-12 11:59', []],
    // back at noon, after the check-in time: today's is not due; the silence counts from the return
    ['at until', '2026-03-12 12:00', []],
    ['two hours after until', '2026-03-12 14:00', ['inactivity']],
    ['the next day: check-in due again', '2026-03-13 11:00', ['checkin.missed', 'inactivity']],
  ])('%s (%s): %j', (_, wall, expected) => {
    expect(kinds(findAbsences([f], clockAt(wall), S))).toEqual(expected);
  });

  it('back before the check-in time: today\'s check-in is due', () => {
    const early = facts({ ...own, away: { ...away, until: local('2026-03-12 08:00').toISOString() } }, { hasMotionSensor: false });
    expect(kinds(findAbsences([early], clockAt('2026-03-12 11:00'), S))).toEqual(['checkin.missed']);
  });

  it('isAway: half-open', () => {
    const r = residentRules(CENTRE, own);
    expect([isAway(r, new Date(Date.parse(away.from) - 1)), isAway(r, new Date(away.from)), isAway(r, new Date(Date.parse(away.until) - 1)), isAway(r, new Date(away.until))]).toEqual([false, true, true, false]);
  });

  it('a night bed exit without return still alarms while away (someone is in the bed)', () => {
    const g = facts(own, { lastBed: { type: 'bed.exit', at: local('2026-03-10 23:00'), deviceId: 'bed-1', eventId: 'e1' }, hasMotionSensor: false });
    expect(kinds(findAbsences([g], clockAt('2026-03-10 23:45'), S))).toEqual(['bed.no_return']);
  });
});

describe('waking window: inactivity only inside it', () => {
  const quiet = (own: ResidentSettings) => facts({ inactivityHours: 1, ...own }, { lastActivity: { at: local('2026-03-10 00:00'), deviceId: 'motion-1' } });
  it.each([
    ['default 07-22, 06:59', {}, '2026-03-10 06:59', []],
    ['default 07-22, 07:00', {}, '2026-03-10 07:00', ['inactivity']],
    ['default 07-22, 21:59', {}, '2026-03-10 21:59', ['inactivity']],
    ['default 07-22, 22:00', {}, '2026-03-10 22:00', []],
    ['09-18, 08:59', { wakingHours: '09-18' }, '2026-03-10 08:59', []],
    ['09-18, 09:00', { wakingHours: '09-18' }, '2026-03-10 09:00', ['inactivity']],
    ['09-18, 18:00', { wakingHours: '09-18' }, '2026-03-10 18:00', []],
    ['night worker 22-06, 23:00', { wakingHours: '22-06' }, '2026-03-10 23:00', ['inactivity']],
    ['night worker 22-06, 05:59', { wakingHours: '22-06' }, '2026-03-10 05:59', ['inactivity']],
    ['night worker 22-06, 06:00', { wakingHours: '22-06' }, '2026-03-10 06:00', []],
    ['00-24: all day, 03:00', { wakingHours: '00-24' }, '2026-03-10 03:00', ['inactivity']],
  ] as Array<[string, ResidentSettings, string, string[]]>)('%s', (_, own, wall, expected) => {
    expect(kinds(findAbsences([quiet(own)], clockAt(wall), S))).toEqual(expected);
  });

  it.each([
    // spring forward in Berlin (29 March 2026, 02:00 CET → 03:00 CEST): 07:00 local is 05:00 UTC
    ['spring, 04:59 UTC = 06:59 CEST', '2026-03-29T04:59:00Z', []],
    ['spring, 05:00 UTC = 07:00 CEST', '2026-03-29T05:00:00Z', ['inactivity']],
    ['spring, 19:59 UTC = 21:59 CEST', '2026-03-29T19:59:00Z', ['inactivity']],
    ['spring, 20:00 UTC = 22:00 CEST', '2026-03-29T20:00:00Z', []],
    // fall back (25 October 2026, 03:00 CEST → 02:00 CET): 07:00 local is 06:00 UTC
    ['autumn, 05:59 UTC = 06:59 CET', '2026-10-25T05:59:00Z', []],
    ['autumn, 06:00 UTC = 07:00 CET', '2026-10-25T06:00:00Z', ['inactivity']],
    ['autumn, the repeated 02:30 (00:30 UTC, still CEST)', '2026-10-25T00:30:00Z', []],
  ])('Europe/Berlin DST night, 07-22: %s', (_, iso, expected) => {
    const now = new Date(iso);
    const f = facts({ inactivityHours: 1, wakingHours: '07-22' }, { lastActivity: { at: new Date(now.getTime() - 3 * HOUR), deviceId: 'motion-1' } });
    expect(kinds(findAbsences([f], zonedClock(now, 'Europe/Berlin'), S))).toEqual(expected);
  });
});

describe('check-in: only for residents who opted in', () => {
  const yesterday = { at: local('2026-03-09 09:00'), deviceId: 'pendant-1' };
  it.each([
    ['no setting (the default): nothing, though they checked in yesterday', {}, yesterday, '2026-03-10 12:00', []],
    ['checkinBy null: no reminder', { checkinBy: null }, yesterday, '2026-03-10 10:30', []],
    ['checkinBy null: no alarm', { checkinBy: null }, yesterday, '2026-03-10 16:00', []],
    ['checkinBy true (centre 10:00): reminded at 10:00', { checkinBy: true }, yesterday, '2026-03-10 10:00', ['remind']],
    ['checkinBy true: alarm after the grace', { checkinBy: true }, yesterday, '2026-03-10 11:00', ['checkin.missed']],
    ['own 08:00: reminded at 08:00', { checkinBy: '08:00' }, yesterday, '2026-03-10 08:00', ['remind']],
    ['own 08:00: alarm at 09:00', { checkinBy: '08:00' }, yesterday, '2026-03-10 09:00', ['checkin.missed']],
    ['own 08:00, never checked in: reminded on their button', { checkinBy: '08:00' }, null, '2026-03-10 08:30', ['remind']],
  ] as Array<[string, ResidentSettings, ResidentFacts['lastCheckin'], string, string[]]>)('%s', (_, own, lastCheckin, wall, expected) => {
    const out = findAbsences([facts(own, { lastCheckin, hasMotionSensor: false })], clockAt(wall), S);
    expect(kinds(out)).toEqual(expected);
    for (const x of out) expect(x.deviceId).toBe('pendant-1');
  });
});

describe('night door alarm and bed return, per resident', () => {
  const ctx = (hour: number, own: ResidentSettings): EventContext => ({
    localHour: hour,
    nightHours: CENTRE.nightHours,
    temperature: { minC: 12, maxC: 35 },
    nightDoorAlarm: residentRules(CENTRE, own).nightDoorAlarm,
  });
  it.each([
    ['default (on), 23:00', {}, 23, 'opens'],
    ['default (on), 12:00', {}, 12, 'none'],
    ['nightDoorAlarm false, 23:00', { nightDoorAlarm: false }, 23, 'none'],
    ['nightDoorAlarm false, 03:00', { nightDoorAlarm: false }, 3, 'none'],
    ['nightDoorAlarm true, 03:00', { nightDoorAlarm: true }, 3, 'opens'],
  ] as Array<[string, ResidentSettings, number, string]>)('door.opened, %s', (_, own, hour, expected) => {
    expect(classifyEvent('door.opened', {}, ctx(hour, own)).kind).toBe(expected);
  });

  it('the centre default off (NIGHT_DOOR_ALARM=off): only residents who wander (nightDoorAlarm true) alarm', () => {
    const off = { ...CENTRE, nightDoorAlarm: false };
    expect(residentRules(off, {}).nightDoorAlarm).toBe(false);
    expect(residentRules(off, { nightDoorAlarm: true }).nightDoorAlarm).toBe(true);
  });

  it('an emergency is never switched off by settings', () => {
    expect(classifyEvent('button.pressed', {}, ctx(23, { nightDoorAlarm: false }))).toMatchObject({ kind: 'opens', priority: 'emergency' });
  });

  it.each([
    ['10 min, 9 after', 10, 9, []],
    ['10 min, 10 after', 10, 10, ['bed.no_return']],
    ['default 30, 29 after', undefined, 29, []],
  ])('bedReturnMinutes %s', (_, minutes, after, expected) => {
    const f = facts(minutes === undefined ? {} : { bedReturnMinutes: minutes }, { hasMotionSensor: false, lastBed: { type: 'bed.exit', at: local('2026-03-10 02:00'), deviceId: 'bed-1', eventId: 'e' } });
    expect(kinds(findAbsences([f], clockAt(`2026-03-10 02:${String(after).padStart(2, '0')}`), S))).toEqual(expected);
  });
});

describe('cancel window, per resident', () => {
  const raisedAt = new Date('2026-03-10T02:00:00Z');
  const active = { status: 'open' as const, priority: 'emergency' as const, raisedAt };
  it.each([
    ['default 120 s, at 120 s', {}, 120, 'cancel'],
    ['default 120 s, at 121 s', {}, 121, 'late'],
    ['own 30 s, at 30 s', { cancelWindowS: 30 }, 30, 'cancel'],
    ['own 30 s, at 31 s', { cancelWindowS: 30 }, 31, 'late'],
    ['own 0 s: never in time after the raise', { cancelWindowS: 0 }, 1, 'late'],
    ['own 600 s, at 599 s', { cancelWindowS: 600 }, 599, 'cancel'],
  ] as Array<[string, ResidentSettings, number, string]>)('%s', (_, own, afterS, expected) => {
    expect(cancelDecision(active, new Date(raisedAt.getTime() + afterS * 1000), residentRules(CENTRE, own).cancelWindowS)).toBe(expected);
  });
});
