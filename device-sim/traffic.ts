import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../common/logger.ts';
import { deviceCommandSchema, deviceStatusSchema, type DeviceStatus } from '../contract/device-messages.ts';
import { topics } from '../contract/topics.ts';
import { LatencySampler } from './latency.ts';
import { RateLimiter } from './rate-limiter.ts';
import { TrafficPlanner, type PlannedEvent } from './traffic-plan.ts';
import type { SimDevice } from './types.ts';
import { attachWearable, type WearableBehaviour, type WearableTiming } from './wearable.ts';

export interface TrafficOptions {
  mqttUrl: string;
  devices: SimDevice[];
  wearables: SimDevice[];
  /** Total device events per second across all devices; a hard ceiling. */
  ratePerSecond: number;
  /** Stops by itself after this long (default: until stop() or the signal). */
  durationSeconds?: number;
  /** Stops by itself after this many events. */
  maxMessages?: number;
  /** Chance that an activity event is a resident-raised incident instead (see TrafficPlanner). */
  buttonPressProbability: number;
  logger: Logger;
  signal?: AbortSignal;
  /** Connect stagger: new connections per second (each costs the broker a secret hash). */
  connectsPerSecond?: number;
  /** Unacknowledged events allowed in flight; beyond it the generator waits for PUBACKs. */
  maxInflight?: number;
  heartbeatIntervalMs?: number;
  wearableTiming?: Partial<WearableTiming>;
  /**
   * Called when the broker refuses a device's secret (CONNACK "not authorized"); answers a new
   * secret to reconnect with. Without it, a refused device stays offline.
   */
  renewSecret?: (deviceId: string) => Promise<string>;
}

export interface TrafficStats {
  published: number;
  /** PUBACKs received: from our broker that means stored; see run.ts for the cross-check. */
  acked: number;
  errors: number;
  /** Connections the broker refused for their credentials. */
  refused: number;
  connected: number;
  /** Most devices online at once during the run (connected drops to 0 after stop). */
  peakConnected: number;
  devices: number;
  inflight: number;
  commands: number;
  alerts: number;
  wearableAcks: number;
  elapsedSeconds: number;
  latencyMs: { count: number; p50: number | null; p99: number | null; max: number | null };
}

export interface TrafficHandle {
  stats(): TrafficStats;
  /** Drains in-flight events, marks every device offline itself, disconnects cleanly. */
  stop(): Promise<void>;
  /** Settles once traffic has stopped (duration, maxMessages, signal or stop()). */
  done: Promise<void>;
}

const FW = '1.2.0';
const TICK_MS = 20;
const DRAIN_MS = 5_000;
const END_MS = 3_000;

export function runTraffic(opts: TrafficOptions): TrafficHandle {
  const { logger } = opts;
  const limiter = new RateLimiter(opts.ratePerSecond);
  const all = [...opts.devices, ...opts.wearables];
  const planner = new TrafficPlanner(all, {
    buttonPressProbability: opts.buttonPressProbability,
    heartbeatIntervalMs: opts.heartbeatIntervalMs,
  });
  const latency = new LatencySampler();
  const clients = new Map<string, MqttClient>();
  const online = new Set<string>();
  const behaviours: WearableBehaviour[] = [];
  const wearableIds = new Set(opts.wearables.map((w) => w.id));
  const counts = { published: 0, acked: 0, errors: 0, refused: 0, commands: 0, inflight: 0 };
  const seenErrors = new Set<string>();
  const startedAt = performance.now();
  let paceStart: number | undefined; // pacing starts with the first connection
  let slots = 0;
  let peakConnected = 0;
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const fail = (deviceId: string, what: string, err: Error) => {
    counts.errors++;
    const key = `${what}: ${err.message}`;
    // Hundreds of devices hit the same broker problem at once; say each problem once.
    if (seenErrors.has(key)) return logger.debug({ deviceId, err: err.message }, what);
    seenErrors.add(key);
    logger.warn({ deviceId, err: err.message }, what);
  };

  // CONNACK refusals for credentials: 3.1.1 codes 4 and 5, MQTT 5 codes 134 and 135
  const BAD_CREDENTIALS = new Set([4, 5, 134, 135]);
  const RENEW_EVERY_MS = 60_000; // at most one rotation a minute per device: no tug of war
  const renewedAt = new Map<string, number>();
  const renew = (device: SimDevice, client: MqttClient) => {
    const last = renewedAt.get(device.id);
    if (!opts.renewSecret || stopping || (last !== undefined && performance.now() - last < RENEW_EVERY_MS)) return;
    renewedAt.set(device.id, performance.now());
    opts.renewSecret(device.id).then(
      (secret) => {
        device.secret = secret;
        client.options.password = secret;
        if (!stopping) client.reconnect();
      },
      (err: Error) => fail(device.id, 'could not renew the device secret', err),
    );
  };

  const connectDevice = (device: SimDevice) => {
    const statusTopic = topics.deviceStatus(device.id);
    const commandsTopic = topics.deviceCommands(device.id);
    const client = mqtt.connect(opts.mqttUrl, {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      protocolVersion: 4,
      clean: false,
      keepalive: 60,
      connectTimeout: 10_000,
      reconnectPeriod: 2_000 + Math.floor(Math.random() * 2_000), // jitter avoids reconnect storms
      will: { topic: statusTopic, payload: Buffer.from(JSON.stringify({ online: false })), qos: 1, retain: true },
    });
    clients.set(device.id, client);
    client.on('connect', () => {
      online.add(device.id);
      peakConnected = Math.max(peakConnected, online.size);
      paceStart ??= performance.now();
      const status: DeviceStatus = deviceStatusSchema.parse({ online: true, ...planner.status(device.id), fw: FW });
      client.publish(statusTopic, JSON.stringify(status), { qos: 1, retain: true }, (err) => {
        if (err) fail(device.id, 'status not delivered', err);
      });
      client.subscribe(commandsTopic, { qos: 1 }, (err) => {
        if (err) fail(device.id, 'commands subscription refused', err);
      });
    });
    client.on('close', () => online.delete(device.id));
    client.on('error', (err) => {
      fail(device.id, 'mqtt connection error', err);
      const code = (err as Error & { code?: unknown }).code;
      if (typeof code === 'number' && BAD_CREDENTIALS.has(code)) {
        counts.refused++;
        renew(device, client);
      }
    });
    client.on('message', (topic, payload) => {
      if (topic === commandsTopic) onCommand(device, payload);
    });
    if (wearableIds.has(device.id)) {
      behaviours.push(attachWearable(client, device, { logger, timing: opts.wearableTiming }));
    }
  };

  const onCommand = (device: SimDevice, payload: Buffer) => {
    counts.commands++;
    let parsed;
    try {
      parsed = deviceCommandSchema.safeParse(JSON.parse(payload.toString()));
    } catch {
      return logger.warn({ deviceId: device.id }, 'command is not JSON');
    }
    if (!parsed.success) return logger.warn({ deviceId: device.id, payload: payload.toString().slice(0, 200) }, 'unknown command');
    const cmd = parsed.data;
    if (cmd.type === 'error') {
      counts.errors++;
      return logger.warn({ deviceId: device.id, code: cmd.code, message: cmd.message, eventId: cmd.eventId }, 'gateway rejected a message');
    }
    const say = cmd.type === 'alarm.accepted' ? `LED green, voice: "help is coming" (${cmd.by})` : cmd.type;
    logger.info({ deviceId: device.id, resident: device.residentName, command: cmd }, say);
  };

  const publish = ({ device, event }: PlannedEvent) => {
    const client = clients.get(device.id);
    if (!client) return;
    counts.published++;
    counts.inflight++;
    const sentAt = performance.now();
    client.publish(topics.deviceEvents(device.id), JSON.stringify(event), { qos: 1 }, (err) => {
      counts.inflight--;
      if (err) return fail(device.id, 'event not acknowledged', err);
      counts.acked++;
      latency.record(performance.now() - sentAt);
    });
  };

  // Even pacing toward rate × elapsed; the limiter caps any catch-up after a stall.
  const maxInflight = opts.maxInflight ?? 1_000;
  let tickTimer: NodeJS.Timeout | undefined;
  const tick = () => {
    tickTimer = undefined;
    if (stopping) return;
    const now = performance.now();
    if (paceStart !== undefined) {
      const target = Math.floor((opts.ratePerSecond * (now - paceStart)) / 1000);
      slots = Math.max(slots, target - limiter.capacity); // forget debt older than a window
      while (slots < target) {
        if (opts.maxMessages !== undefined && counts.published >= opts.maxMessages) {
          void stop();
          return;
        }
        if (counts.inflight >= maxInflight) {
          slots = target; // back-pressure: skip, do not burst later
          break;
        }
        if (!limiter.tryAcquire(now)) break;
        slots++;
        const planned = planner.next(Date.now(), (id) => online.has(id));
        if (planned) publish(planned);
      }
    }
    tickTimer = setTimeout(tick, Math.max(TICK_MS, Math.min(limiter.waitMs(performance.now()), 1000)));
  };

  // Stagger connects so a large fleet does not hit the broker's auth all in one instant.
  const connectGap = 1000 / (opts.connectsPerSecond ?? 50);
  let nextToConnect = 0;
  let connectTimer: NodeJS.Timeout | undefined;
  const connectSome = () => {
    connectTimer = undefined;
    if (stopping) return;
    const batch = Math.max(1, Math.floor(TICK_MS / connectGap));
    for (let i = 0; i < batch && nextToConnect < all.length; i++) connectDevice(all[nextToConnect++] as SimDevice);
    if (nextToConnect < all.length) connectTimer = setTimeout(connectSome, Math.max(connectGap, TICK_MS));
  };

  const endClient = async (id: string, client: MqttClient) => {
    if (!client.connected) {
      client.end(true); // never got (back) online: just stop reconnecting
      return;
    }
    const offline = JSON.stringify(deviceStatusSchema.parse({ online: false }));
    const graceful = (async () => {
      await client.publishAsync(topics.deviceStatus(id), offline, { qos: 1, retain: true });
      await client.endAsync(false); // DISCONNECT packet: the broker discards the last will
    })();
    const timedOut = await Promise.race([graceful.then(() => false), sleep(END_MS).then(() => true)]).catch(() => true);
    if (timedOut) {
      logger.debug({ deviceId: id }, 'clean disconnect timed out; closing');
      client.end(true);
    }
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (tickTimer) clearTimeout(tickTimer);
      if (connectTimer) clearTimeout(connectTimer);
      if (durationTimer) clearTimeout(durationTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const b of behaviours) b.stop();
      const drainUntil = performance.now() + DRAIN_MS;
      while (counts.inflight > 0 && performance.now() < drainUntil) await sleep(50);
      await Promise.all([...clients].map(([id, client]) => endClient(id, client)));
      online.clear();
      logger.info({ published: counts.published, acked: counts.acked, errors: counts.errors }, 'traffic stopped');
    })().finally(resolveDone);
    return stopping;
  };
  const onAbort = () => void stop();

  const durationTimer =
    opts.durationSeconds === undefined ? undefined : setTimeout(() => void stop(), opts.durationSeconds * 1000);
  if (opts.signal?.aborted) void stop();
  else {
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    connectSome();
    tick();
  }

  const stats = (): TrafficStats => ({
    published: counts.published,
    acked: counts.acked,
    errors: counts.errors,
    refused: counts.refused,
    connected: online.size,
    peakConnected,
    devices: all.length,
    inflight: counts.inflight,
    commands: counts.commands,
    alerts: behaviours.reduce((n, b) => n + b.counts.alerts, 0),
    wearableAcks: behaviours.reduce((n, b) => n + b.counts.acks, 0),
    elapsedSeconds: Math.round((performance.now() - startedAt) / 100) / 10,
    latencyMs: latency.summary(),
  });
  return { stats, stop, done };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
