import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { NewTimelineEntry } from '../../contract/timeline.ts';
import { Effects, SYSTEM } from './alarm-state.ts';
import type { Decision } from './decide.ts';

/**
 * Device supervision (DESIGN "Device supervision"), pure: which devices went silent, which came
 * back, whether the whole centre went dark at once, and what a battery report means. The shell
 * (dispatcher/supervision.ts) reads the facts, calls these, and opens or resolves the alarms.
 */

// the kinds' default heartbeat is part of the contract (DESIGN: device supervision)
import { effectiveHeartbeatS, type DeviceKind } from '../../contract/device-messages.ts';
export { defaultHeartbeatS, effectiveHeartbeatS } from '../../contract/device-messages.ts';

/**
 * The heartbeat a sweep holds a device to (0: not supervised now). A disabled device is not
 * supervised; nor is a wearable off duty: a caregiver's wrist switched off after the shift is
 * not a fault, and one nobody wears is in a drawer. `wearerOnDuty`: null when nobody wears it.
 */
export function supervisedHeartbeatS(d: { kind: DeviceKind; heartbeatS: number | null; disabled: boolean }, wearerOnDuty: boolean | null): number {
  if (d.disabled) return 0;
  if (d.kind === 'wearable' && wearerOnDuty !== true) return 0;
  return effectiveHeartbeatS(d.kind, d.heartbeatS);
}

export interface SupervisedDevice {
  deviceId: string;
  residentId: string | null;
  /** Effective (see effectiveHeartbeatS); 0 = not supervised. */
  heartbeatS: number;
  /** Last message of any kind (event, heartbeat, status, ack, connect, drop); null = never heard. */
  lastHeardAt: Date | null;
  online: boolean;
  /** Set while this device is flagged offline (its device.offline was raised): the last heard then. */
  offlineSince: Date | null;
}

export interface OutageRule {
  /** A centre outage needs at least this many devices silent past their limit in one sweep... */
  minDevices: number;
  /** ...and more than this share of the supervised devices. */
  share: number;
}

export const DEFAULT_OUTAGE_RULE: OutageRule = { minDevices: 10, share: 0.5 };

export interface SupervisionFacts {
  devices: readonly SupervisedDevice[];
  /** A centre.outage alarm is active. */
  outageOpen: boolean;
  now: Date;
  outage: OutageRule;
}

export type SupervisionFinding =
  /** Silent for two intervals: flag it and raise device.offline, naming when it was last heard. */
  | { kind: 'offline'; deviceId: string; residentId: string | null; since: Date }
  /** Flagged offline and heard again (or no longer supervised): clear the flag, resolve `restored`. */
  | { kind: 'restore'; deviceId: string; residentId: string | null; since: Date; reason: 'heard' | 'unsupervised' }
  | { kind: 'outage.open'; silent: number; supervised: number; since: Date }
  | { kind: 'outage.resolve'; silent: number; supervised: number };

/** Silent past its limit: exactly two intervals after the last message counts as silent. */
export function isSilent(d: SupervisedDevice, now: Date): boolean {
  if (d.heartbeatS <= 0 || d.lastHeardAt === null) return false;
  return now.getTime() - d.lastHeardAt.getTime() >= 2 * d.heartbeatS * 1000;
}

/**
 * One sweep's findings. State changes only: a flagged device raises nothing more until it is
 * heard again. A device never heard is not yet installed (supervision starts with its first
 * message). When more than `share` of the supervised devices, and at least `minDevices`, are
 * silent at once, that is the centre's outage (the broker, the network), not thousands of
 * residents' devices: one centre alarm, and no device alarms while it lasts.
 */
export function superviseDevices(f: SupervisionFacts): SupervisionFinding[] {
  const out: SupervisionFinding[] = [];
  const supervised = f.devices.filter((d) => d.heartbeatS > 0 && d.lastHeardAt !== null);
  const silent = supervised.filter((d) => isSilent(d, f.now));
  for (const d of f.devices) {
    if (d.offlineSince === null) continue;
    if (d.heartbeatS <= 0) out.push({ kind: 'restore', deviceId: d.deviceId, residentId: d.residentId, since: d.offlineSince, reason: 'unsupervised' });
    else if (d.lastHeardAt !== null && d.lastHeardAt.getTime() > d.offlineSince.getTime()) {
      out.push({ kind: 'restore', deviceId: d.deviceId, residentId: d.residentId, since: d.offlineSince, reason: 'heard' });
    }
  }
  const outage = silent.length >= f.outage.minDevices && silent.length > f.outage.share * supervised.length;
  if (outage && !f.outageOpen) {
    const since = Math.min(...silent.map((d) => d.lastHeardAt!.getTime()));
    out.push({ kind: 'outage.open', silent: silent.length, supervised: supervised.length, since: new Date(since) });
  }
  if (!outage && f.outageOpen) out.push({ kind: 'outage.resolve', silent: silent.length, supervised: supervised.length });
  if (outage) return out; // the centre alarm speaks for every device silent now
  for (const d of silent) {
    if (d.offlineSince === null) out.push({ kind: 'offline', deviceId: d.deviceId, residentId: d.residentId, since: d.lastHeardAt! });
  }
  return out;
}

export interface BatteryThresholds {
  /** Below this a status opens battery.low. */
  low: number;
  /** At or above this a status resolves it (the gap keeps a battery at 0.2 from flapping). */
  ok: number;
}

export const BATTERY_THRESHOLDS: BatteryThresholds = { low: 0.2, ok: 0.3 };

export interface BatteryFacts {
  battery: number | undefined;
  /** The battery this device last reported before (null: unknown, e.g. after a restart). */
  previous: number | null;
  /** The kind of the device's active technical alarm, if any. */
  activeKind: string | null;
}

/**
 * A status report's battery: below `low` opens battery.low (or joins the device's active
 * technical alarm), once per crossing — a second low report, or one after the operator closed
 * it while the battery is still low, raises nothing; at or above `ok` resolves an active
 * battery.low alarm (`restored`).
 */
export function batteryFinding(f: BatteryFacts, t: BatteryThresholds = BATTERY_THRESHOLDS): 'raise' | 'restore' | 'none' {
  if (f.battery === undefined) return 'none';
  if (f.battery < t.low) {
    if (f.activeKind === 'battery.low') return 'none';
    return f.previous === null || f.previous >= t.low ? 'raise' : 'none';
  }
  return f.battery >= t.ok && f.activeKind === 'battery.low' ? 'restore' : 'none';
}

/**
 * A resolve decision made `restored`: the timeline says why first (`alarm.restored`, with the
 * device), then the resolve itself.
 */
export function asRestored(d: Decision, detail: { reason: string; deviceId?: string }, now: Date): Decision {
  if (d.refused || d.alarm.status !== 'resolved') return d;
  const row = { alarmId: d.alarm.id, code: 'alarm.restored', actor: SYSTEM, at: now, detail } as NewTimelineEntry;
  d.effects.timeline.unshift(row);
  return d;
}

/**
 * Whether a device heard again closes its technical alarm: only an alarm that is the offline
 * alone. One that something else joined (a fault, a low battery reported on its way back), or
 * one the offline joined, stays for the operator, with the device's return noted on it.
 */
export const restoreCloses = (a: { kind: string; eventCount: number }): boolean => a.kind === 'device.offline' && a.eventCount === 1;

/** The device is back, but the alarm has other causes: `alarm.restored` on its timeline, nothing else. */
export function restoredNote(a: AlarmRecord, detail: { reason: string; deviceId?: string }, now: Date, newId: () => string): Decision {
  const fx = new Effects(a, newId);
  fx.log('alarm.restored', SYSTEM, now, detail);
  return { alarm: a, effects: fx };
}
