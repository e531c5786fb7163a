// The operators' page's pure logic (dispatch-console/web/src), run in Node. Only modules that
// typecheck under the root config without the DOM lib are imported here: lib/error-text.ts and
// lib/hash-route.ts reach preact (whose types pull in lib.dom for the whole program) or
// `window`, so they are left to the browser tests.
import { describe, expect, it } from 'vitest';
import { actorKinds, alarmKinds, alarmStatuses, knownOutcomes, notificationChannels, notificationStatuses, priorities, stepKinds, timelineCodes } from '../contract/alarms.ts';
import { deviceKinds, serviceKinds } from '../contract/device-messages.ts';
import { reportGroupings } from '../contract/reports.ts';
import { en } from '../dispatch-console/web/src/i18n/en.ts';
import { zh } from '../dispatch-console/web/src/i18n/zh.ts';
import { acceptClock, arriveClock, clockCaption, type ClockReading } from '../dispatch-console/web/src/lib/alarm-clock.ts';
import { needingAttention } from '../dispatch-console/web/src/lib/device-attention.ts';
import { errorMessage } from '../dispatch-console/web/src/lib/error-message.ts';
import { dutyBeyondGrids, gridDuty, reassignGroups } from '../dispatch-console/web/src/lib/on-duty.ts';
import { legendValue, shareFormatter } from '../dispatch-console/web/src/lib/share.ts';
import { reassignment, supersededAccepts } from '../dispatch-console/web/src/lib/timeline-facts.ts';
import { emergencyWaiting, graver, MERGE_MS, PATTERNS, patternMs, REPEAT_MS, soundNow, toneForMessage, type BoardBefore, type SoundInput, type Tone } from '../dispatch-console/web/src/lib/alarm-sound.ts';
import { ACTIVE, activeQueue, compareQueue, isActive } from '../dispatch-console/web/src/lib/active-queue.ts';
import { batteryPct, LOW_BATTERY_PCT } from '../dispatch-console/web/src/lib/battery.ts';
import { formatDuration, secondsBetween, toMs } from '../dispatch-console/web/src/lib/duration.ts';
import { telHref } from '../dispatch-console/web/src/lib/phone.ts';
import { formatTimestamp, isoDay, shortDay } from '../dispatch-console/web/src/lib/timestamp.ts';
import { applyMessage, applyPolledAlarms, emptyBoard, mergeTimeline, withPongSkew, type BoardState } from '../dispatch-console/web/src/state/board-state.ts';
import type { Alarm, Area, Caregiver, Device, ServerMsg, SmsStatus, SnapshotData, TimelineRow } from '../dispatch-console/web/src/types.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: the wire shapes (Wire<AlarmView> etc.), dates as ISO strings.

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
/** The instant `s` seconds after T0, as the wire carries it. */
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
/** The same instant as epoch ms (the clocks' `nowMs`). */
const ms = (s: number): number => T0 + s * 1000;

const ACCEPT_LIMIT_S = 120;
const ARRIVE_LIMIT_S = 2700;

function alarm(over: Partial<Alarm> = {}): Alarm {
  const raisedAt = over.raisedAt ?? at(0);
  const acceptLimitS = over.acceptLimitS ?? ACCEPT_LIMIT_S;
  return {
    id: 'a1',
    status: 'open',
    priority: 'emergency',
    kind: 'button.pressed',
    residentId: 'r1',
    resident: { name: 'Ada Li', address: '1 Main St', grid: 'G1', notes: null, phone: null },
    deviceId: 'dev-1',
    areaId: 'area-1',
    raisedAt,
    acceptedAt: null,
    acceptedBy: null,
    acceptedByName: null,
    arrivedAt: null,
    closedAt: null,
    outcome: null,
    acceptLimitS,
    arriveLimitS: ARRIVE_LIMIT_S,
    // as present-alarm.ts computes it
    acceptBy: new Date(Date.parse(raisedAt) + acceptLimitS * 1000).toISOString(),
    step: 1,
    stepKind: 'next_in_grid',
    stepDeadline: null,
    notified: [],
    currentNotified: [],
    declined: [],
    replyCode: '4711',
    eventCount: 1,
    lastEventAt: raisedAt,
    arrivalOverdue: false,
    timeToAcceptS: null,
    timeToArriveS: null,
    timeToResolveS: null,
    ...over,
  };
}

/** An alarm in a given state, with the timestamps and derived times the server would send. */
function alarmIn(status: Alarm['status'], times: { acceptS?: number; arriveS?: number; closeS?: number } = {}, over: Partial<Alarm> = {}): Alarm {
  const { acceptS, arriveS, closeS } = times;
  return alarm({
    status,
    acceptedAt: acceptS === undefined ? null : at(acceptS),
    acceptedBy: acceptS === undefined ? null : 'cg-1',
    acceptedByName: acceptS === undefined ? null : 'Wang Fang',
    arrivedAt: arriveS === undefined ? null : at(arriveS),
    closedAt: closeS === undefined ? null : at(closeS),
    timeToAcceptS: acceptS ?? null,
    timeToArriveS: arriveS ?? null,
    timeToResolveS: status === 'resolved' && closeS !== undefined ? closeS : null,
    ...over,
  });
}

// a row with an arbitrary detail (the detail's shape per code is the contract's; these tests only need the code)
function row(id: number, s: number, code: TimelineRow['code'] = 'note.added'): TimelineRow {
  return { id, at: at(s), code, actorKind: 'system', actorId: null, actorName: null, detail: {} } as TimelineRow;
}

function caregiver(id: string, over: Partial<Caregiver> = {}): Caregiver {
  return {
    id,
    name: `Caregiver ${id}`,
    role: 'caregiver',
    phone: null,
    areaIds: ['area-1'],
    onDuty: true,
    shiftEndsAt: at(8 * 3600),
    nextShiftAt: null,
    wearableId: `w-${id}`,
    wearableOnline: true,
    battery: 0.8,
    activeAlarms: 0,
    ...over,
  };
}

function device(id: string, over: Partial<Device> = {}): Device {
  return { id, kind: 'pendant', residentId: 'r1', residentName: 'Ada Li', areaId: 'area-1', caregiverId: null, online: true, battery: 0.9, batteryLow: false, lastSeenAt: at(0), statusAt: at(0), ...over };
}

function sms(notificationId: string, status: string, over: Partial<SmsStatus> = {}): SmsStatus {
  return { alarmId: 'a1', notificationId, status, recipientName: 'Li Wei', target: '+86 138 **** 0000', error: null, ...over };
}

function snapshotMsg(over: Partial<SnapshotData> = {}): ServerMsg {
  return {
    type: 'snapshot',
    data: {
      serverTime: at(0),
      user: { username: 'op', role: 'operator', caregiverId: null },
      resync: false,
      alarms: [],
      areas: [],
      caregivers: [],
      devices: [],
      ...over,
    },
  };
}

const raised = (a: Alarm, timeline: TimelineRow[] = []): ServerMsg => ({ type: 'alarm.raised', data: { ...a, timeline } });
const updated = (a: Alarm, timeline: TimelineRow[] = []): ServerMsg => ({ type: 'alarm.updated', data: { ...a, timeline } });

const applyAll = (s: BoardState, msgs: readonly ServerMsg[], receivedAt = ms(0)): BoardState => msgs.reduce((acc, m) => applyMessage(acc, m, receivedAt), s);
const ids = <T extends { id: string }>(xs: Iterable<T>): string[] => [...xs].map((x) => x.id);

// ---------------------------------------------------------------------------------------------

describe('acceptClock', () => {
  type Expect = Pick<ClockReading, 'state' | 'level' | 'seconds'>;
  const cases: Array<[name: string, a: Alarm, nowS: number, expected: Expect]> = [
    ['open, just raised', alarm(), 0, { state: 'running', level: 'ok', seconds: 0 }],
    ['open, half the limit gone', alarm(), 60, { state: 'running', level: 'ok', seconds: 60 }],
    ['open, just under 75 % of the limit', alarm(), 89.9, { state: 'running', level: 'ok', seconds: 89.9 }],
    ['open, exactly 75 % of the limit', alarm(), 90, { state: 'running', level: 'amber', seconds: 90 }],
    ['open, a second before acceptBy', alarm(), 119, { state: 'running', level: 'amber', seconds: 119 }],
    ['open, at acceptBy', alarm(), 120, { state: 'running', level: 'red', seconds: 120 }],
    ['open, long past acceptBy', alarm(), 600, { state: 'running', level: 'red', seconds: 600 }],
    ['open, red follows acceptBy, not the limit', alarm({ acceptBy: at(60) }), 61, { state: 'running', level: 'red', seconds: 61 }],
    ['open, amber uses its own alarm limit', alarm({ acceptLimitS: 40 }), 30, { state: 'running', level: 'amber', seconds: 30 }],
    ['open, local clock behind raisedAt: never negative', alarm(), -5, { state: 'running', level: 'ok', seconds: 0 }],
    ['open, raised later than T0', alarm({ raisedAt: at(100) }), 130, { state: 'running', level: 'ok', seconds: 30 }],
    ['accepted quickly: frozen, not running on', alarmIn('accepted', { acceptS: 45 }), 5000, { state: 'stopped', level: 'ok', seconds: 45 }],
    ['accepted at 75 % of the limit', alarmIn('accepted', { acceptS: 90 }), 5000, { state: 'stopped', level: 'amber', seconds: 90 }],
    ['accepted exactly at the limit (within it)', alarmIn('accepted', { acceptS: 120 }), 5000, { state: 'stopped', level: 'amber', seconds: 120 }],
    ['accepted past the limit', alarmIn('accepted', { acceptS: 121 }), 5000, { state: 'stopped', level: 'red', seconds: 121 }],
    ['accepted, timeToAcceptS missing: from acceptedAt', alarmIn('accepted', { acceptS: 50 }, { timeToAcceptS: null }), 5000, { state: 'stopped', level: 'ok', seconds: 50 }],
    ['timeToAcceptS wins over the timestamps', alarmIn('accepted', { acceptS: 50 }, { timeToAcceptS: 100 }), 5000, { state: 'stopped', level: 'amber', seconds: 100 }],
    ['on_site straight from open: frozen at arrival', alarmIn('on_site', { arriveS: 200 }), 5000, { state: 'stopped', level: 'red', seconds: 200 }],
    ['on_site after accept', alarmIn('on_site', { acceptS: 30, arriveS: 900 }), 5000, { state: 'stopped', level: 'ok', seconds: 30 }],
    ['resolved after accept', alarmIn('resolved', { acceptS: 100, arriveS: 900, closeS: 1500 }), 5000, { state: 'stopped', level: 'amber', seconds: 100 }],
    ['resolved without accept or arrival: frozen at closing', alarmIn('resolved', { closeS: 70 }), 5000, { state: 'stopped', level: 'ok', seconds: 70 }],
    ['cancelled before anyone accepted: frozen at closing', alarmIn('cancelled', { closeS: 40 }), 5000, { state: 'stopped', level: 'ok', seconds: 40 }],
    ['cancelled late, unaccepted', alarmIn('cancelled', { closeS: 300 }), 5000, { state: 'stopped', level: 'red', seconds: 300 }],
    ['cancelled after accept: the accept time', alarmIn('cancelled', { acceptS: 20, closeS: 300 }), 5000, { state: 'stopped', level: 'ok', seconds: 20 }],
    ['closed with no timestamps at all', alarm({ status: 'resolved' }), 5000, { state: 'stopped', level: 'ok', seconds: 0 }],
  ];

  it.each(cases)('%s', (_name, a, nowS, expected) => {
    const reading = acceptClock(a, ms(nowS));
    expect({ state: reading.state, level: reading.level }).toEqual({ state: expected.state, level: expected.level });
    expect(reading.seconds).toBeCloseTo(expected.seconds, 6);
    expect(reading.limitS).toBe(a.acceptLimitS);
  });
});

describe('arriveClock', () => {
  type Expect = Pick<ClockReading, 'state' | 'level' | 'seconds'> | undefined;
  const cases: Array<[name: string, a: Alarm, nowS: number, expected: Expect]> = [
    ['open: no arrive clock yet', alarm(), 600, undefined],
    ['open and overdue to accept: still none', alarm(), 5000, undefined],
    ['cancelled before accept: none', alarmIn('cancelled', { closeS: 60 }), 600, undefined],
    ['cancelled after accept: none', alarmIn('cancelled', { acceptS: 30, closeS: 600 }), 900, undefined],
    ['cancelled even after arriving: none', alarmIn('cancelled', { acceptS: 30, arriveS: 500, closeS: 600 }), 900, undefined],
    // issue 9: "on the way" counts from the accept (it showed the time since the alarm was raised)
    ['accepted, on the way: from the accept', alarmIn('accepted', { acceptS: 30 }), 630, { state: 'running', level: 'ok', seconds: 600 }],
    ['accepted late: counts from acceptedAt, not raisedAt', alarmIn('accepted', { acceptS: 300 }), 400, { state: 'running', level: 'ok', seconds: 100 }],
    ['accepted, just under 75 % of arriveLimitS', alarmIn('accepted', { acceptS: 30 }), 2054, { state: 'running', level: 'ok', seconds: 2024 }],
    ['accepted, 75 % of arriveLimitS', alarmIn('accepted', { acceptS: 30 }), 2055, { state: 'running', level: 'amber', seconds: 2025 }],
    ['accepted, at arriveLimitS after the accept', alarmIn('accepted', { acceptS: 30 }), 2730, { state: 'running', level: 'red', seconds: 2700 }],
    ['accepted, server says arrivalOverdue', alarmIn('accepted', { acceptS: 30 }, { arrivalOverdue: true }), 600, { state: 'running', level: 'red', seconds: 570 }],
    ['accepted, local clock behind the accept', alarmIn('accepted', { acceptS: 0 }), -3, { state: 'running', level: 'ok', seconds: 0 }],
    // the accept that stands now: reassigned at 200 s (acceptedAt cleared), accepted again at 400 s
    ['re-accepted after a reassignment: from the new accept', alarmIn('accepted', { acceptS: 400 }), 460, { state: 'running', level: 'ok', seconds: 60 }],
    ['on_site in good time: frozen, accept to arrival', alarmIn('on_site', { acceptS: 30, arriveS: 930 }), 9000, { state: 'stopped', level: 'ok', seconds: 900 }],
    ['on_site at 75 %', alarmIn('on_site', { acceptS: 30, arriveS: 2055 }), 9000, { state: 'stopped', level: 'amber', seconds: 2025 }],
    ['on_site exactly at the limit (within it)', alarmIn('on_site', { acceptS: 30, arriveS: 2730 }), 9000, { state: 'stopped', level: 'amber', seconds: 2700 }],
    ['on_site past the limit', alarmIn('on_site', { acceptS: 30, arriveS: 2731 }, { arrivalOverdue: true }), 9000, { state: 'stopped', level: 'red', seconds: 2701 }],
    ['on_site straight from open: from raisedAt', alarmIn('on_site', { arriveS: 500 }), 9000, { state: 'stopped', level: 'ok', seconds: 500 }],
    ['resolved after arriving', alarmIn('resolved', { acceptS: 30, arriveS: 1230, closeS: 2000 }), 9000, { state: 'stopped', level: 'ok', seconds: 1200 }],
    ['resolved late arrival', alarmIn('resolved', { acceptS: 30, arriveS: 3030, closeS: 4000 }), 9000, { state: 'stopped', level: 'red', seconds: 3000 }],
    ['resolved without arriving: none', alarmIn('resolved', { acceptS: 30, closeS: 600 }), 9000, undefined],
  ];

  it.each(cases)('%s', (_name, a, nowS, expected) => {
    const reading = arriveClock(a, ms(nowS));
    if (expected === undefined) {
      expect(reading).toBeUndefined();
      return;
    }
    expect(reading).toBeDefined();
    expect({ state: reading?.state, level: reading?.level }).toEqual({ state: expected.state, level: expected.level });
    expect(reading?.seconds).toBeCloseTo(expected.seconds, 6);
    expect(reading?.limitS).toBe(a.arriveLimitS);
  });
});

// ---------------------------------------------------------------------------------------------

describe('alarm queue', () => {
  it.each([
    ['open', true],
    ['accepted', true],
    ['on_site', true],
    ['resolved', false],
    ['cancelled', false],
  ] as const)('status %s active: %s', (status, active) => {
    expect(isActive(alarm({ status }))).toBe(active);
    expect(ACTIVE.includes(status)).toBe(active);
  });

  type Spec = [id: string, priority: Alarm['priority'], raisedS: number, status?: Alarm['status']];
  const build = (specs: Spec[]) => specs.map(([id, priority, raisedS, status = 'open']) => alarm({ id, priority, raisedAt: at(raisedS), status }));
  const cases: Array<[name: string, input: Spec[], expected: string[]]> = [
    ['empty', [], []],
    ['a newer emergency before an older technical', [['tech', 'technical', 0], ['emerg', 'emergency', 500]], ['emerg', 'tech']],
    [
      'all four priorities, given in reverse',
      [['t', 'technical', 0], ['s', 'service', 10], ['u', 'urgent', 20], ['e', 'emergency', 30]],
      ['e', 'u', 's', 't'],
    ],
    ['within a priority, oldest first', [['new', 'urgent', 300], ['old', 'urgent', 100], ['mid', 'urgent', 200]], ['old', 'mid', 'new']],
    ['same instant: by id', [['b', 'urgent', 100], ['c', 'urgent', 100], ['a', 'urgent', 100]], ['a', 'b', 'c']],
    [
      'priority first, age second',
      [['u-old', 'urgent', 0], ['e-new', 'emergency', 900], ['u-new', 'urgent', 800], ['e-old', 'emergency', 100]],
      ['e-old', 'e-new', 'u-old', 'u-new'],
    ],
    [
      'resolved and cancelled are left out, accepted and on_site stay',
      [['r', 'emergency', 0, 'resolved'], ['c', 'emergency', 1, 'cancelled'], ['acc', 'urgent', 2, 'accepted'], ['site', 'emergency', 3, 'on_site'], ['o', 'service', 4, 'open']],
      ['site', 'acc', 'o'],
    ],
    ['only closed alarms: empty queue', [['r', 'emergency', 0, 'resolved'], ['c', 'urgent', 1, 'cancelled']], []],
  ];

  it.each(cases)('activeQueue: %s', (_name, specs, expected) => {
    const alarms = new Map(build(specs).map((a) => [a.id, a]));
    const before = [...alarms.keys()];
    expect(ids(activeQueue(alarms.values()))).toEqual(expected);
    expect([...alarms.keys()]).toEqual(before); // the source is not reordered
  });

  it.each([
    ['higher priority first', alarm({ id: 'x', priority: 'urgent' }), alarm({ id: 'y', priority: 'service', raisedAt: at(-100) }), -1],
    ['lower priority after', alarm({ id: 'x', priority: 'technical' }), alarm({ id: 'y', priority: 'emergency', raisedAt: at(100) }), 1],
    ['older first', alarm({ id: 'x', raisedAt: at(0) }), alarm({ id: 'y', raisedAt: at(1) }), -1],
    ['newer after', alarm({ id: 'x', raisedAt: at(1) }), alarm({ id: 'y', raisedAt: at(0) }), 1],
    ['the same alarm is equal', alarm({ id: 'x' }), alarm({ id: 'x' }), 0],
  ] as const)('compareQueue: %s', (_name, a, b, sign) => {
    expect(Math.sign(compareQueue(a, b))).toBe(sign);
    expect(Math.sign(compareQueue(b, a))).toBe(sign === 0 ? 0 : -sign);
  });
});

// ---------------------------------------------------------------------------------------------

describe('duration', () => {
  it.each([
    [0, false, '0:00'],
    [0, true, '00:00'],
    [5, false, '0:05'],
    [5, true, '00:05'],
    [59.9, false, '0:59'],
    [60, false, '1:00'],
    [65, true, '01:05'],
    [599, false, '9:59'],
    [600, true, '10:00'],
    [3599, false, '59:59'],
    [3599.999, true, '59:59'],
    [3600, false, '1:00:00'],
    [3725, false, '1:02:05'],
    [3725, true, '1:02:05'],
    [36_000 + 59, false, '10:00:59'],
    [90_000, false, '25:00:00'],
    [-65, false, '-1:05'],
    [-3725, false, '-1:02:05'],
    [null, false, '–'],
    [undefined, true, '–'],
    [Number.NaN, false, '–'],
    [Number.POSITIVE_INFINITY, false, '–'],
    [Number.NEGATIVE_INFINITY, true, '–'],
  ] as const)('formatDuration(%s, pad %s) = %s', (seconds, pad, expected) => {
    expect(formatDuration(seconds, pad)).toBe(expected);
  });

  it.each([
    ['ISO to ISO', at(0), at(90), 90],
    ['epoch ms to epoch ms', ms(0), ms(42), 42],
    ['ISO to epoch ms', at(10), ms(70), 60],
    ['epoch ms to ISO', ms(70), at(10), -60],
    ['sub-second', '2025-03-01T10:00:00.000Z', '2025-03-01T10:00:01.500Z', 1.5],
    ['across a time zone offset', '2025-03-01T18:00:00+08:00', '2025-03-01T10:00:30Z', 30],
  ] as const)('secondsBetween: %s', (_name, from, to, expected) => {
    expect(secondsBetween(from, to)).toBe(expected);
  });

  it.each([
    ['2025-03-01T10:00:00.000Z', T0],
    ['2025-03-01T18:00:00+08:00', T0],
    [T0, T0],
    [0, 0],
  ] as const)('toMs(%s)', (v, expected) => {
    expect(toMs(v)).toBe(expected);
  });
});

describe('timestamps', () => {
  // local wall-clock instants (the helper reads the local clock), so the table holds in any TZ
  const local = (y: number, mo: number, d: number, h = 0, mi = 0, sec = 0) => new Date(y, mo - 1, d, h, mi, sec).getTime();
  const NOW = local(2025, 11, 23, 9, 30, 0);

  it.each([
    ['earlier today', local(2025, 11, 23, 8, 5, 7), '08:05:07'],
    ['just after midnight today', local(2025, 11, 23, 0, 0, 0), '00:00:00'],
    ['now', NOW, '09:30:00'],
    ['later today (a clock ahead)', local(2025, 11, 23, 23, 59, 59), '23:59:59'],
    ['two minutes before midnight yesterday', local(2025, 11, 22, 23, 58, 10), '11-22 23:58:10'],
    ['tomorrow', local(2025, 11, 24, 0, 0, 1), '11-24 00:00:01'],
    ['the same day of another month', local(2025, 10, 23, 9, 30, 0), '10-23 09:30:00'],
    ['the same day and month a year ago', local(2024, 11, 23, 9, 30, 0), '2024-11-23 09:30:00'],
    ['last year, new year\'s eve', local(2024, 12, 31, 23, 0, 0), '2024-12-31 23:00:00'],
  ])('%s', (_name, at, expected) => {
    expect(formatTimestamp(at, NOW)).toBe(expected);
    // the same instant as the wire carries it (ISO) or as a Date
    expect(formatTimestamp(new Date(at).toISOString(), NOW)).toBe(expected);
    expect(formatTimestamp(new Date(at), NOW)).toBe(expected);
  });

  it('a new year\'s morning shows yesterday with its year', () => {
    expect(formatTimestamp(local(2024, 12, 31, 23, 58, 10), local(2025, 1, 1, 0, 1, 0))).toBe('2024-12-31 23:58:10');
  });

  it.each(['not a date', Number.NaN, ''])('an unreadable instant (%s) is a dash', (v) => {
    expect(formatTimestamp(v, NOW)).toBe('–');
  });
});

describe('phone links', () => {
  it.each([
    ['+8613800000000', 'tel:+8613800000000'],
    ['+86 138-0013 8000', 'tel:+8613800138000'],
    ['+86 (10) 1234.5678', 'tel:+861012345678'],
    ['010 1234 5678', 'tel:01012345678'],
    ['  13800000000  ', 'tel:13800000000'],
    ['+ 44 20 7946 0000', 'tel:+442079460000'],
    ['Tel: +86 138 0000 0000', 'tel:+8613800000000'],
    ['010-1234 5678 ext 12', 'tel:01012345678'],
    ['010-1234 5678 转 12', 'tel:01012345678'],
    ['13800000000 / 13900000000', 'tel:13800000000'],
    ['13800000000 (daughter)', 'tel:13800000000'],
    ['1-2+3', 'tel:12'],
  ])('%s → %s', (phone, href) => {
    expect(telHref(phone)).toBe(href);
    expect(href).toMatch(/^tel:\+?\d+$/);
  });

  it.each(['', '   ', 'none', '+', 'n/a'])('no number in %j: no link', (phone) => {
    expect(telHref(phone)).toBeNull();
  });
});

describe('alarm sound', () => {
  const known = (...alarms: Alarm[]): BoardBefore => ({ synced: true, alarms: new Map(alarms.map((a) => [a.id, a])) });
  const EMPTY = known();

  it.each<[string, ServerMsg, BoardBefore, Tone | null]>([
    ['a new emergency', raised(alarm()), EMPTY, 'emergency'],
    ['a new urgent alarm', raised(alarm({ priority: 'urgent' })), EMPTY, 'urgent'],
    ['a new service request', raised(alarm({ priority: 'service' })), EMPTY, null],
    ['a new technical alarm', raised(alarm({ priority: 'technical' })), EMPTY, null],
    ['an emergency raised already accepted', raised(alarmIn('accepted', { acceptS: 0 })), EMPTY, null],
    ['an emergency the board already has (repeated)', raised(alarm()), known(alarm()), null],
    ['urgent raised to emergency', updated(alarm()), known(alarm({ priority: 'urgent' })), 'emergency'],
    ['service raised to emergency', updated(alarm()), known(alarm({ priority: 'service' })), 'emergency'],
    ['urgent raised to emergency, but already accepted', updated(alarmIn('accepted', { acceptS: 5 })), known(alarm({ priority: 'urgent' })), null],
    ['an emergency updated (a step, a note)', updated(alarm({ step: 2 })), known(alarm()), null],
    ['service raised to urgent', updated(alarm({ priority: 'urgent' })), known(alarm({ priority: 'service' })), null],
    ['an update for an alarm the board never had', updated(alarm()), EMPTY, null],
    ['an emergency accepted', updated(alarmIn('accepted', { acceptS: 5 })), known(alarm()), null],
    ['the first snapshot of a login, with open emergencies', snapshotMsg({ alarms: [alarm()] }), { synced: false, alarms: new Map() }, null],
    ['a resync bringing a new emergency and an urgent', snapshotMsg({ alarms: [alarm({ id: 'a2', priority: 'urgent' }), alarm({ id: 'a3' })] }), known(alarm()), 'emergency'],
    ['a resync bringing a new urgent alarm', snapshotMsg({ alarms: [alarm(), alarm({ id: 'a2', priority: 'urgent' })] }), known(alarm()), 'urgent'],
    ['a resync with nothing new', snapshotMsg({ alarms: [alarm()] }), known(alarm()), null],
    ['a resync with a new alarm already accepted', snapshotMsg({ alarms: [alarmIn('accepted', { acceptS: 5 }, { id: 'a2' })] }), EMPTY, null],
    ['a device status', { type: 'device.status', data: device('d1') }, EMPTY, null],
    ['a pong', { type: 'pong', data: { serverTime: at(0) } }, EMPTY, null],
  ])('toneForMessage: %s → %s', (_name, msg, before, expected) => {
    expect(toneForMessage(msg, before)).toBe(expected);
  });

  it.each<[string, Alarm[], boolean]>([
    ['none', [], false],
    ['an open emergency', [alarm()], true],
    ['an accepted emergency', [alarmIn('accepted', { acceptS: 5 })], false],
    ['an emergency on site', [alarmIn('on_site', { acceptS: 5, arriveS: 60 })], false],
    ['a resolved emergency', [alarmIn('resolved', { acceptS: 5, arriveS: 60, closeS: 90 })], false],
    ['an open urgent alarm', [alarm({ priority: 'urgent' })], false],
    ['an accepted one and an open one', [alarmIn('accepted', { acceptS: 5 }), alarm({ id: 'a2' })], true],
  ])('emergencyWaiting: %s → %s', (_name, alarms, expected) => {
    expect(emergencyWaiting(alarms)).toBe(expected);
  });

  const input = (over: Partial<SoundInput>): SoundInput => ({ muted: false, ready: true, heard: null, emergencyWaiting: false, nowMs: ms(100), last: null, ...over });
  const playedAgo = (tone: Tone, agoMs: number) => ({ tone, atMs: ms(100) - agoMs });

  it.each<[string, Partial<SoundInput>, Tone | null]>([
    ['a new emergency, nothing played yet', { heard: 'emergency', emergencyWaiting: true }, 'emergency'],
    ['a new urgent alarm', { heard: 'urgent' }, 'urgent'],
    ['nothing new, nothing waiting', {}, null],
    ['muted: a new emergency', { muted: true, heard: 'emergency', emergencyWaiting: true }, null],
    ['muted: an emergency waiting', { muted: true, emergencyWaiting: true }, null],
    ['audio held back: a new emergency', { ready: false, heard: 'emergency', emergencyWaiting: true }, null],
    ['audio held back: a new urgent alarm', { ready: false, heard: 'urgent' }, null],
    ['an emergency waiting, never sounded (the audio just started, or a login)', { emergencyWaiting: true }, 'emergency'],
    ['an emergency waiting, sounded just now', { emergencyWaiting: true, last: playedAgo('emergency', 1_000) }, null],
    ['an emergency waiting, sounded just under 10 s ago', { emergencyWaiting: true, last: playedAgo('emergency', REPEAT_MS - 1) }, null],
    ['an emergency waiting, sounded 10 s ago', { emergencyWaiting: true, last: playedAgo('emergency', REPEAT_MS) }, 'emergency'],
    ['an emergency waiting, an urgent beep 10 s ago', { emergencyWaiting: true, last: playedAgo('urgent', REPEAT_MS) }, 'emergency'],
    ['an emergency waiting, an urgent beep 3 s ago', { emergencyWaiting: true, last: playedAgo('urgent', 3_000) }, null],
    ['no emergency waiting any more, 10 s on', { last: playedAgo('emergency', REPEAT_MS) }, null],
    ['an urgent alarm waiting does not repeat', { last: playedAgo('urgent', REPEAT_MS * 3) }, null],
    ['a second emergency within the merge window', { heard: 'emergency', emergencyWaiting: true, last: playedAgo('emergency', MERGE_MS - 1) }, null],
    ['a second emergency after the merge window', { heard: 'emergency', emergencyWaiting: true, last: playedAgo('emergency', MERGE_MS) }, 'emergency'],
    ['an urgent alarm just after an emergency', { heard: 'urgent', emergencyWaiting: true, last: playedAgo('emergency', 500) }, null],
    ['an emergency just after an urgent beep: never swallowed', { heard: 'emergency', emergencyWaiting: true, last: playedAgo('urgent', 100) }, 'emergency'],
    ['a new urgent alarm 5 s after the reminder, an emergency still waiting', { heard: 'urgent', emergencyWaiting: true, last: playedAgo('emergency', 5_000) }, 'urgent'],
  ])('soundNow: %s → %s', (_name, over, expected) => {
    expect(soundNow(input(over))).toBe(expected);
  });

  it.each<[Tone | null, Tone | null, Tone | null]>([
    [null, null, null],
    ['urgent', null, 'urgent'],
    [null, 'emergency', 'emergency'],
    ['urgent', 'emergency', 'emergency'],
    ['emergency', 'urgent', 'emergency'],
    ['urgent', 'urgent', 'urgent'],
  ])('graver(%s, %s) = %s', (a, b, expected) => {
    expect(graver(a, b)).toBe(expected);
  });

  it('the two patterns are told apart by ear: different waves, pitches and rhythm; short enough to repeat', () => {
    const { emergency, urgent } = PATTERNS;
    expect(emergency.wave).not.toBe(urgent.wave);
    expect(new Set(emergency.beeps.map((b) => b.hz)).size).toBeGreaterThan(1); // a warble
    expect(new Set(urgent.beeps.map((b) => b.hz)).size).toBe(1); // one pitch
    expect(emergency.beeps.length).toBeGreaterThan(urgent.beeps.length);
    for (const p of [emergency, urgent]) {
      expect(patternMs(p)).toBeGreaterThan(300);
      expect(patternMs(p)).toBeLessThan(MERGE_MS);
      expect(p.gain).toBeGreaterThan(0);
      expect(p.gain).toBeLessThanOrEqual(1);
      // beeps in order, none overlapping the next
      p.beeps.forEach((b, i) => {
        const next = p.beeps[i + 1];
        if (next) expect(next.atMs).toBeGreaterThanOrEqual(b.atMs + b.durMs);
      });
    }
  });
});

describe('battery', () => {
  it.each([
    [null, null],
    [undefined, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [0, 0],
    [0.004, 0],
    [0.15, 15],
    [0.194, 19],
    [0.5, 50],
    [0.999, 100],
    [1, 100],
    // an older firmware's 0..100
    [19.6, 20],
    [57, 57],
    [100, 100],
  ] as const)('batteryPct(%s) = %s', (input, expected) => {
    expect(batteryPct(input)).toBe(expected);
  });

  it.each([
    [0.05, true],
    [0.19, true],
    [0.2, false],
    [0.8, false],
    [12, true],
    [20, false],
  ] as const)('battery %s low: %s', (input, low) => {
    const pct = batteryPct(input);
    expect(pct).not.toBeNull();
    expect((pct ?? 101) < LOW_BATTERY_PCT).toBe(low);
  });
});

// ---------------------------------------------------------------------------------------------

describe('board state: snapshot', () => {
  /** A board with something in every part, as after a while on the stream. */
  function busyBoard(): BoardState {
    return applyAll(emptyBoard, [
      snapshotMsg({ alarms: [alarm({ id: 'old-1' }), alarm({ id: 'old-2', status: 'accepted' })], caregivers: [caregiver('cg-old')], devices: [device('dev-old')], areas: [{ id: 'area-old', name: 'Old', kind: 'grid', parentId: null }] }),
      raised(alarm({ id: 'old-3' }), [row(1, 0, 'alarm.raised')]),
      { type: 'sms.status', data: sms('n-old', 'sent') },
      { type: 'device.status', data: device('dev-old-2') },
    ]);
  }

  it.each([
    ['first snapshot', false],
    ['resync snapshot', true],
  ] as const)('a %s replaces everything', (_name, resync) => {
    const before = busyBoard();
    expect(before.fresh.size).toBe(1); // the fixture is really dirty
    expect(before.timelines.size).toBe(1);
    expect(before.sms.size).toBe(1);

    const after = applyMessage(
      before,
      snapshotMsg({
        resync,
        serverTime: at(10),
        user: { username: 'li', role: 'caregiver', caregiverId: 'cg-new' },
        alarms: [alarm({ id: 'new-1' }), alarm({ id: 'old-2', status: 'on_site' })],
        caregivers: [caregiver('cg-new')],
        devices: [device('dev-new')],
        areas: [{ id: 'area-new', name: 'New', kind: 'grid', parentId: null }],
      }),
      ms(10),
    );
    expect(after.synced).toBe(true);
    expect(after.snapshotSeq).toBe(before.snapshotSeq + 1);
    expect(after.user).toEqual({ username: 'li', role: 'caregiver', caregiverId: 'cg-new' });
    expect([...after.alarms.keys()].sort()).toEqual(['new-1', 'old-2']);
    expect(after.alarms.get('old-2')?.status).toBe('on_site');
    expect([...after.caregivers.keys()]).toEqual(['cg-new']);
    expect([...after.devices.keys()]).toEqual(['dev-new']);
    expect(ids(after.areas)).toEqual(['area-new']);
    expect(after.timelines.size).toBe(0);
    expect(after.fresh.size).toBe(0);
    expect(after.sms.size).toBe(0);
    // the old state is untouched
    expect([...before.alarms.keys()].sort()).toEqual(['old-1', 'old-2', 'old-3']);
  });

  it.each([
    ['server and local clocks agree', 0, ms(0), 0],
    ['server 1.5 s ahead', 1.5, ms(0), 1500],
    ['server 2 s behind', 0, ms(2), -2000],
    ['an hour off', 3600, ms(0), 3_600_000],
  ] as const)('skew: %s', (_name, serverS, receivedAt, expected) => {
    const s = applyMessage(emptyBoard, snapshotMsg({ serverTime: at(serverS) }), receivedAt);
    expect(s.skewMs).toBe(expected);
  });

  it('counts snapshots across resyncs', () => {
    const s = applyAll(emptyBoard, [snapshotMsg(), snapshotMsg({ resync: true }), snapshotMsg({ resync: true })]);
    expect(s.snapshotSeq).toBe(3);
    expect(emptyBoard.synced).toBe(false);
    expect(emptyBoard.snapshotSeq).toBe(0);
  });
});

describe('board state: alarm.raised / alarm.updated', () => {
  interface Case {
    name: string;
    /** Alarms in the snapshot the board starts from. */
    start: Alarm[];
    msgs: ServerMsg[];
    /** id → status of every alarm the board holds. */
    alarms: Record<string, Alarm['status']>;
    queue: string[];
    fresh: string[];
    /** id → timeline row ids held for that alarm (alarms not listed hold none). */
    timelines: Record<string, number[]>;
  }
  const cases: Case[] = [
    {
      name: 'raised adds the alarm, marks it fresh and queues it',
      start: [],
      msgs: [raised(alarm({ id: 'a1' }), [row(1, 0, 'alarm.raised')])],
      alarms: { a1: 'open' },
      queue: ['a1'],
      fresh: ['a1'],
      timelines: { a1: [1] },
    },
    {
      name: 'raised for an alarm the snapshot already had: replaced, not fresh',
      start: [alarm({ id: 'a1' })],
      msgs: [raised(alarm({ id: 'a1', eventCount: 2 }))],
      alarms: { a1: 'open' },
      queue: ['a1'],
      fresh: [],
      timelines: {},
    },
    {
      name: 'raised twice: fresh once',
      start: [],
      msgs: [raised(alarm({ id: 'a1' })), raised(alarm({ id: 'a1', eventCount: 2 }))],
      alarms: { a1: 'open' },
      queue: ['a1'],
      fresh: ['a1'],
      timelines: {},
    },
    {
      name: 'updated for an alarm not yet known: added, not fresh',
      start: [],
      msgs: [updated(alarmIn('accepted', { acceptS: 30 }, { id: 'a9' }), [row(7, 30, 'alarm.accepted')])],
      alarms: { a9: 'accepted' },
      queue: ['a9'],
      fresh: [],
      timelines: { a9: [7] },
    },
    {
      name: 'updated replaces the alarm: accepted stays queued',
      start: [alarm({ id: 'a1' }), alarm({ id: 'a2', raisedAt: at(5) })],
      msgs: [updated(alarmIn('accepted', { acceptS: 30 }, { id: 'a1' }), [row(2, 30, 'alarm.accepted')])],
      alarms: { a1: 'accepted', a2: 'open' },
      queue: ['a1', 'a2'],
      fresh: [],
      timelines: { a1: [2] },
    },
    {
      name: 'resolved leaves the queue but stays on the board',
      start: [alarm({ id: 'a1' }), alarm({ id: 'a2', raisedAt: at(5) })],
      msgs: [updated(alarmIn('resolved', { acceptS: 30, arriveS: 600, closeS: 900 }, { id: 'a1' }), [row(3, 900, 'alarm.resolved')])],
      alarms: { a1: 'resolved', a2: 'open' },
      queue: ['a2'],
      fresh: [],
      timelines: { a1: [3] },
    },
    {
      name: 'cancelled leaves the queue',
      start: [alarm({ id: 'a1' })],
      msgs: [raised(alarm({ id: 'a2', priority: 'urgent' })), updated(alarmIn('cancelled', { closeS: 20 }, { id: 'a1' }))],
      alarms: { a1: 'cancelled', a2: 'open' },
      queue: ['a2'],
      fresh: ['a2'],
      timelines: {},
    },
    {
      name: 'timeline rows of successive updates are appended',
      start: [alarm({ id: 'a1' })],
      msgs: [
        updated(alarm({ id: 'a1', step: 2 }), [row(10, 60, 'step.started')]),
        updated(alarmIn('accepted', { acceptS: 90 }, { id: 'a1' }), [row(11, 90, 'alarm.accepted')]),
        updated(alarmIn('on_site', { acceptS: 90, arriveS: 700 }, { id: 'a1' }), [row(12, 700, 'alarm.arrived')]),
      ],
      alarms: { a1: 'on_site' },
      queue: ['a1'],
      fresh: [],
      timelines: { a1: [10, 11, 12] },
    },
    {
      name: 'a row sent twice is kept once',
      start: [alarm({ id: 'a1' })],
      msgs: [updated(alarm({ id: 'a1' }), [row(10, 60), row(11, 61)]), updated(alarm({ id: 'a1' }), [row(11, 61), row(12, 62)])],
      alarms: { a1: 'open' },
      queue: ['a1'],
      fresh: [],
      timelines: { a1: [10, 11, 12] },
    },
    {
      name: 'an update without rows keeps the rows so far',
      start: [alarm({ id: 'a1' })],
      msgs: [updated(alarm({ id: 'a1' }), [row(10, 60)]), updated(alarm({ id: 'a1', eventCount: 3 }), [])],
      alarms: { a1: 'open' },
      queue: ['a1'],
      fresh: [],
      timelines: { a1: [10] },
    },
    {
      name: 'rows arriving out of order are kept in time order',
      start: [alarm({ id: 'a1' })],
      msgs: [updated(alarm({ id: 'a1' }), [row(21, 120)]), updated(alarm({ id: 'a1' }), [row(20, 60), row(22, 60)])],
      alarms: { a1: 'open' },
      queue: ['a1'],
      fresh: [],
      timelines: { a1: [20, 22, 21] },
    },
    {
      name: 'rows are kept per alarm',
      start: [alarm({ id: 'a1' }), alarm({ id: 'a2' })],
      msgs: [updated(alarm({ id: 'a1' }), [row(1, 10)]), updated(alarm({ id: 'a2' }), [row(2, 11)]), updated(alarm({ id: 'a1' }), [row(3, 12)])],
      alarms: { a1: 'open', a2: 'open' },
      queue: ['a1', 'a2'],
      fresh: [],
      timelines: { a1: [1, 3], a2: [2] },
    },
  ];

  it.each(cases)('$name', (c) => {
    const start = applyMessage(emptyBoard, snapshotMsg({ alarms: c.start }), ms(0));
    const startAlarms = new Map(start.alarms);
    const s = applyAll(start, c.msgs);
    expect(Object.fromEntries([...s.alarms].map(([id, a]) => [id, a.status]))).toEqual(c.alarms);
    for (const [id, a] of s.alarms) expect(a.id).toBe(id);
    expect(ids(activeQueue(s.alarms.values()))).toEqual(c.queue);
    expect([...s.fresh].sort()).toEqual([...c.fresh].sort());
    expect(Object.fromEntries([...s.timelines].map(([id, rows]) => [id, rows.map((r) => r.id)]))).toEqual(c.timelines);
    // the stored alarm is the view, without the message's timeline
    for (const a of s.alarms.values()) expect(a).not.toHaveProperty('timeline');
    // earlier states are not mutated
    expect(start.alarms).toEqual(startAlarms);
    expect(start.timelines.size).toBe(0);
  });

  it('updated carries every field of the new view', () => {
    const next = alarmIn('accepted', { acceptS: 42 }, { id: 'a1', step: 3, stepKind: 'supervisor', notified: ['cg-1', 'cg-2'], declined: ['cg-2'] });
    const s = applyAll(emptyBoard, [snapshotMsg({ alarms: [alarm({ id: 'a1' })] }), updated(next, [row(5, 42, 'alarm.accepted')])]);
    expect(s.alarms.get('a1')).toEqual(next);
  });

  it.each([
    ['exactly the limit of closed alarms: none dropped', 200, 3, []],
    ['one over: the oldest closed goes', 201, 3, ['c000']],
    ['three over: the three oldest closed go, active ones stay', 203, 5, ['c000', 'c001', 'c002']],
  ] as const)('closed alarms are pruned: %s', (_name, closedCount, activeCount, dropped) => {
    const active = Array.from({ length: activeCount }, (_, i) => alarm({ id: `o${i}`, raisedAt: at(-10_000 - i) }));
    let s = applyMessage(emptyBoard, snapshotMsg({ alarms: active }), ms(0));
    // closed in order c000 (oldest) … ; raised in reverse so closing order, not arrival, decides
    for (let i = closedCount - 1; i >= 0; i--) {
      const id = `c${String(i).padStart(3, '0')}`;
      s = applyMessage(s, raised(alarmIn('resolved', { closeS: i }, { id, raisedAt: at(-1) }), [row(1000 + i, i)]), ms(0));
    }
    expect(s.alarms.size).toBe(Math.min(closedCount, 200) + activeCount);
    for (const a of active) expect(s.alarms.has(a.id)).toBe(true);
    for (const id of dropped) {
      expect(s.alarms.has(id)).toBe(false);
      expect(s.timelines.has(id)).toBe(false);
      expect(s.fresh.has(id)).toBe(false);
    }
    const newestClosed = `c${String(closedCount - 1).padStart(3, '0')}`;
    expect(s.alarms.has(newestClosed)).toBe(true);
  });
});

describe('board state: devices, caregivers, SMS', () => {
  const start = (): BoardState =>
    applyMessage(emptyBoard, snapshotMsg({ caregivers: [caregiver('cg-1'), caregiver('cg-2')], devices: [device('dev-1'), device('dev-2')] }), ms(0));

  it.each([
    ['device.status for a known device replaces it', { type: 'device.status', data: device('dev-1', { online: false, battery: 0.1 }) }, 'devices', 'dev-1', 2],
    ['device.status for a new device adds it', { type: 'device.status', data: device('dev-3') }, 'devices', 'dev-3', 3],
    ['caregiver.status for a known caregiver replaces them', { type: 'caregiver.status', data: caregiver('cg-2', { onDuty: false, activeAlarms: 2 }) }, 'caregivers', 'cg-2', 2],
    ['caregiver.status for a new caregiver adds them', { type: 'caregiver.status', data: caregiver('cg-3') }, 'caregivers', 'cg-3', 3],
  ] as const satisfies ReadonlyArray<readonly [string, ServerMsg, 'devices' | 'caregivers', string, number]>)('%s', (_name, msg, part, id, size) => {
    const before = start();
    const after = applyMessage(before, msg, ms(1));
    const map: ReadonlyMap<string, Caregiver | Device> = after[part];
    expect(map.size).toBe(size);
    expect(map.get(id)).toEqual(msg.data);
    // the others are untouched, and so is the state before
    for (const [otherId, v] of before[part]) if (otherId !== id) expect(map.get(otherId)).toBe(v);
    expect(before[part].get(id)).not.toEqual(msg.data);
    // nothing else moves
    expect(after.alarms).toBe(before.alarms);
    expect(after.snapshotSeq).toBe(before.snapshotSeq);
  });

  it.each([
    ['one notification', [sms('n1', 'sent')], { n1: 'sent' }],
    ['a later status replaces the earlier one', [sms('n1', 'sent'), sms('n1', 'delivered')], { n1: 'delivered' }],
    ['kept per notification id', [sms('n1', 'sent'), sms('n2', 'failed', { error: 'unreachable' }), sms('n1', 'delivered')], { n1: 'delivered', n2: 'failed' }],
    ['same alarm, two recipients', [sms('n1', 'outbox'), sms('n2', 'outbox', { recipientName: 'Li Na' })], { n1: 'outbox', n2: 'outbox' }],
  ] as const)('sms.status: %s', (_name, updates, expected) => {
    const s = applyAll(
      start(),
      updates.map((data) => ({ type: 'sms.status', data })),
    );
    expect(Object.fromEntries([...s.sms].map(([id, v]) => [id, v.status]))).toEqual(expected);
    for (const [id, v] of s.sms) expect(v.notificationId).toBe(id);
  });

  it.each([
    ['pong', { type: 'pong', data: { serverTime: at(5) } }],
    ['error', { type: 'error', data: { code: 'bad_message', message: 'nope' } }],
  ] as const satisfies ReadonlyArray<readonly [string, ServerMsg]>)('%s leaves the state as it is', (_name, msg) => {
    const before = start();
    expect(applyMessage(before, msg, ms(5))).toBe(before);
  });
});

describe('board state: helpers', () => {
  it.each([
    ['both empty', [], [], []],
    ['disjoint, interleaved in time', [row(1, 10), row(3, 30)], [row(2, 20), row(4, 40)], [1, 2, 3, 4]],
    ['the same rows from HTTP and the stream: once', [row(1, 10), row(2, 20)], [row(2, 20), row(1, 10)], [1, 2]],
    ['same instant: by id', [row(9, 10)], [row(3, 10), row(5, 10)], [3, 5, 9]],
    ['time beats id', [row(1, 50)], [row(2, 10)], [2, 1]],
  ] as const)('mergeTimeline: %s', (_name, a, b, expected) => {
    expect(mergeTimeline(a, b).map((r) => r.id)).toEqual(expected);
  });

  it('mergeTimeline: a duplicate id takes the later copy', () => {
    const merged = mergeTimeline([{ ...row(1, 10), actorName: 'old' }], [{ ...row(1, 10), actorName: 'new' }]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.actorName).toBe('new');
  });

  it.each([
    ['polled list replaces the active ones, closed ones stay', [alarm({ id: 'a1' }), alarmIn('resolved', { closeS: 5 }, { id: 'c1' }), alarm({ id: 'a3' })], [alarmIn('accepted', { acceptS: 3 }, { id: 'a1' }), alarm({ id: 'a4' })], { a1: 'accepted', c1: 'resolved', a4: 'open' }],
    ['nothing active any more', [alarm({ id: 'a1' }), alarmIn('cancelled', { closeS: 5 }, { id: 'c1' })], [], { c1: 'cancelled' }],
    ['empty board', [], [alarm({ id: 'a1' })], { a1: 'open' }],
  ] as const)('applyPolledAlarms: %s', (_name, startAlarms, polled, expected) => {
    const before = applyMessage(emptyBoard, snapshotMsg({ alarms: [...startAlarms] }), ms(0));
    const after = applyPolledAlarms(before, polled);
    expect(Object.fromEntries([...after.alarms].map(([id, a]) => [id, a.status]))).toEqual(expected);
    expect(before.alarms.size).toBe(startAlarms.length);
  });

  it.each([
    // prevSkew, serverTime, sentAt, receivedAt → skew (or unchanged)
    ['round trip centred on the server time', 0, at(10), ms(9), ms(11), 'same'],
    ['249 ms off: kept as it is', 0, new Date(ms(10) + 249).toISOString(), ms(9), ms(11), 'same'],
    ['250 ms off: refined', 0, new Date(ms(10) + 250).toISOString(), ms(9), ms(11), 250],
    ['server 3 s ahead', 0, at(13), ms(9), ms(11), 3000],
    ['server behind after being ahead', 5000, at(8), ms(9), ms(11), -2000],
    ['close to the old skew', 2000, new Date(ms(12) + 100).toISOString(), ms(9), ms(11), 'same'],
  ] as const)('withPongSkew: %s', (_name, prevSkew, serverTime, sentAt, receivedAt, expected) => {
    const before: BoardState = { ...emptyBoard, skewMs: prevSkew };
    const after = withPongSkew(before, serverTime, sentAt, receivedAt);
    if (expected === 'same') expect(after).toBe(before);
    else expect(after.skewMs).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------

describe('i18n catalogues', () => {
  const enKeys = Object.keys(en).sort();
  const HAN = /\p{Script=Han}/u;
  /** zh labels that are the same in Chinese: column heads for percentiles. */
  const NOT_CHINESE = new Set(['col.p50', 'col.p90']);

  it('en and zh have exactly the same keys', () => {
    expect(Object.keys(zh).sort()).toEqual(enKeys);
  });

  const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  // one case per key: both texts present, zh in Chinese, the same {placeholders} to fill
  it.each(enKeys)('%s: in both, zh in Chinese, same placeholders', (key) => {
    const k = key as keyof typeof en;
    expect(en[k].trim()).not.toBe('');
    expect(zh[k].trim()).not.toBe('');
    if (!NOT_CHINESE.has(k)) expect(zh[k]).toMatch(HAN);
    expect(params(zh[k])).toEqual(params(en[k]));
  });

  it('only a few zh labels are not Chinese, and each is really left as in English', () => {
    expect(NOT_CHINESE.size).toBeLessThan(enKeys.length * 0.05);
    for (const key of NOT_CHINESE) expect(zh[key as keyof typeof zh]).toBe(en[key as keyof typeof en]);
  });

  /** Closed sets and how the catalogue keys them (`translator().label(prefix, value)`). */
  const closedSets: Array<[prefix: string, values: readonly string[]]> = [
    ['status', alarmStatuses],
    ['step', stepKinds],
    ['timeline', timelineCodes],
    ['outcome', knownOutcomes],
    ['kind', alarmKinds],
    ['priority', priorities],
    ['actor', actorKinds],
    ['channel', notificationChannels],
    ['notification', notificationStatuses],
    ['deviceKind', deviceKinds],
    ['service', serviceKinds],
    ['group', reportGroupings],
    // users.role in db/migrations/001_core.sql, and a caregiver's role (supervisor)
    ['role', ['admin', 'operator', 'caregiver', 'supervisor']],
  ];

  it.each(closedSets.flatMap(([prefix, values]) => values.map((v) => `${prefix}.${v}`)))('%s has a label in en and zh', (key) => {
    expect(en).toHaveProperty([key]);
    expect(zh).toHaveProperty([key]);
    expect(zh[key as keyof typeof zh]).not.toBe(en[key as keyof typeof en]);
  });

  it.each(closedSets)('no stale %s.* label: every one names a value of the set', (prefix, values) => {
    const labelled = enKeys.filter((k) => k.startsWith(`${prefix}.`)).map((k) => k.slice(prefix.length + 1));
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.filter((v) => !values.includes(v))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// issue 9

describe('clock captions (issue 9: "00:04 TO ACCEPT" read as a countdown)', () => {
  it.each([
    ['open', alarm(), 'accept', 'clock.waiting', 'waiting', '等待接单'],
    ['accepted', alarmIn('accepted', { acceptS: 4 }), 'accept', 'clock.acceptedIn', 'accepted in', '接单用时'],
    ['accepted', alarmIn('accepted', { acceptS: 4 }), 'arrive', 'clock.onTheWay', 'on the way', '赶往途中'],
    ['on_site', alarmIn('on_site', { acceptS: 4, arriveS: 600 }), 'arrive', 'clock.arrivedIn', 'arrived in', '到场用时'],
  ] as const)('%s, %s clock: %s', (_status, a, which, key, enText, zhText) => {
    const reading = which === 'accept' ? acceptClock(a, ms(50)) : arriveClock(a, ms(700))!;
    const caption = clockCaption(which, reading);
    expect(caption).toBe(key);
    expect(en[caption]).toBe(enText);
    expect(zh[caption]).toBe(zhText);
    // never the old captions that read as a deadline still to come
    expect(en[caption]).not.toMatch(/^to /);
  });

  it('the time reads m:ss, without a leading zero minute', () => {
    expect(formatDuration(acceptClock(alarmIn('accepted', { acceptS: 4 }), ms(50)).seconds)).toBe('0:04');
    expect(formatDuration(arriveClock(alarmIn('accepted', { acceptS: 10 }), ms(60))!.seconds)).toBe('0:50');
  });
});

function tl(id: number, code: TimelineRow['code'], detail: Record<string, unknown> = {}, actorName: string | null = null): TimelineRow {
  return { ...row(id, id, code), detail, actorName, actorKind: actorName ? 'operator' : 'system' } as TimelineRow;
}

describe('the accept that stands (issue 9: after a reassignment the first accept still showed)', () => {
  it.each([
    ['one accept: it stands', [tl(1, 'alarm.raised'), tl(2, 'alarm.accepted')], []],
    ['accept, reassign, accept: the first is superseded', [tl(1, 'alarm.raised'), tl(2, 'alarm.accepted'), tl(3, 'alarm.reassigned'), tl(4, 'notification.sent'), tl(5, 'alarm.accepted')], [2]],
    ['accept, reassign (not yet accepted again)', [tl(2, 'alarm.accepted'), tl(3, 'alarm.reassigned')], [2]],
    ['reassign before any accept: nothing to supersede', [tl(1, 'alarm.reassigned'), tl(2, 'alarm.accepted')], []],
    ['the acceptor declines and it reopens', [tl(2, 'alarm.accepted'), tl(3, 'alarm.declined', { reopened: true }), tl(4, 'alarm.accepted')], [2]],
    ['a decline of someone else leaves the accept', [tl(2, 'alarm.accepted'), tl(3, 'alarm.declined', { reopened: false })], []],
    ['two reassignments', [tl(2, 'alarm.accepted'), tl(3, 'alarm.reassigned'), tl(4, 'alarm.accepted'), tl(5, 'alarm.reassigned'), tl(6, 'alarm.accepted')], [2, 4]],
  ] as const)('%s', (_name, rows, superseded) => {
    expect([...supersededAccepts(rows)].sort()).toEqual([...superseded]);
  });

  it('a reassignment names whom to and by whom', () => {
    expect(reassignment(tl(3, 'alarm.reassigned', { to: 'id-w', toName: 'Wang Fang' }, 'admin'))).toEqual({ to: 'Wang Fang', by: 'admin' });
    expect(reassignment(tl(3, 'alarm.reassigned', { to: 'id-w' }, 'op1'))).toEqual({ to: 'id-w', by: 'op1' });
    expect(reassignment(tl(3, 'alarm.accepted', { toName: 'x' }))).toBeUndefined();
    expect(en['tlNote.reassignedTo'].replace('{to}', 'Wang Fang').replace('{by}', 'admin')).toBe('reassigned to Wang Fang by admin');
  });
});

describe('reassign and on-duty (issue 9: wrong grid offered, supervisor missing)', () => {
  const areas: Area[] = [
    { id: 'd1', name: 'District', kind: 'district', parentId: null },
    { id: 's1', name: 'Street', kind: 'street', parentId: 'd1' },
    { id: 'c1', name: 'Community', kind: 'community', parentId: 's1' },
    { id: 'g1', name: 'Grid 1', kind: 'grid', parentId: 'c1' },
    { id: 'g2', name: 'Grid 2', kind: 'grid', parentId: 'c1' },
    { id: 'c2', name: 'Other community', kind: 'community', parentId: 's1' },
    { id: 'g3', name: 'Grid 3', kind: 'grid', parentId: 'c2' },
  ];
  const li = caregiver('li', { name: 'Li Na', areaIds: ['g1'] });
  const zhao = caregiver('zhao', { name: 'Zhao Lei', areaIds: ['g1'] });
  const wang = caregiver('wang', { name: 'Wang Fang', areaIds: ['g2'] });
  const sup = caregiver('sup', { name: 'Chen Supervisor', role: 'supervisor', areaIds: ['c1'] });
  const farSup = caregiver('far', { name: 'Far Supervisor', role: 'supervisor', areaIds: ['c2'] });
  const off = caregiver('off', { name: 'Off Duty', areaIds: ['g1'], onDuty: false });
  const all = [wang, off, zhao, sup, li, farSup];
  const a = alarm({ areaId: 'g1' });

  it('the alarm\'s grid (and those above it) first, then the others on duty; nobody off duty', () => {
    const g = reassignGroups(a, all, areas);
    expect(g.grid.map((c) => c.id)).toEqual(['li', 'zhao', 'sup']); // caregivers by name, supervisors after
    expect(g.others.map((c) => c.id)).toEqual(['wang', 'far']);
  });

  it('never offers whoever holds it now', () => {
    const g = reassignGroups({ ...a, status: 'accepted', acceptedBy: 'li' }, all, areas);
    expect([...g.grid, ...g.others].map((c) => c.id)).not.toContain('li');
  });

  it('an alarm without an area: everyone on duty is "others"', () => {
    const g = reassignGroups({ ...a, areaId: null }, all, areas);
    expect(g.grid).toEqual([]);
    expect(g.others.map((c) => c.id).sort()).toEqual(['far', 'li', 'sup', 'wang', 'zhao']);
  });

  it('supervisors (of a community) are on the panel, besides the grids', () => {
    expect(dutyBeyondGrids(areas, all).map((c) => c.id)).toEqual(['sup', 'far']);
    const grids = gridDuty(areas, all, ['g1', 'g1', null]);
    // a grid nobody covers first (its alarms go further up), then by path
    expect(grids.map((g) => [g.grid.id, g.onDuty.map((c) => c.id), g.activeAlarms])).toEqual([
      ['g3', [], 0],
      ['g1', ['li', 'zhao'], 2],
      ['g2', ['wang'], 0],
    ]);
  });
});

describe('devices needing attention (issue 9: "all charged" beside open battery-low alarms)', () => {
  it.each([
    ['online and charged', device('d1'), false],
    ['offline', device('d1', { online: false }), true],
    ['battery.low alarm open while the status reads 80 %', device('d1', { battery: 0.8, batteryLow: true }), true],
    ['status under 20 % (the server says so)', device('d1', { battery: 0.1, batteryLow: true }), true],
    ['a low reading the server does not call low is not guessed at', device('d1', { battery: 0.1, batteryLow: false }), false],
  ] as const)('%s', (_name, d, listed) => {
    expect(needingAttention([d]).length > 0).toBe(listed);
  });

  it('offline first, then the lowest battery', () => {
    const list = needingAttention([device('a', { battery: 0.8, batteryLow: true }), device('b', { online: false }), device('c', { battery: 0.05, batteryLow: true }), device('d')]);
    expect(list.map((d) => d.id)).toEqual(['b', 'c', 'a']);
  });
});

describe('server errors in the page\'s language (issue 9: "invalid username or password" in 中文)', () => {
  it.each([
    [{ status: 401, code: 'unauthorized', reason: 'bad_credentials', message: 'invalid username or password' }, 'Wrong username or password.', '用户名或密码错误。'],
    [{ status: 409, code: 'conflict', reason: 'alarm_already_accepted', message: 'alarm x cannot take "accept" now: already accepted' }, 'This alarm has already been accepted.', '此警报已被接单。'],
    [{ status: 409, code: 'conflict', reason: 'alarm_closed', message: '…closed' }, 'This alarm is already closed.', '此警报已关闭。'],
    [{ status: 403, code: 'forbidden', reason: 'operators_only', message: 'only operators may cancel an alarm' }, 'Only operators may do this.', '只有调度员可以执行此操作。'],
    // no reason, or one the page does not know (a newer server): by the code
    [{ status: 403, code: 'forbidden', message: 'this needs the role admin' }, 'Not allowed for your role.', '您的角色无权执行此操作。'],
    [{ status: 409, code: 'conflict', reason: 'some_new_reason', message: 'x' }, 'Someone else changed this first.', '已被他人先行更改。'],
    [{ status: 503, code: 'unavailable', message: 'database unavailable, try again shortly' }, 'The service is briefly unavailable; try again shortly.', '服务暂时不可用，请稍后重试。'],
    [{ status: 500, code: 'internal', message: 'internal error' }, 'The server failed; try again.', '服务器出错，请重试。'],
    // unknown codes: the server's own text, the only fallback
    [{ status: 413, code: 'payload_too_large', message: 'request body too large' }, 'request body too large', 'request body too large'],
    [{ status: 502, message: 'HTTP 502' }, 'The server answered 502.', '服务器返回 502。'],
    [{ status: 0, message: 'network' }, 'The server cannot be reached.', '无法连接服务器。'],
  ] as const)('%j', (facts, enText, zhText) => {
    expect(errorMessage(facts, en)).toBe(enText);
    expect(errorMessage(facts, zh)).toBe(zhText);
  });

  it('a reason or code that names a key of another family is not mistaken for one', () => {
    expect(errorMessage({ status: 400, code: 'network', message: 'raw' }, en)).toBe('raw');
    expect(errorMessage({ status: 400, code: 'toString', message: 'raw' }, en)).toBe('raw');
  });
});

describe('reports: shares, legend, dates (issue 9)', () => {
  it.each([
    [0.625, '62.5%'],
    [2 / 3, '66.7%'],
    [1, '100.0%'],
    [0, '0.0%'],
    [0.12345, '12.3%'],
    [0.99951, '100.0%'],
    [null, '–'],
  ] as const)('share %s reads %s (one decimal, always)', (v, text) => {
    expect(shareFormatter('en-GB')(v)).toBe(text);
    expect(shareFormatter('zh-CN')(v)).toBe(text);
  });

  it.each([
    [12, null, ''],
    [null, null, ''],
    [null, undefined, ''],
    [12, 0, '0:12'],
    [null, 2, '–'],
  ] as const)('legend value %s at index %s: "%s"', (v, idx, text) => {
    expect(legendValue(v, idx, (x) => formatDuration(x))).toBe(text);
  });

  it('one date format: YYYY-MM-DD, MM-DD without the year, as the timestamps write older days', () => {
    const d = new Date(2026, 10, 2, 23, 5, 0);
    expect(isoDay(d)).toBe('2026-11-02');
    expect(shortDay(d)).toBe('11-02');
    expect(formatTimestamp(d, new Date(2026, 10, 5).getTime())).toBe('11-02 23:05:00');
  });
});
