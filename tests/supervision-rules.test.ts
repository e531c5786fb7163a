import { describe, expect, it } from 'vitest';
import {
  batteryFinding,
  DEFAULT_OUTAGE_RULE,
  defaultHeartbeatS,
  effectiveHeartbeatS,
  restoreCloses,
  superviseDevices,
  supervisedHeartbeatS,
  type BatteryFacts,
  type SupervisedDevice,
  type SupervisionFinding,
} from '../dispatch-console/core/supervision-rules.ts';

const T0 = new Date('2026-11-22T08:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const dev = (id: string, o: Partial<SupervisedDevice> = {}): SupervisedDevice => ({
  deviceId: id,
  residentId: 'r1',
  heartbeatS: 300,
  lastHeardAt: T0,
  online: true,
  offlineSince: null,
  ...o,
});
const sweep = (devices: SupervisedDevice[], nowS: number, outageOpen = false) => superviseDevices({ devices, outageOpen, now: at(nowS), outage: DEFAULT_OUTAGE_RULE });
const kinds = (f: SupervisionFinding[]) => f.map((x) => `${x.kind}${'deviceId' in x ? `:${x.deviceId}` : ''}`);
/** A centre of `n` devices, the first `silent` of them last heard at T0, the rest just now. */
const centre = (n: number, silent: number, nowS: number) =>
  Array.from({ length: n }, (_, i) => dev(`d${i}`, { lastHeardAt: i < silent ? T0 : at(nowS - 1) }));

describe('heartbeat defaults', () => {
  it.each([
    ['pendant', 300],
    ['button', 300],
    ['pull_cord', 300],
    ['hub', 300],
    ['wearable', 300],
    ['motion_sensor', 900],
    ['smoke_detector', 900],
    ['bed_sensor', 900],
  ] as const)('%s: %i s', (kind, s) => expect(defaultHeartbeatS(kind)).toBe(s));

  it('the stored value wins over the default; 0 is kept (not supervised)', () => {
    expect(effectiveHeartbeatS('pendant', null)).toBe(300);
    expect(effectiveHeartbeatS('pendant', 60)).toBe(60);
    expect(effectiveHeartbeatS('motion_sensor', 0)).toBe(0);
  });

  // a caregiver's wrist switched off after the shift is not a fault; one nobody wears is in a drawer
  it.each([
    ['a pendant', { kind: 'pendant', heartbeatS: null, disabled: false }, null, 300],
    ['a disabled pendant', { kind: 'pendant', heartbeatS: 60, disabled: true }, null, 0],
    ['a wearable whose caregiver is on duty', { kind: 'wearable', heartbeatS: null, disabled: false }, true, 300],
    ['a wearable whose caregiver is off duty', { kind: 'wearable', heartbeatS: null, disabled: false }, false, 0],
    ['a wearable nobody wears', { kind: 'wearable', heartbeatS: 120, disabled: false }, null, 0],
    ['a wearable on duty with its own interval', { kind: 'wearable', heartbeatS: 120, disabled: false }, true, 120],
    ['a disabled wearable on duty', { kind: 'wearable', heartbeatS: null, disabled: true }, true, 0],
  ] as const)('supervised now: %s → %i s', (_what, d, onDuty, s) => expect(supervisedHeartbeatS(d, onDuty)).toBe(s));
});

describe('superviseDevices: one device', () => {
  it.each<[string, Partial<SupervisedDevice>, number, string[]]>([
    ['heard within one interval', {}, 299, []],
    ['one second before two intervals', {}, 599, []],
    ['exactly at two intervals: offline', {}, 600, ['offline:p1']],
    ['long silent, already flagged: nothing more (state changes only)', { offlineSince: T0 }, 6000, []],
    ['heartbeatS 0: never supervised', { heartbeatS: 0 }, 86_400, []],
    ['never heard (not installed yet): nothing', { lastHeardAt: null }, 86_400, []],
    ['a sensor (900 s) after 20 minutes: still fine', { heartbeatS: 900 }, 1200, []],
    ['a sensor at 30 minutes: offline', { heartbeatS: 900 }, 1800, ['offline:p1']],
    ['dropped connection (heard at the drop) reconnects inside the window: nothing', { online: true, lastHeardAt: at(400) }, 900, []],
    ['dropped connection: the clock starts at the drop, not at once', { online: false, lastHeardAt: at(100) }, 101, []],
    ['dropped and never back: offline two intervals after the drop', { online: false, lastHeardAt: at(100) }, 700, ['offline:p1']],
    ['flagged, heard again: restore', { offlineSince: T0, lastHeardAt: at(900) }, 901, ['restore:p1']],
    ['flagged, heartbeat set to 0: restore', { offlineSince: T0, heartbeatS: 0 }, 901, ['restore:p1']],
  ])('%s', (_name, o, nowS, expected) => {
    expect(kinds(sweep([dev('p1', o)], nowS))).toEqual(expected);
  });

  it('offline names the device, its resident and since when it was last heard', () => {
    expect(sweep([dev('p1', { lastHeardAt: at(5) })], 605)).toEqual([{ kind: 'offline', deviceId: 'p1', residentId: 'r1', since: at(5) }]);
  });

  it('a restart in the middle: the last heard and the flag come from the database, so the next sweep neither re-raises nor forgets', () => {
    // before the restart: silent, raised once
    const before = dev('p1', { lastHeardAt: at(0) });
    expect(kinds(sweep([before], 600))).toEqual(['offline:p1']);
    // the new process reads last heard = T0 and offline_since = T0: nothing new
    expect(sweep([{ ...before, offlineSince: at(0), online: false }], 5000)).toEqual([]);
    // heard after the restart: restored
    expect(kinds(sweep([{ ...before, offlineSince: at(0), lastHeardAt: at(5001) }], 5002))).toEqual(['restore:p1']);
    // restarted half-way through the window (heard at 400, restart at 500): the clock runs on from 400
    expect(sweep([dev('p2', { lastHeardAt: at(400), online: false })], 999)).toEqual([]);
    expect(kinds(sweep([dev('p2', { lastHeardAt: at(400), online: false })], 1000))).toEqual(['offline:p2']);
  });
});

describe('superviseDevices: a few devices versus the whole centre', () => {
  it('a few of many silent: one alarm each, no outage', () => {
    expect(kinds(sweep(centre(100, 3, 700), 700))).toEqual(['offline:d0', 'offline:d1', 'offline:d2']);
  });

  it('more than half and at least 10 silent in one sweep: one centre.outage, no device alarms', () => {
    const f = sweep(centre(100, 60, 700), 700);
    expect(f).toEqual([{ kind: 'outage.open', silent: 60, supervised: 100, since: T0 }]);
  });

  it('exactly half is not an outage', () => {
    expect(kinds(sweep(centre(40, 20, 700), 700))).toHaveLength(20);
  });

  it('a small centre (fewer than 10 silent) alarms per device even when all are silent', () => {
    expect(kinds(sweep(centre(6, 6, 700), 700))).toEqual(['offline:d0', 'offline:d1', 'offline:d2', 'offline:d3', 'offline:d4', 'offline:d5']);
  });

  it('while the outage is open: nothing more; when most are heard again it resolves and the stragglers get their own alarms', () => {
    expect(sweep(centre(100, 60, 700), 800, true)).toEqual([]);
    const back = centre(100, 2, 900);
    expect(kinds(sweep(back, 900, true))).toEqual(['outage.resolve', 'offline:d0', 'offline:d1']);
  });

  it('devices flagged before the outage still restore during it', () => {
    const devices = centre(100, 60, 700);
    devices[99] = dev('d99', { offlineSince: at(-1000), lastHeardAt: at(699) });
    expect(kinds(sweep(devices, 700, true))).toEqual(['restore:d99']);
  });

  it('unsupervised devices (0) do not count towards the share', () => {
    const devices = [...centre(20, 11, 700), ...Array.from({ length: 50 }, (_, i) => dev(`u${i}`, { heartbeatS: 0 }))];
    expect(kinds(sweep(devices, 700))).toEqual(['outage.open']);
  });
});

describe('batteryFinding', () => {
  it.each<[string, BatteryFacts, string]>([
    ['0.1, nothing open, unknown before: raise', { battery: 0.1, previous: null, activeKind: null }, 'raise'],
    ['0.19 after 0.5: raise', { battery: 0.19, previous: 0.5, activeKind: null }, 'raise'],
    ['exactly 0.2: not low', { battery: 0.2, previous: 0.5, activeKind: null }, 'none'],
    ['0.1 with battery.low already open: nothing (no join per report)', { battery: 0.1, previous: 0.1, activeKind: 'battery.low' }, 'none'],
    ['0.1 after 0.1, the operator closed it: nothing until it crosses again', { battery: 0.1, previous: 0.1, activeKind: null }, 'none'],
    ['0.1 after 0.5 with a fault open on the device: raise (joins it)', { battery: 0.1, previous: 0.5, activeKind: 'device.fault' }, 'raise'],
    ['0.25 with battery.low open: stays (between the thresholds)', { battery: 0.25, previous: 0.1, activeKind: 'battery.low' }, 'none'],
    ['exactly 0.3 with battery.low open: restore', { battery: 0.3, previous: 0.1, activeKind: 'battery.low' }, 'restore'],
    ['0.35 with a fault open: not ours to resolve', { battery: 0.35, previous: 0.1, activeKind: 'device.fault' }, 'none'],
    ['no battery in the status', { battery: undefined, previous: 0.1, activeKind: 'battery.low' }, 'none'],
  ])('%s', (_name, f, expected) => expect(batteryFinding(f)).toBe(expected));
});

describe('restoreCloses: which alarm a device heard again closes', () => {
  it.each([
    ['the offline alone', { kind: 'device.offline', eventCount: 1 }, true],
    ['an offline a low battery joined on its way back', { kind: 'device.offline', eventCount: 2 }, false],
    ['a fault the offline joined', { kind: 'device.fault', eventCount: 2 }, false],
    ['a battery alarm', { kind: 'battery.low', eventCount: 1 }, false],
  ] as const)('%s', (_name, a, closes) => expect(restoreCloses(a)).toBe(closes));
});
