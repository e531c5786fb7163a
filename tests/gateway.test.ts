import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { getDevicePresence } from '../db/queries/device-presence.ts';
import { countEvents, listDeviceEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { createTestDb, dbKinds } from './helpers/test-db.ts';
import { connect, nextMessage, provisionDevice, provisionResident, publish, startGateway, waitFor, type RunningGateway } from './helpers/gateway-harness.ts';

const event = (type: string, data: Record<string, unknown> = {}, id: string = randomUUID()) =>
  JSON.stringify({ id, type, ts: new Date().toISOString(), data });

describe.each(dbKinds)('gateway on %s database', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let url: string | undefined;
  let gw: RunningGateway;
  const clients: MqttClient[] = [];
  const track = (c: MqttClient) => (clients.push(c), c);

  beforeAll(async () => {
    ({ db, cleanup, url } = await createTestDb(kind));
    gw = await startGateway(db);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await gw?.close();
    await cleanup?.();
  });

  it('accepts a provisioned device and refuses unknown devices and wrong secrets', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    const ok = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    expect(ok.connected).toBe(true);
    await expect(connect(gw.url, { username: 'nobody', password: 'x', clientId: 'nobody' })).rejects.toMatchObject({ code: 5 });
    await expect(connect(gw.url, { username: dev.id, password: 'wrong', clientId: `${dev.id}-2` })).rejects.toMatchObject({ code: 5 });
    await expect(connect(gw.url, { clientId: 'anon' })).rejects.toMatchObject({ code: 5 });
    const refused = await gw.metrics.mqttConnectRefused.get();
    expect(refused.values.reduce((n, v) => n + v.value, 0)).toBe(3);
  });

  it('keeps sessions per device: another device using the same clientId takes nothing over', async () => {
    const { devices } = await provisionResident(db, ['pendant', 'door_sensor']);
    const [a, b] = [devices[0]!, devices[1]!];
    const ca = track(await connect(gw.url, { username: a.id, password: a.secret, clientId: a.id }));
    const cb = track(await connect(gw.url, { username: b.id, password: b.secret, clientId: a.id }));
    await new Promise((r) => setTimeout(r, 200));
    expect(ca.connected && cb.connected).toBe(true);
    await expect(connect(gw.url, { username: b.id, password: b.secret, clientId: 'x'.repeat(200) })).rejects.toMatchObject({ code: 2 });
  });

  it('keeps only the newest few persistent sessions of a device', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    for (let n = 1; n <= 6; n++) {
      const c = await connect(gw.url, { username: dev.id, password: dev.secret, clientId: `app-${n}`, clean: false });
      await c.subscribeAsync(topics.deviceCommands(dev.id), { qos: 1 });
      await c.endAsync();
    }
    const sessionPresent = (n: number) =>
      new Promise<boolean>((resolve, reject) => {
        const c = mqtt.connect(gw.url, { username: dev.id, password: dev.secret, clientId: `app-${n}`, clean: false, reconnectPeriod: 0, protocolVersion: 4 });
        c.once('connect', (ack) => (c.end(true), resolve(ack.sessionPresent)));
        c.once('error', reject);
      });
    expect(await sessionPresent(6)).toBe(true);
    expect(await sessionPresent(1)).toBe(false); // dropped: only 4 are kept
  });

  it('stores a valid event with the resident, once, and acknowledges after the commit', async () => {
    const { devices, resident } = await provisionResident(db);
    const dev = devices[0]!;
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    const id = randomUUID();
    const body = event('button.pressed', { button: 'pendant' }, id);
    await publish(c, topics.deviceEvents(dev.id), body);
    // the PUBACK arrived: the row must already be there
    const rows = await listDeviceEvents(db, dev.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventId: id, type: 'button.pressed', residentId: resident.id, data: { button: 'pendant' } });
    // a retransmission (the same message again), then again from a fresh connection: one row
    await publish(c, topics.deviceEvents(dev.id), body);
    c.end(true);
    const c2 = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    await publish(c2, topics.deviceEvents(dev.id), body);
    expect(await listDeviceEvents(db, dev.id)).toHaveLength(1);
    // the same id with other content is a device whose counter restarted: a new event, kept
    await publish(c2, topics.deviceEvents(dev.id), event('button.pressed', { button: 'cord' }, id));
    expect(await listDeviceEvents(db, dev.id)).toHaveLength(2);
    expect((await getDevicePresence(db, dev.id))?.lastSeenAt).toBeInstanceOf(Date);
  });

  it('stores a burst of duplicates sent concurrently exactly once each', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const bodies = ids.map((id) => event('motion', {}, id));
    await Promise.all(bodies.flatMap((body) => [0, 1, 2].map(() => publish(c, topics.deviceEvents(dev.id), body))));
    expect(await listDeviceEvents(db, dev.id, 1000)).toHaveLength(20);
  });

  it('acknowledges, discards and reports malformed events while serving others', async () => {
    const { devices } = await provisionResident(db, ['pendant', 'temperature_sensor']);
    const [dev, other] = [devices[0]!, devices[1]!];
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    await c.subscribeAsync(topics.deviceCommands(dev.id), { qos: 1 });
    const cases: Array<[string | Buffer, string]> = [
      ['{not json', 'invalid_json'],
      [JSON.stringify({ id: 'e1', type: 'teleport' }), 'unknown_type'],
      [JSON.stringify({ id: 'e2', type: 'temperature', data: { celsius: 'hot' } }), 'invalid_event'],
      [JSON.stringify({ type: 'button.pressed' }), 'invalid_event'],
      [Buffer.alloc(20 * 1024, 0x20), 'payload_too_large'],
    ];
    for (const [payload, code] of cases) {
      const reply = nextMessage(c, topics.deviceCommands(dev.id));
      await publish(c, topics.deviceEvents(dev.id), payload); // acknowledged: no resend loop
      expect(await reply).toMatchObject({ type: 'error', code });
    }
    expect(c.connected).toBe(true);
    expect(await listDeviceEvents(db, dev.id)).toHaveLength(0);
    const o = track(await connect(gw.url, { username: other.id, password: other.secret, clientId: other.id }));
    await publish(o, topics.deviceEvents(other.id), event('temperature', { celsius: 21.5 }));
    expect(await listDeviceEvents(db, other.id)).toHaveLength(1);
    const rejected = await gw.metrics.messagesRejected.get();
    expect(rejected.values.find((v) => v.labels.code === 'invalid_event')?.value).toBeGreaterThanOrEqual(2);
  });

  it('disconnects a device that publishes outside its own topics, and refuses foreign subscriptions', async () => {
    const { devices } = await provisionResident(db, ['pendant', 'door_sensor']);
    const [dev, victim] = [devices[0]!, devices[1]!];
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    await expect(c.subscribeAsync(topics.deviceCommands(victim.id))).rejects.toThrow(/Subscribe error/);
    await expect(c.subscribeAsync('homecare/#')).rejects.toThrow(/Subscribe error/);
    expect((await c.subscribeAsync(topics.deviceCommands(dev.id), { qos: 1 }))[0]?.qos).toBe(1);
    expect((await gw.metrics.mqttAclDenied.get()).values.find((v) => v.labels.action === 'subscribe')?.value).toBe(2);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topics.deviceEvents(victim.id), event('button.pressed'), { qos: 1 });
    await closed;
    expect(await listDeviceEvents(db, victim.id)).toHaveLength(0);
  });

  it('drops a connection that announces an oversized packet, and keeps serving', async () => {
    const { devices } = await provisionResident(db, ['pendant', 'door_sensor']);
    const [dev, other] = [devices[0]!, devices[1]!];
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topics.deviceEvents(dev.id), Buffer.alloc(100 * 1024, 0x61), { qos: 1 });
    await closed;
    const o = track(await connect(gw.url, { username: other.id, password: other.secret, clientId: other.id }));
    await publish(o, topics.deviceEvents(other.id), event('door.opened'));
    expect(await listDeviceEvents(db, other.id)).toHaveLength(1);
  });

  it('holds the PUBACK while the database stalls, then acknowledges once stored', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let stall: Promise<unknown>;
    let lockClient: pg.Client | undefined;
    if (kind === 'postgres') {
      // a real second session holding a lock the insert needs
      lockClient = new pg.Client({ connectionString: url });
      await lockClient.connect();
      await lockClient.query('BEGIN; LOCK TABLE event_keys IN EXCLUSIVE MODE');
      stall = stalled.then(() => lockClient!.query('COMMIT'));
    } else {
      // the embedded database is one connection: a long transaction holds it
      let started!: () => void;
      const inTx = new Promise<void>((r) => (started = r));
      stall = db.withTransaction(async () => {
        started();
        await stalled;
      });
      await inTx;
    }
    let acked = false;
    const id = randomUUID();
    const done = publish(c, topics.deviceEvents(dev.id), event('fall.detected', {}, id)).then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 600));
    expect(acked).toBe(false);
    release();
    await stall;
    await done;
    expect(acked).toBe(true);
    expect((await listDeviceEvents(db, dev.id)).map((e) => e.eventId)).toEqual([id]);
    await lockClient?.end();
  });

  it('groups concurrent events from many devices into few commits', async () => {
    const before = await countEvents(db);
    const { devices } = await provisionResident(db, Array.from({ length: 10 }, () => 'motion_sensor' as const));
    const cs = await Promise.all(devices.map((d) => connect(gw.url, { username: d.id, password: d.secret, clientId: d.id })));
    cs.forEach(track);
    const batchesBefore = (await gw.metrics.ingestBatchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    await Promise.all(cs.flatMap((c, i) => Array.from({ length: 30 }, () => publish(c, topics.deviceEvents(devices[i]!.id), event('motion')))));
    expect(await countEvents(db)).toBe(before + 300);
    const batchesAfter = (await gw.metrics.ingestBatchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    expect(batchesAfter - batchesBefore).toBeLessThan(150); // fewer commits than half the events
  });

  it('records retained status reports and the last will', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    const c = track(
      await connect(gw.url, {
        username: dev.id,
        password: dev.secret,
        clientId: dev.id,
        will: { topic: topics.deviceStatus(dev.id), payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
      }),
    );
    await publish(c, topics.deviceStatus(dev.id), JSON.stringify({ online: true, battery: 0.83, rssi: -61, fw: '1.2.0' }), { retain: true });
    expect(await getDevicePresence(db, dev.id)).toMatchObject({ online: true, battery: expect.closeTo(0.83, 5), rssi: -61, fw: '1.2.0' });
    // an ungraceful loss of the connection: the broker publishes the will
    (c as unknown as { stream: { destroy(): void } }).stream.destroy();
    await waitFor(async () => (await getDevicePresence(db, dev.id))?.online === false);
    expect(await getDevicePresence(db, dev.id)).toMatchObject({ online: false, battery: expect.closeTo(0.83, 5), fw: '1.2.0' });
  });

  it('ignores the last will of a connection its own reconnect replaced', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    const seen: boolean[] = [];
    gw.gateway.onStatus((s) => {
      if (s.deviceId === dev.id) seen.push(s.online);
    });
    const will = { topic: topics.deviceStatus(dev.id), payload: Buffer.from('{"online":false}'), qos: 1 as const, retain: true };
    const first = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id, will }));
    first.on('error', () => undefined);
    // a half-open connection: the device reconnects under the same clientId
    const second = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id, will }));
    await new Promise((r) => setTimeout(r, 300));
    expect(second.connected).toBe(true);
    expect((await getDevicePresence(db, dev.id))?.online).toBe(true);
    expect(seen.at(-1)).toBe(true);
  });

  it('serves MQTT over WebSocket with the same rules', async () => {
    const { devices } = await provisionResident(db, ['wearable']);
    const w = devices[0]!;
    const c = track(await connect(gw.wsUrl, { username: w.id, password: w.secret, clientId: w.id }));
    const granted = await c.subscribeAsync(topics.wearableAlerts(w.id), { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const alert = nextMessage(c, topics.wearableAlerts(w.id));
    await gw.gateway.publishToWearable(w.id, { type: 'alarm.taken', alarmId: 'a1' });
    expect(await alert).toEqual({ type: 'alarm.taken', alarmId: 'a1' });
    const acks: unknown[] = [];
    gw.gateway.onAck((a) => {
      acks.push(a.ack);
    });
    await publish(c, topics.wearableAcks(w.id), JSON.stringify({ alarmId: 'a1', action: 'accept' }));
    expect(acks).toEqual([{ alarmId: 'a1', action: 'accept' }]);
  });

  it('drops the connections of a revoked device and refuses its old secret', async () => {
    const dev = await provisionDevice(db, `rev-${randomUUID().slice(0, 8)}`, 'pendant', null);
    const c = track(await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id }));
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    await db.query('DELETE FROM devices WHERE id = $1', [dev.id]);
    gw.gateway.revokeDevice(dev.id);
    await closed;
    await expect(connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id })).rejects.toMatchObject({ code: 5 });
  });
});
