import type { MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../common/logger.ts';
import { alertSchema, arrivalCheckSchema, wearableAckSchema, type Alert, type WearableAck } from '../contract/device-messages.ts';
import { topics } from '../contract/topics.ts';
import type { SimDevice } from './types.ts';

/** [min, max] milliseconds; each step waits a uniform random time in that range. */
export type DelayRange = readonly [number, number];
export interface WearableTiming {
  accept: DelayRange; // alert → "accept" (reading the wrist, deciding)
  arrive: DelayRange; // accept → "arrived" (walking over; compressed for demos)
  resolve: DelayRange; // arrived → "resolve" (helping)
  decline: DelayRange; // alert → "decline" when already busy
}
export const DEFAULT_WEARABLE_TIMING: WearableTiming = {
  accept: [3_000, 10_000],
  arrive: [20_000, 60_000],
  resolve: [15_000, 45_000],
  decline: [2_000, 5_000],
};

export interface WearableOptions {
  logger: Logger;
  timing?: Partial<WearableTiming>;
  /** Alarms one caregiver handles at once; further alerts are declined so they go to the next. */
  maxConcurrent?: number;
  random?: () => number;
}

// Messages other than alerts that end this wearable's part in an alarm (someone else took it,
// the resident cancelled, it was closed from the console).
const alarmEndSchema = z.looseObject({
  type: z.enum(['alarm.taken', 'alarm.cancelled', 'alarm.resolved', 'alarm.closed']),
  alarmId: z.string(),
});

interface Handling {
  alert: Alert;
  stage: 'alerted' | 'accepted' | 'on_site' | 'declining';
  timer: NodeJS.Timeout;
}

/**
 * A caregiver's wrist device: on `alarm.alert` it accepts after a moment, later reports
 * "arrived", then resolves with outcome `assisted`. Knows nothing of MQTT itself — it is
 * given a `publish` function — so its decisions can be exercised without a broker.
 */
export class WearableBehaviour {
  private readonly handling = new Map<string, Handling>();
  private readonly timing: WearableTiming;
  private readonly rnd: () => number;
  readonly counts = { alerts: 0, acks: 0, invalid: 0 };
  private stopped = false;

  constructor(
    readonly wearableId: string,
    private readonly publish: (ack: WearableAck) => void,
    private readonly opts: WearableOptions,
  ) {
    this.timing = { ...DEFAULT_WEARABLE_TIMING, ...opts.timing };
    this.rnd = opts.random ?? Math.random;
  }

  get active(): number {
    let n = 0;
    for (const h of this.handling.values()) if (h.stage === 'accepted' || h.stage === 'on_site') n++;
    return n;
  }

  onMessage(payload: Buffer | string): void {
    if (this.stopped) return;
    const log = this.opts.logger;
    let msg: unknown;
    try {
      msg = JSON.parse(payload.toString());
    } catch {
      this.counts.invalid++;
      log.warn({ wearable: this.wearableId }, 'alert is not JSON; ignored');
      return;
    }
    const ended = alarmEndSchema.safeParse(msg);
    if (ended.success) return this.forget(ended.data.alarmId, ended.data.type);
    // "still on your way?": a simulated caregiver on the way keeps going (its arrive timer runs)
    const check = arrivalCheckSchema.safeParse(msg);
    if (check.success) return void log.info({ wearable: this.wearableId, alarmId: check.data.alarmId, also: check.data.also }, 'asked whether still on the way');
    const alert = alertSchema.safeParse(msg);
    if (!alert.success) {
      this.counts.invalid++;
      log.warn({ wearable: this.wearableId, issues: alert.error.issues.slice(0, 3) }, 'unrecognised message on alerts topic');
      return;
    }
    this.onAlert(alert.data);
  }

  private onAlert(alert: Alert): void {
    this.counts.alerts++;
    const known = this.handling.get(alert.alarmId);
    // Escalation repeats the alert to whoever is still in the list; one answer is enough.
    if (known && known.stage !== 'declining') return;
    if (known) clearTimeout(known.timer); // offered again after our decline: think again
    const { logger } = this.opts;
    logger.info(
      { wearable: this.wearableId, alarmId: alert.alarmId, kind: alert.kind, priority: alert.priority, resident: alert.resident.name, step: alert.step },
      'wrist vibrates: alarm alert',
    );
    if (this.active >= (this.opts.maxConcurrent ?? 3)) {
      this.after(alert, 'declining', this.timing.decline, () => {
        this.handling.delete(alert.alarmId);
        this.send({ alarmId: alert.alarmId, action: 'decline' });
      });
      return;
    }
    this.after(alert, 'alerted', this.timing.accept, () => {
      this.send({ alarmId: alert.alarmId, action: 'accept' });
      this.after(alert, 'accepted', this.timing.arrive, () => {
        this.send({ alarmId: alert.alarmId, action: 'arrived' });
        this.after(alert, 'on_site', this.timing.resolve, () => {
          this.handling.delete(alert.alarmId);
          this.send({ alarmId: alert.alarmId, action: 'resolve', outcome: 'assisted' });
        });
      });
    });
  }

  private after(alert: Alert, stage: Handling['stage'], range: DelayRange, fn: () => void): void {
    const [min, max] = range;
    const timer = setTimeout(fn, min + this.rnd() * Math.max(0, max - min));
    timer.unref?.();
    this.handling.set(alert.alarmId, { alert, stage, timer });
  }

  private forget(alarmId: string, why: string): void {
    const h = this.handling.get(alarmId);
    if (!h) return;
    clearTimeout(h.timer);
    this.handling.delete(alarmId);
    this.opts.logger.info({ wearable: this.wearableId, alarmId, why, stage: h.stage }, 'wrist stops: alarm no longer ours');
  }

  private send(partial: Omit<WearableAck, 'ts'>): void {
    const ack: WearableAck = { ...partial, ts: new Date().toISOString() };
    const check = wearableAckSchema.safeParse(ack);
    if (!check.success) {
      this.opts.logger.error({ wearable: this.wearableId, ack, issues: check.error.issues }, 'simulator built an invalid ack');
      return;
    }
    this.counts.acks++;
    this.opts.logger.info({ wearable: this.wearableId, alarmId: ack.alarmId, action: ack.action }, 'wearable ack');
    this.publish(ack);
  }

  /** Drops pending steps; a stopped caregiver answers nothing more. */
  stop(): void {
    this.stopped = true;
    for (const h of this.handling.values()) clearTimeout(h.timer);
    this.handling.clear();
  }
}

/** Wires the behaviour to a wearable's MQTT client: subscribes on every connect, acks at QoS 1. */
export function attachWearable(client: MqttClient, wearable: SimDevice, opts: WearableOptions): WearableBehaviour {
  const alertsTopic = topics.wearableAlerts(wearable.id);
  const ackTopic = topics.wearableAcks(wearable.id);
  const behaviour = new WearableBehaviour(
    wearable.id,
    (ack) =>
      client.publish(ackTopic, JSON.stringify(ack), { qos: 1 }, (err) => {
        if (err) opts.logger.warn({ wearable: wearable.id, alarmId: ack.alarmId, err: err.message }, 'ack not delivered');
      }),
    opts,
  );
  const subscribe = () =>
    client.subscribe(alertsTopic, { qos: 1 }, (err) => {
      if (err) opts.logger.warn({ wearable: wearable.id, err: err.message }, 'alerts subscription refused');
    });
  client.on('connect', subscribe);
  if (client.connected) subscribe();
  client.on('message', (topic, payload) => {
    if (topic === alertsTopic) behaviour.onMessage(payload);
  });
  return behaviour;
}
