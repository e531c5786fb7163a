/**
 * The absence rules (alarms for what did NOT happen), table by table: a night-time bed exit
 * without return, the daily check-in (reminder, then alarm), daytime inactivity. Pure: the
 * clock is built by hand for a centre at UTC+8, so nothing here depends on the process TZ or
 * on the time the tests run; only the `localClock` sanity checks use the real TZ.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import { isNight } from '../dispatch-console/core/alarm-rules.ts';
import { findAbsences, type AbsenceFinding, type AbsenceSettings, type LocalClock, type ResidentFacts } from '../dispatch-console/core/absence-rules.ts';
import { localClock, localHour } from '../dispatch-console/core/local-clock.ts';

const OFFSET_H = 8; // the hand-built centre's time zone (Beijing): local = UTC + 8 h, no DST
const MIN = 60_000;
const HOUR = 60 * MIN;

/** An instant from a local wall time 'YYYY-MM-DD HH:MM' in the centre's time zone. */
const local = (wall: string): Date => {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(wall);
  if (!m) throw new Error(`bad wall time ${wall}`);
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi) - OFFSET_H * HOUR);
};
const hourOf = (d: Date) => new Date(d.getTime() + OFFSET_H * HOUR).getUTCHours();

/** A LocalClock at a local wall time, built by hand (not by localClock()). */
function clockAt(wall: string): LocalClock {
  const now = local(wall);
  const day = wall.slice(0, 10);
  return {
    now,
    hour: Number(wall.slice(11, 13)),
    minute: Number(wall.slice(14, 16)),
    dayStart: local(`${day} 00:00`),
    day,
    hourOf,
  };
}

const S: AbsenceSettings = {
  bedReturnMinutes: 30,
  checkinBy: { hour: 10, minute: 0 },
  checkinGraceMinutes: 60,
  inactivityHours: 12,
  nightHours: { start: 22, end: 7 },
};

const R = 'res-1';
const facts = (f: Partial<ResidentFacts> = {}): ResidentFacts => ({
  residentId: R,
  lastBed: null,
  lastCheckin: null,
  lastActivity: null,
  hasMotionSensor: false,
  ...f,
});
const bed = (type: 'bed.exit' | 'bed.enter', wall: string, eventId = 'ev-1') => ({ type, at: local(wall), deviceId: 'bed-1', eventId });
const checkin = (wall: string) => ({ at: local(wall), deviceId: 'pendant-1' });
const activity = (wall: string) => ({ at: local(wall), deviceId: 'motion-1' });

describe('the hand-built clock (so that the tables below mean what they say)', () => {
  it('is UTC+8: local midnight is 16:00 UTC of the day before, and hourOf reads local hours', () => {
    const c = clockAt('2026-03-10 09:30');
    expect(c.now.toISOString()).toBe('2026-03-10T01:30:00.000Z');
    expect(c.dayStart.toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(c.hourOf(c.now)).toBe(9);
    expect(c.hourOf(local('2026-03-09 23:15'))).toBe(23);
  });
});

// ───────────────────────────── bed exit at night ─────────────────────────────

describe('findAbsences: bed exit without return', () => {
  const noReturn = (exitWall: string, eventId = 'ev-1'): AbsenceFinding => ({
    action: 'alarm',
    kind: 'bed.no_return',
    priority: 'emergency',
    residentId: R,
    deviceId: 'bed-1',
    key: `bed:bed-1:${eventId}`,
    since: local(exitWall),
  });
  const cases: Array<[string, ResidentFacts['lastBed'], string, AbsenceFinding[]]> = [
    ['night exit, 31 min ago', bed('bed.exit', '2026-03-10 23:00'), '2026-03-10 23:31', [noReturn('2026-03-10 23:00')]],
    ['night exit, exactly bedReturnMinutes ago', bed('bed.exit', '2026-03-10 23:00'), '2026-03-10 23:30', [noReturn('2026-03-10 23:00')]],
    ['night exit, 29 min ago (may still come back)', bed('bed.exit', '2026-03-10 23:00'), '2026-03-10 23:29', []],
    ['night exit after midnight, hours ago', bed('bed.exit', '2026-03-11 02:10', 'ev-7'), '2026-03-11 05:00', [noReturn('2026-03-11 02:10', 'ev-7')]],
    // the hour of the EXIT decides, not the hour of the sweep
    ['night exit at 06:50, swept by day at 07:40', bed('bed.exit', '2026-03-11 06:50'), '2026-03-11 07:40', [noReturn('2026-03-11 06:50')]],
    ['day exit at 07:10 (up for the day), long ago', bed('bed.exit', '2026-03-11 07:10'), '2026-03-11 09:00', []],
    ['day exit at 14:00, swept at night', bed('bed.exit', '2026-03-10 14:00'), '2026-03-10 23:00', []],
    ['day exit at 21:59 (just before night)', bed('bed.exit', '2026-03-10 21:59'), '2026-03-10 23:00', []],
    ['night exit at 22:00 (night starts)', bed('bed.exit', '2026-03-10 22:00'), '2026-03-10 23:00', [noReturn('2026-03-10 22:00')]],
    ['back in bed: last bed event is bed.enter', bed('bed.enter', '2026-03-10 23:05'), '2026-03-11 03:00', []],
    ['no bed sensor events at all', null, '2026-03-11 03:00', []],
  ];
  it.each(cases)('%s', (_name, lastBed, nowWall, expected) => {
    expect(findAbsences([facts({ lastBed })], clockAt(nowWall), S)).toEqual(expected);
  });

  it('the UTC hour is not what counts: 23:00 local is 15:00 UTC', () => {
    const exit = bed('bed.exit', '2026-03-10 23:00');
    expect(exit.at.getUTCHours()).toBe(15);
    expect(findAbsences([facts({ lastBed: exit })], clockAt('2026-03-10 23:45'), S)).toHaveLength(1);
    // and 14:00 local (06:00 UTC, "night" if read as UTC) is day
    const dayExit = bed('bed.exit', '2026-03-10 14:00');
    expect(isNight(dayExit.at.getUTCHours(), S.nightHours)).toBe(true);
    expect(findAbsences([facts({ lastBed: dayExit })], clockAt('2026-03-10 15:00'), S)).toEqual([]);
  });

  it('night hours that do not wrap midnight (1-5) work too', () => {
    const s = { ...S, nightHours: { start: 1, end: 5 } };
    expect(findAbsences([facts({ lastBed: bed('bed.exit', '2026-03-11 04:59') })], clockAt('2026-03-11 06:00'), s)).toHaveLength(1);
    expect(findAbsences([facts({ lastBed: bed('bed.exit', '2026-03-11 05:00') })], clockAt('2026-03-11 06:00'), s)).toEqual([]);
    expect(findAbsences([facts({ lastBed: bed('bed.exit', '2026-03-10 23:00') })], clockAt('2026-03-11 06:00'), s)).toEqual([]);
  });
});

// ───────────────────────────── daily check-in ─────────────────────────────

describe('findAbsences: daily check-in', () => {
  const remind: AbsenceFinding = { action: 'remind', residentId: R, deviceId: 'pendant-1', key: `remind:${R}:2026-03-10` };
  const missed: AbsenceFinding = {
    action: 'alarm',
    kind: 'checkin.missed',
    priority: 'emergency',
    residentId: R,
    deviceId: 'pendant-1',
    key: `checkin:${R}:2026-03-10`,
    since: local('2026-03-10 00:00'),
  };
  const cases: Array<[string, ResidentFacts['lastCheckin'], string, AbsenceFinding[]]> = [
    ['not on the programme (no check-in this week)', null, '2026-03-10 15:00', []],
    ['checked in today', checkin('2026-03-10 08:00'), '2026-03-10 11:30', []],
    ['checked in today at local midnight exactly', checkin('2026-03-10 00:00'), '2026-03-10 12:00', []],
    // 00:30 local is still "yesterday" in UTC: the local day counts
    ['checked in today 00:30 local (16:30 UTC the day before)', checkin('2026-03-10 00:30'), '2026-03-10 12:00', []],
    ['yesterday, and it is before CHECKIN_BY', checkin('2026-03-09 09:00'), '2026-03-10 09:59', []],
    ['yesterday, at CHECKIN_BY: reminded', checkin('2026-03-09 09:00'), '2026-03-10 10:00', [remind]],
    ['yesterday, within the grace period: reminded', checkin('2026-03-09 09:00'), '2026-03-10 10:59', [remind]],
    ['yesterday 23:59 local (same UTC date as today), within grace', checkin('2026-03-09 23:59'), '2026-03-10 10:30', [remind]],
    ['yesterday, grace over: alarm', checkin('2026-03-09 09:00'), '2026-03-10 11:00', [missed]],
    ['six days ago, afternoon: alarm', checkin('2026-03-04 10:00'), '2026-03-10 16:00', [missed]],
    ['yesterday, late evening: alarm', checkin('2026-03-09 09:00'), '2026-03-10 23:59', [missed]],
  ];
  it.each(cases)('%s', (_name, lastCheckin, nowWall, expected) => {
    expect(findAbsences([facts({ lastCheckin })], clockAt(nowWall), S)).toEqual(expected);
  });

  it('CHECKIN_BY with minutes (09:45, 15 min grace)', () => {
    const s = { ...S, checkinBy: { hour: 9, minute: 45 }, checkinGraceMinutes: 15 };
    const f = [facts({ lastCheckin: checkin('2026-03-09 09:00') })];
    expect(findAbsences(f, clockAt('2026-03-10 09:44'), s)).toEqual([]);
    expect(findAbsences(f, clockAt('2026-03-10 09:45'), s)).toEqual([remind]);
    expect(findAbsences(f, clockAt('2026-03-10 09:59'), s)).toEqual([remind]);
    expect(findAbsences(f, clockAt('2026-03-10 10:00'), s)).toEqual([missed]);
  });

  it('one reminder key and one alarm key per resident and day', () => {
    const f = [facts({ lastCheckin: checkin('2026-03-09 09:00') })];
    const k = (wall: string) => findAbsences(f, clockAt(wall), S).map((x) => x.key);
    expect(k('2026-03-10 10:05')).toEqual(k('2026-03-10 10:55'));
    expect(k('2026-03-10 11:05')).toEqual(k('2026-03-10 20:00'));
    expect(k('2026-03-10 10:05')).not.toEqual(k('2026-03-10 11:05'));
    // the next day (no check-in since): new keys
    expect(k('2026-03-11 10:05')).toEqual([`remind:${R}:2026-03-11`]);
    expect(k('2026-03-11 11:05')).toEqual([`checkin:${R}:2026-03-11`]);
    // another resident: other keys
    const other = findAbsences([facts({ residentId: 'res-2', lastCheckin: checkin('2026-03-09 09:00') })], clockAt('2026-03-10 11:05'), S);
    expect(other.map((x) => x.key)).toEqual(['checkin:res-2:2026-03-10']);
  });
});

describe('CHECKIN_BY plus CHECKIN_GRACE_MINUTES must end the same local day', () => {
  it('the rule itself: a grace running past midnight would never raise the alarm', () => {
    const late = { ...S, checkinBy: { hour: 23, minute: 30 }, checkinGraceMinutes: 60 };
    const f = [facts({ lastCheckin: checkin('2026-03-09 09:00') })];
    expect(findAbsences(f, clockAt('2026-03-10 23:59'), late).map((x) => x.action)).toEqual(['remind']);
    expect(findAbsences(f, clockAt('2026-03-11 00:45'), late)).toEqual([]); // the next day: before its own CHECKIN_BY
  });

  it('so such a configuration is refused at start-up, naming the variable', () => {
    expect(() => loadConfig({ CHECKIN_BY: '23:30' })).toThrow(expect.objectContaining({ variable: 'CHECKIN_GRACE_MINUTES' }));
    expect(() => loadConfig({ CHECKIN_BY: '12:00', CHECKIN_GRACE_MINUTES: '720' })).toThrow(/before midnight/);
    expect(loadConfig({ CHECKIN_BY: '23:00', CHECKIN_GRACE_MINUTES: '59' }).dispatch.absence).toMatchObject({ checkinBy: { hour: 23, minute: 0 }, checkinGraceMinutes: 59 });
    expect(loadConfig({}).dispatch.absence).toEqual({ bedReturnMinutes: 30, checkinBy: { hour: 10, minute: 0 }, checkinGraceMinutes: 60, inactivityHours: 12 });
    expect(loadConfig({}).dispatch.nightHours).toEqual({ start: 22, end: 7 });
  });
});

// ───────────────────────────── inactivity ─────────────────────────────

describe('findAbsences: daytime inactivity', () => {
  const inactive = (wall: string): AbsenceFinding => ({
    action: 'alarm',
    kind: 'inactivity',
    priority: 'urgent',
    residentId: R,
    deviceId: 'motion-1',
    key: `inactive:${R}:${local(wall).toISOString()}`,
    since: local(wall),
  });
  const cases: Array<[string, Partial<ResidentFacts>, string, AbsenceFinding[]]> = [
    ['no motion sensor: nothing, however long', { hasMotionSensor: false, lastActivity: activity('2026-03-09 08:00') }, '2026-03-10 15:00', []],
    ['by day, 12 h 1 min since the last activity', { hasMotionSensor: true, lastActivity: activity('2026-03-10 02:59') }, '2026-03-10 15:00', [inactive('2026-03-10 02:59')]],
    ['by day, exactly inactivityHours', { hasMotionSensor: true, lastActivity: activity('2026-03-10 03:00') }, '2026-03-10 15:00', [inactive('2026-03-10 03:00')]],
    ['by day, 11 h 59 min (within)', { hasMotionSensor: true, lastActivity: activity('2026-03-10 03:01') }, '2026-03-10 15:00', []],
    ['by day, an hour ago', { hasMotionSensor: true, lastActivity: activity('2026-03-10 14:00') }, '2026-03-10 15:00', []],
    ['at night (asleep), 13 h since', { hasMotionSensor: true, lastActivity: activity('2026-03-10 10:00') }, '2026-03-10 23:00', []],
    ['at 06:59 (still night), 20 h since', { hasMotionSensor: true, lastActivity: activity('2026-03-09 10:59') }, '2026-03-10 06:59', []],
    ['at 07:00 (day begins), 20 h since', { hasMotionSensor: true, lastActivity: activity('2026-03-09 11:00') }, '2026-03-10 07:00', [inactive('2026-03-09 11:00')]],
    ['sensor, but no activity this week', { hasMotionSensor: true, lastActivity: null }, '2026-03-10 15:00', []],
  ];
  it.each(cases)('%s', (_name, f, nowWall, expected) => {
    expect(findAbsences([facts(f)], clockAt(nowWall), S)).toEqual(expected);
  });

  it('the key names the last activity: the same quiet spell keeps its key, a new one gets a new key', () => {
    const f = facts({ hasMotionSensor: true, lastActivity: activity('2026-03-10 01:00') });
    const k1 = findAbsences([f], clockAt('2026-03-10 13:30'), S).map((x) => x.key);
    const k2 = findAbsences([f], clockAt('2026-03-10 18:00'), S).map((x) => x.key);
    expect(k1).toEqual([`inactive:${R}:2026-03-09T17:00:00.000Z`]);
    expect(k2).toEqual(k1);
    const later = facts({ hasMotionSensor: true, lastActivity: activity('2026-03-10 02:00') });
    const k3 = findAbsences([later], clockAt('2026-03-10 18:00'), S).map((x) => x.key);
    expect(k3).toHaveLength(1);
    expect(k3).not.toEqual(k1);
  });
});

// ───────────────────────────── several at once ─────────────────────────────

describe('findAbsences: several residents and findings', () => {
  it('one resident can have all three findings, in the order bed, check-in, inactivity', () => {
    const s = { ...S, inactivityHours: 4 };
    const f = facts({
      lastBed: bed('bed.exit', '2026-03-10 06:00', 'ev-9'),
      lastCheckin: checkin('2026-03-09 09:00'),
      lastActivity: { at: local('2026-03-10 06:00'), deviceId: 'bed-1' },
      hasMotionSensor: true,
    });
    const out = findAbsences([f], clockAt('2026-03-10 11:30'), s);
    expect(out.map((x) => (x.action === 'alarm' ? x.kind : x.action))).toEqual(['bed.no_return', 'checkin.missed', 'inactivity']);
    expect(out.every((x) => x.residentId === R)).toBe(true);
    expect(new Set(out.map((x) => x.key)).size).toBe(3);
    // the inactivity names the device that was last active (here the bed sensor)
    expect(out[2]).toMatchObject({ deviceId: 'bed-1', priority: 'urgent', since: local('2026-03-10 06:00') });
    // a reminder and a bed alarm together, half an hour earlier
    expect(findAbsences([f], clockAt('2026-03-10 10:30'), s).map((x) => (x.action === 'alarm' ? x.kind : x.action))).toEqual([
      'bed.no_return',
      'remind',
      'inactivity',
    ]);
  });

  it('residents are judged separately; an empty list gives nothing', () => {
    const list = [
      facts({ residentId: 'a', lastBed: bed('bed.exit', '2026-03-10 02:00') }),
      facts({ residentId: 'b', lastCheckin: checkin('2026-03-10 08:00'), lastActivity: activity('2026-03-10 08:00'), hasMotionSensor: true }),
      facts({ residentId: 'c', lastCheckin: checkin('2026-03-09 08:00') }),
    ];
    const out = findAbsences(list, clockAt('2026-03-10 12:00'), S);
    expect(out.map((x) => [x.residentId, x.action === 'alarm' ? x.kind : x.action])).toEqual([
      ['a', 'bed.no_return'],
      ['c', 'checkin.missed'],
    ]);
    expect(findAbsences([], clockAt('2026-03-10 12:00'), S)).toEqual([]);
  });

  it('is pure: the same facts and clock give equal findings, and the input is not changed', () => {
    const list = [
      facts({
        lastBed: bed('bed.exit', '2026-03-10 02:00'),
        lastCheckin: checkin('2026-03-09 08:00'),
        lastActivity: activity('2026-03-09 20:00'),
        hasMotionSensor: true,
      }),
    ];
    const before = structuredClone(list);
    const c = clockAt('2026-03-10 12:00');
    const a = findAbsences(list, c, S);
    const b = findAbsences(list, clockAt('2026-03-10 12:00'), S);
    expect(a).toHaveLength(3);
    expect(b).toEqual(a);
    expect(list).toEqual(before);
    // keys do not depend on when within the day the sweep runs (alarms)
    expect(findAbsences(list, clockAt('2026-03-10 17:45'), S).map((x) => x.key)).toEqual(a.map((x) => x.key));
  });
});

// ───────────────────────────── the real local clock ─────────────────────────────

/** The checks every localClock reading must pass, against JavaScript's own local-time getters (same TZ). */
function clockProblems(now: Date): string[] {
  const pad = (n: number) => String(n).padStart(2, '0');
  const c = localClock(now);
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => ok || problems.push(`${now.toISOString()}: ${what} (day ${c.day}, dayStart ${c.dayStart.toISOString()})`);
  const sinceStart = now.getTime() - c.dayStart.getTime();
  check(c.now === now, 'now');
  check(sinceStart >= 0, 'dayStart <= now');
  // 24 h, or 25 h on the day the clocks go back
  check(sinceStart < (now.getTimezoneOffset() === c.dayStart.getTimezoneOffset() ? 24 : 25) * HOUR, 'now - dayStart < 24 h');
  check(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(c.day), 'day is YYYY-MM-DD');
  check(c.day === `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`, 'day is the local date');
  check(c.hour === now.getHours() && c.minute === now.getMinutes(), 'hour and minute are local');
  check(c.hourOf(now) === c.hour && localHour(now) === c.hour, 'hourOf(now) === hour');
  // dayStart is the first instant of the local day: local midnight (or when the clocks jump over it)
  check(c.dayStart.getTime() === new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime(), 'dayStart is local midnight');
  check(localClock(c.dayStart).day === c.day, 'dayStart is on the same day');
  check(localClock(new Date(c.dayStart.getTime() - 1)).day !== c.day, 'a millisecond before dayStart is the day before');
  return problems;
}

describe('localClock (process TZ as it is)', () => {
  // now, and instants spread over more than a year (any DST change of the TZ included)
  const instants = [new Date(), ...Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * (7 * 24 + 13) * HOUR + i * 7 * MIN + i * 997))];

  it.each(instants.map((d) => [d.toISOString(), d] as const))('%s', (_iso, now) => {
    expect(clockProblems(now)).toEqual([]);
  });

  it('every 97 min 17 s through 2026', () => {
    const problems: string[] = [];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 97 * MIN + 17_000) problems.push(...clockProblems(new Date(t)));
    expect(problems.slice(0, 5)).toEqual([]);
  });
});

describe('localClock in time zones with DST (a child process each, TZ set)', () => {
  // The test process's TZ is whatever it is (often UTC, where dayStart is trivial); on the days
  // the clocks change, "now minus the wall time since midnight" is an hour off.
  const script = `
    import { localClock } from ${JSON.stringify(new URL('../dispatch-console/core/local-clock.ts', import.meta.url).href)};
    const out = [];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 37 * 60_000) {
      const now = new Date(t), c = localClock(now);
      const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
      if (c.dayStart.getTime() !== midnight || c.hour !== now.getHours()) out.push(now.toISOString() + ' ' + c.day + ' ' + c.dayStart.toISOString());
    }
    console.log(JSON.stringify(out.slice(0, 3)));`;
  const run = (tz: string) =>
    new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, timeout: 15_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout.trim()),
      ),
    );
  // spring forward at 02:00 and back at 02:00; the clocks jump over midnight; midnight happens twice
  it.concurrent.for(['America/New_York', 'America/Santiago', 'America/Havana'])('%s: dayStart is local midnight all year', async (tz, { expect }) => {
    expect(JSON.parse(await run(tz))).toEqual([]);
  });
});
