import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger } from '../../common/logger.ts';
import { createMetrics, type Metrics } from '../../common/metrics.ts';
import { DEVICE_SECRET_COST, generateToken, hashSecret } from '../../common/secrets.ts';
import type { DeviceKind } from '../../contract/device-messages.ts';
import { insertArea } from '../../db/queries/areas.ts';
import { insertDevice } from '../../db/queries/devices.ts';
import { insertResident } from '../../db/queries/residents.ts';
import type { Db } from '../../db/types.ts';
import { Gateway } from '../../gateway/gateway.ts';
import { listenMqtt, type ConnectionLimitOptions, type MqttListeners } from '../../gateway/listeners.ts';
import type { Logger } from '../../common/logger.ts';

export interface RunningGateway {
  gateway: Gateway;
  listeners: MqttListeners;
  metrics: Metrics;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** The gateway and its listeners on picked ports; `limits` and `logger` as a test needs them. */
export async function startGateway(
  db: Db,
  opts: { maxPayloadBytes?: number; limits?: ConnectionLimitOptions; logger?: Logger } = {},
): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const metrics = createMetrics();
  const maxPayloadBytes = opts.maxPayloadBytes ?? 16 * 1024;
  const gateway = await Gateway.create({ db, logger, metrics, maxPayloadBytes });
  const listeners = await listenMqtt(gateway.aedes, {
    host: '127.0.0.1',
    port: 0,
    wsPort: 0,
    maxPacketBytes: maxPayloadBytes * 4,
    logger,
    metrics,
    ...opts.limits,
  });
  return {
    gateway,
    listeners,
    metrics,
    url: `mqtt://127.0.0.1:${listeners.port}`,
    wsUrl: `ws://127.0.0.1:${listeners.wsPort}`,
    close: async () => {
      const closing = listeners.close();
      await gateway.close();
      await closing;
    },
  };
}

let seq = 0;
/** A grid with one resident, and devices for them, provisioned straight through db/queries. */
export async function provisionResident(db: Db, kinds: DeviceKind[] = ['pendant']) {
  const tag = `${process.pid}-${++seq}-${Date.now().toString(36)}`;
  const district = await insertArea(db, { name: `D ${tag}`, kind: 'district', parentId: null });
  const street = await insertArea(db, { name: `S ${tag}`, kind: 'street', parentId: district.id });
  const community = await insertArea(db, { name: `C ${tag}`, kind: 'community', parentId: street.id });
  const grid = await insertArea(db, { name: `G ${tag}`, kind: 'grid', parentId: community.id });
  const resident = await insertResident(db, {
    name: 'Huang Xueying',
    areaId: grid.id,
    address: '12 Jade Lane',
    phone: null,
    notes: 'diabetic; key safe 4711',
    contacts: [],
  });
  const devices = [];
  for (const [i, kind] of kinds.entries()) devices.push(await provisionDevice(db, `${kind}-${tag}-${i}`, kind, kind === 'wearable' ? null : resident.id));
  return { resident, grid, devices };
}

export async function provisionDevice(db: Db, id: string, kind: DeviceKind, residentId: string | null) {
  const secret = generateToken();
  await insertDevice(db, { id, kind, residentId, secretHash: await hashSecret(secret, DEVICE_SECRET_COST) });
  return { id, secret, kind };
}

/** Connects and resolves on CONNACK, or rejects with the refusal. */
export function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4, ...opts });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export function publish(client: MqttClient, topic: string, payload: string | Buffer, opts: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) =>
    client.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err) => (err ? reject(err) : resolve())),
  );
}

// The waits below are safety nets for a message or a state that must come, not timing
// assertions: on a busy 2-core machine 5 s was sometimes too short for what takes 50 ms alone.

/** Resolves with the next message on a topic (already subscribed), or rejects after ms. */
export function nextMessage(client: MqttClient, topic: string, ms = 15_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${ms} ms`));
    }, ms);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(JSON.parse(payload.toString()));
    };
    client.on('message', onMessage);
  });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, ms = 15_000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
