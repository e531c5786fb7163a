import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { getDevicePresence } from '../db/queries/device-presence.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import type { RunningService } from '../runtime/service.ts';
import { connect, nextMessage, publish, waitFor } from './helpers/gateway-harness.ts';
import { apiClient } from './helpers/api-client.ts';
import { provisionResidentDevice } from './helpers/care-centre.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { createPgDatabase } from './helpers/test-db.ts';

// MQTT_URL mode against the real Mosquitto every machine runs (anonymous on 127.0.0.1:1883).
const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describe('MQTT_URL: ingest through an external broker (Mosquitto)', () => {
  const run = randomUUID().slice(0, 8);
  const services: RunningService[] = [];
  const clients: MqttClient[] = [];
  let dropDb: () => Promise<void>;
  let dbUrl: string;

  const start = (n: number) =>
    startTestService({
      DATABASE_URL: dbUrl,
      MQTT_URL: BROKER,
      MQTT_SHARE_GROUP: `test-${run}`, // this run's own group: other runs on the broker get their own copies
      MQTT_CLIENT_ID: `homecare-test-${run}-${n}`,
      MQTT_SESSION_EXPIRY: '0', // leave no sessions behind on the shared broker
      MQTT_INGEST_LANES: '2',
    });

  beforeAll(async () => {
    const db = await createPgDatabase();
    dbUrl = db.url;
    dropDb = db.drop;
    services.push(await start(1), await start(2));
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const s of services) await s.close();
    await dropDb?.();
  });

  it('stores events published to the broker once, reports bad ones, and tracks status', async () => {
    const [a] = services as [RunningService];
    const api = apiClient(a.httpUrl);
    await api.login();
    const { device } = await provisionResidentDevice(api);
    // the external broker authenticates devices; here it is anonymous
    const c = await connect(BROKER, { clientId: `dev-${run}-${device.id}` });
    clients.push(c);
    await c.subscribeAsync(topics.deviceCommands(device.id), { qos: 1 });

    const id = randomUUID();
    const body = JSON.stringify({ id, type: 'button.pressed', ts: new Date().toISOString(), data: {} });
    await publish(c, topics.deviceEvents(device.id), body);
    await publish(c, topics.deviceEvents(device.id), body); // a retransmission
    await waitFor(async () => (await listDeviceEvents(a.db, device.id)).length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect((await listDeviceEvents(a.db, device.id)).map((e) => e.eventId)).toEqual([id]);

    const reply = nextMessage(c, topics.deviceCommands(device.id));
    await publish(c, topics.deviceEvents(device.id), '{"id":1,"type":"teleport"}');
    expect(await reply).toMatchObject({ type: 'error', code: 'unknown_type' });

    await publish(c, topics.deviceStatus(device.id), JSON.stringify({ online: true, battery: 0.5, fw: '2.0.0' }), { retain: false });
    await waitFor(async () => (await getDevicePresence(a.db, device.id))?.fw === '2.0.0');
    expect((await getDevicePresence(a.db, device.id))?.online).toBe(true);
  });

  it('splits the stream between instances in one share group, each event stored once', async () => {
    const [a, b] = services as [RunningService, RunningService];
    const api = apiClient(a.httpUrl);
    await api.login();
    const { device } = await provisionResidentDevice(api, 'motion_sensor');
    const c = await connect(BROKER, { clientId: `dev-${run}-${device.id}` });
    clients.push(c);
    const received = async (s: RunningService) =>
      (await s.metrics.eventsReceived.get()).values.reduce((n, v) => n + v.value, 0);
    const before = [await received(a), await received(b)];
    await Promise.all(
      Array.from({ length: 60 }, () =>
        publish(c, topics.deviceEvents(device.id), JSON.stringify({ id: randomUUID(), type: 'motion', data: {} })),
      ),
    );
    await waitFor(async () => (await listDeviceEvents(a.db, device.id, 1000)).length === 60, 10_000);
    const after = [await received(a), await received(b)];
    expect(after[0]! - before[0]!).toBeGreaterThan(0);
    expect(after[1]! - before[1]!).toBeGreaterThan(0);
    expect(after[0]! - before[0]! + (after[1]! - before[1]!)).toBe(60);
  });

  it('waits out a database outage and then stores what the broker delivered meanwhile', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    const viaProxy = new URL(dbUrl);
    viaProxy.port = String(proxy.port);
    const lone = await startTestService({
      DATABASE_URL: viaProxy.toString(),
      MQTT_URL: BROKER,
      MQTT_SHARE_GROUP: `test-${run}-outage`,
      MQTT_CLIENT_ID: `homecare-test-${run}-outage`,
      MQTT_SESSION_EXPIRY: '0',
      MQTT_INGEST_LANES: '1',
    });
    try {
      const api = apiClient(lone.httpUrl);
      await api.login();
      const { device } = await provisionResidentDevice(api);
      const c = await connect(BROKER, { clientId: `dev-${run}-${device.id}` });
      clients.push(c);
      proxy.cut(); // the device is not in the link's cache yet: even its lookup must wait
      const ids = [randomUUID(), randomUUID()];
      for (const id of ids) await publish(c, topics.deviceEvents(device.id), JSON.stringify({ id, type: 'fall.detected', data: {} }));
      await new Promise((r) => setTimeout(r, 1000));
      proxy.restore();
      await waitFor(async () => (await listDeviceEvents(services[0]!.db, device.id)).length === 2, 15_000);
      expect((await listDeviceEvents(services[0]!.db, device.id)).map((e) => e.eventId).sort()).toEqual([...ids].sort());
    } finally {
      await lone.close();
      await proxy.close();
    }
  }, 30_000);

  it('refuses to start when the broker cannot be reached, naming MQTT_URL', async () => {
    await expect(
      startTestService({ DATABASE_URL: dbUrl, MQTT_URL: 'mqtt://127.0.0.1:1', MQTT_CLIENT_ID: `x-${run}` }),
    ).rejects.toThrow(/^MQTT_URL: cannot use the broker at mqtt:\/\/127.0.0.1:1/);
  });
});
