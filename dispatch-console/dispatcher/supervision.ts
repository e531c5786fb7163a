import type { Clock, Timer } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { StatusChange } from '../../contract/received.ts';
import { activeTechnicalAlarms, claimOffline, clearOffline, deviceResident, loadSupervisionRows, recordHeard } from '../../db/queries/device-supervision.ts';
import type { Db } from '../../db/types.ts';
import {
  batteryFinding,
  supervisedHeartbeatS,
  restoreCloses,
  superviseDevices,
  type SupervisedDevice,
  type SupervisionFinding,
} from '../core/supervision-rules.ts';
import type { Trigger } from '../core/trigger.ts';

export interface SupervisionSettings {
  /** How often silent devices are looked for, and last-heard times written (seconds). */
  sweepS: number;
  /** A centre outage needs at least this many devices silent at once (and more than half). */
  outageMinDevices: number;
}

/** What supervision needs of the dispatcher: the same paths every alarm takes. */
export interface SupervisionHost {
  /** Opens a technical alarm for the trigger's device, or joins the device's active one. */
  raiseTechnical(t: Trigger): Promise<void>;
  /** The device's active technical alarm (this instance's view). */
  technicalAlarm(deviceId: string): { id: string; kind: string } | undefined;
  /** Resolves an alarm whose cause went away (outcome `restored`); `close: false` only notes it. */
  restore(alarmId: string, detail: { reason: string; deviceId?: string }, close?: boolean): Promise<void>;
  /** Whether the caregiver wearing this wearable is on duty at `now`; null when nobody wears it. */
  wearerOnDuty(wearableId: string, now: Date): boolean | null;
}

export interface SupervisionOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: SupervisionSettings;
  host: SupervisionHost;
}

/**
 * The device id a centre-wide outage alarm is filed under (it has no device of its own): not a
 * valid device id (those start with a letter or digit), so no real device can share its group.
 */
export const CENTRE_DEVICE = '(centre)';

/**
 * The shell around supervision-rules.ts: remembers when each device was last heard (any message),
 * writes those times in one statement per sweep (not per message), and every `sweepS` reads every
 * device's facts from the database (so a restart, or another instance, changes nothing) and
 * carries out the findings through the dispatcher. Runs on the clock port: a test drives hours
 * with a ManualClock.
 */
export class DeviceSupervision {
  /** Heard since the last write: device → ms. */
  private pending = new Map<string, number>();
  /** The battery each device last reported (a crossing, not a level, raises battery.low). */
  private readonly battery = new Map<string, number>();
  private timer: Timer | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** Sweeps run one after another (the timer's and a caller's must not both raise the outage). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: SupervisionOptions) {}

  /** A message of any kind from the device (event, heartbeat, status, ack, connect, drop). */
  heard(deviceId: string): void {
    this.pending.set(deviceId, this.o.clock.now().getTime());
  }

  /** A status report or a connection change: heard, and its battery checked. */
  async status(s: StatusChange): Promise<void> {
    this.heard(s.deviceId);
    const level = s.status?.battery;
    if (level === undefined) return;
    const previous = this.battery.get(s.deviceId) ?? null;
    this.battery.set(s.deviceId, level);
    const active = this.o.host.technicalAlarm(s.deviceId);
    const what = batteryFinding({ battery: level, previous, activeKind: active?.kind ?? null });
    if (what === 'restore' && active) return this.o.host.restore(active.id, { reason: 'battery.ok', deviceId: s.deviceId });
    if (what !== 'raise') return;
    const now = this.o.clock.now();
    const residentId = (await deviceResident(this.o.db, s.deviceId)) ?? null;
    await this.o.host.raiseTechnical({
      deviceId: s.deviceId,
      residentId,
      eventId: `battery:${now.toISOString()}`,
      fingerprint: 'status',
      type: 'battery.low',
      data: { battery: level, source: 'status' },
      at: now,
    });
  }

  start(): void {
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running?.catch(() => undefined);
    await this.flush().catch((err: unknown) => this.o.logger.warn({ err }, 'last-heard times not written at shutdown'));
  }

  /** Writes the last-heard times gathered since the previous write, in one statement. */
  async flush(): Promise<number> {
    if (this.pending.size === 0) return 0;
    const batch = this.pending;
    this.pending = new Map();
    try {
      return await recordHeard(this.o.db, [...batch].map(([id, ms]) => ({ id, at: new Date(ms) })));
    } catch (err) {
      // kept for the next try (a later time heard meanwhile wins)
      for (const [id, ms] of batch) if ((this.pending.get(id) ?? 0) < ms) this.pending.set(id, ms);
      throw err;
    }
  }

  /** One sweep: write what was heard, read every device, act on the findings. One at a time here. */
  sweep(): Promise<Record<string, number>> {
    const run = this.queue.then(() => this.sweepOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sweepOnce(): Promise<Record<string, number>> {
    await this.flush();
    const now = this.o.clock.now();
    const [rows, alarms] = await Promise.all([loadSupervisionRows(this.o.db), activeTechnicalAlarms(this.o.db)]);
    const devices: SupervisedDevice[] = rows.map((r) => ({
      deviceId: r.deviceId,
      residentId: r.residentId,
      heartbeatS: supervisedHeartbeatS(r, r.kind === 'wearable' ? this.o.host.wearerOnDuty(r.deviceId, now) : null),
      lastHeardAt: r.lastHeardAt,
      online: r.online,
      offlineSince: r.offlineSince,
    }));
    const outages = alarms.filter((a) => a.kind === 'centre.outage');
    const findings = superviseDevices({ devices, outageOpen: outages.length > 0, now, outage: { minDevices: this.o.settings.outageMinDevices, share: 0.5 } });
    const counts = { devices: devices.length, offline: 0, restored: 0, outage: 0 };
    for (const f of findings) {
      try {
        await this.apply(f, now, alarms, outages, counts);
      } catch (err) {
        this.o.logger.error({ err, finding: f.kind }, 'supervision finding not carried out; the next sweep tries again');
      }
    }
    return counts;
  }

  private async apply(f: SupervisionFinding, now: Date, alarms: ReadonlyArray<{ id: string; deviceId: string; kind: string; eventCount: number }>, outages: ReadonlyArray<{ id: string }>, counts: Record<string, number>) {
    switch (f.kind) {
      case 'offline': {
        if (!(await claimOffline(this.o.db, f.deviceId, f.since))) return; // another instance's sweep
        const since = f.since.toISOString();
        await this.o.host.raiseTechnical({ deviceId: f.deviceId, residentId: f.residentId, eventId: `offline:${since}`, fingerprint: 'supervision', type: 'device.offline', data: { since }, at: now });
        counts.offline!++;
        return;
      }
      case 'restore': {
        if (!(await clearOffline(this.o.db, f.deviceId, f.since))) return;
        // the device's one technical alarm: closed when it is the offline alone, else noted (restoreCloses)
        const alarm = alarms.find((a) => a.deviceId === f.deviceId);
        const detail = { reason: f.reason === 'heard' ? 'device.heard' : 'device.unsupervised', deviceId: f.deviceId };
        if (alarm) await this.o.host.restore(alarm.id, detail, restoreCloses(alarm));
        counts.restored!++;
        return;
      }
      case 'outage.open': {
        const since = f.since.toISOString();
        await this.o.host.raiseTechnical({
          deviceId: CENTRE_DEVICE,
          residentId: null,
          eventId: `outage:${since}`,
          fingerprint: 'supervision',
          type: 'centre.outage',
          data: { since, silent: f.silent, supervised: f.supervised },
          at: now,
        });
        counts.outage!++;
        return;
      }
      case 'outage.resolve':
        for (const a of outages) await this.o.host.restore(a.id, { reason: 'devices.heard' });
        return;
    }
  }

  private arm(): void {
    if (this.stopped) return;
    const at = new Date(this.o.clock.now().getTime() + this.o.settings.sweepS * 1000);
    this.timer = this.o.clock.setTimer(at, () => {
      const run = this.sweep().catch((err: unknown) => this.o.logger.warn({ err }, 'supervision sweep failed; the next one tries again'));
      this.running = run;
      void run.then(() => this.arm());
    });
  }
}
