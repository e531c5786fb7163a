import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Metrics } from '../common/metrics.ts';
import type { StatusChange } from '../contract/received.ts';
import { topics } from '../contract/topics.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import type { Gateway } from '../gateway/gateway.ts';
import type { MqttListeners } from '../gateway/listeners.ts';
import { connect, provisionResident, type RunningGateway } from './helpers/gateway-harness.ts';
import { connectPacket, publishPacket, startLimitedGateway } from './helpers/raw-mqtt.ts';
import { createTestDb } from './helpers/test-db.ts';

const READ_DEADLINE_MS = 1_500;

/** A raw TCP connection: what it received, and when (if) the broker closed it. */
async function rawConnection(port: number) {
  const socket: Socket = tcpConnect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => void (received = Buffer.concat([received, d])));
  socket.on('error', () => undefined);
  let open = true;
  // not events.once: a reset ('error' first) is a close too
  const closed = new Promise<number>((resolve) => socket.once('close', () => ((open = false), resolve(Date.now()))));
  await once(socket, 'connect');
  return {
    socket,
    received: () => received,
    isOpen: () => open,
    closedWithin: (ms: number) => Promise.race([closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]),
    until: async (bytes: number, ms = 5_000) => {
      const deadline = Date.now() + ms;
      while (received.length < bytes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return received;
    },
  };
}

describe('gateway connection limits', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let gateway: Gateway;
  let listeners: MqttListeners;
  let metrics: Metrics;
  let running: RunningGateway | undefined;
  let url: string;
  let dbUrl: string | undefined;
  const lines: string[] = [];
  const offline = new Set<string>();
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    ({ db, cleanup, url: dbUrl } = await createTestDb('postgres'));
    running = await startLimitedGateway(db, { readDeadlineMs: READ_DEADLINE_MS }, { lines, level: 'info' });
    ({ gateway, listeners, metrics, url } = running);
    gateway.onStatus((s: StatusChange) => void (s.online ? offline.delete(s.deviceId) : offline.add(s.deviceId)));
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await running?.close();
    await cleanup?.();
  });

  describe('a CONNECT for another protocol level gets CONNACK 0x01, then the connection closes [MQTT-3.1.2-2]', () => {
    it.each([
      // MQTT 5 with its (empty) properties, as a v5 client sends it
      ['MQTT 5', (id: string, secret: string) => connectPacket(id, secret, { protocolLevel: 5, properties: Buffer.from([0]) })],
      // MQTT 5 with properties: session expiry 60 s, receive maximum 10
      ['MQTT 5 with properties', (id: string, secret: string) => connectPacket(id, secret, { protocolLevel: 5, properties: Buffer.from([8, 0x11, 0, 0, 0, 60, 0x21, 0, 10]) })],
      // level 5 on a 3.1.1-shaped packet: aedes' parser failed on it and closed without CONNACK
      ['level 5 without properties', (id: string, secret: string) => connectPacket(id, secret, { protocolLevel: 5 })],
      ['level 6', (id: string, secret: string) => connectPacket(id, secret, { protocolLevel: 6 })],
    ])('%s over TCP', async (_name, packet) => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const before = (await metrics.mqttConnectRefused.get()).values.find((v) => v.labels.reason === 'protocol_version')?.value ?? 0;
      const connectedBefore = gateway.connectedClients;
      const c = await rawConnection(listeners.port);
      c.socket.write(packet(dev.id, dev.secret));
      expect(await c.closedWithin(10_000)).toBeDefined();
      expect([...c.received()]).toEqual([0x20, 0x02, 0x00, 0x01]);
      const after = (await metrics.mqttConnectRefused.get()).values.find((v) => v.labels.reason === 'protocol_version')?.value;
      expect(after).toBe(before + 1);
      expect(gateway.connectedClients).toBe(connectedBefore);
    });

    it('MQTT 5 over WebSocket', async () => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const ws = new WebSocket(`ws://127.0.0.1:${listeners.wsPort}`, 'mqtt');
      const frames: Buffer[] = [];
      ws.on('message', (data: Buffer) => frames.push(data));
      const closed = once(ws, 'close');
      await once(ws, 'open');
      ws.send(connectPacket(dev.id, dev.secret, { protocolLevel: 5, properties: Buffer.from([0]) }));
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open')), 10_000))]);
      expect([...Buffer.concat(frames)]).toEqual([0x20, 0x02, 0x00, 0x01]);
    });

    it('an MQTT 3.1.1 CONNECT is still accepted', async () => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const c = await rawConnection(listeners.port);
      c.socket.write(connectPacket(dev.id, dev.secret));
      expect([...(await c.until(4))]).toEqual([0x20, 0x02, 0x00, 0x00]);
      c.socket.destroy();
    });
  });

  describe('read deadline', () => {
    it('closes a keepalive-0 connection whose PUBLISH stops half-way, and reports the device offline', async () => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const c = await rawConnection(listeners.port);
      c.socket.write(connectPacket(dev.id, dev.secret));
      expect([...(await c.until(4))]).toEqual([0x20, 0x02, 0x00, 0x00]);
      const whole = publishPacket(topics.deviceEvents(dev.id), JSON.stringify({ id: 'e1', type: 'button.pressed' }));
      const sentAt = Date.now();
      c.socket.write(whole.subarray(0, 10));
      const closedAt = await c.closedWithin(READ_DEADLINE_MS + 15_000);
      expect(closedAt).toBeDefined();
      expect(closedAt! - sentAt).toBeGreaterThanOrEqual(READ_DEADLINE_MS - 50); // the deadline, not something sooner
      await expect.poll(() => offline.has(dev.id), { timeout: 10_000 }).toBe(true);
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.deviceId === dev.id && l.reason === 'read_deadline');
      expect(warned).toHaveLength(1);
      expect(await listDeviceEvents(db, dev.id)).toEqual([]);
    });

    it('closes a connection whose CONNECT stops half-way', async () => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const c = await rawConnection(listeners.port);
      c.socket.write(connectPacket(dev.id, dev.secret).subarray(0, 12));
      // well before aedes' own 10 s wait for a CONNECT
      expect(await c.closedWithin(READ_DEADLINE_MS + 6_000)).toBeDefined();
      expect(c.received()).toHaveLength(0);
    });

    it('keeps a connection whose packet arrives in pieces within the deadline', async () => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const c = await rawConnection(listeners.port);
      c.socket.write(connectPacket(dev.id, dev.secret));
      expect([...(await c.until(4))]).toEqual([0x20, 0x02, 0x00, 0x00]);
      // three packets, each split in two, the gaps adding up to more than one deadline
      for (let i = 1; i <= 3; i++) {
        const whole = publishPacket(topics.deviceEvents(dev.id), JSON.stringify({ id: `split-${i}`, type: 'motion' }));
        c.socket.write(whole.subarray(0, 12));
        await new Promise((r) => setTimeout(r, READ_DEADLINE_MS / 3));
        c.socket.write(whole.subarray(12));
        expect((await c.until(4 + 4 * i)).length).toBe(4 + 4 * i); // its PUBACK
      }
      expect(await c.closedWithin(100)).toBeUndefined();
      expect(await listDeviceEvents(db, dev.id)).toHaveLength(3);
      c.socket.destroy();
    });
  });

  it("does not count against the sender the time the gateway is not reading (a commit waits)", async () => {
    const { devices } = await provisionResident(db, ['motion_sensor']);
    const dev = devices[0]!;
    const c = await rawConnection(listeners.port);
    c.socket.write(connectPacket(dev.id, dev.secret));
    expect([...(await c.until(4))]).toEqual([0x20, 0x02, 0x00, 0x00]);
    // a second session holds a lock the insert needs: aedes waits on the first PUBACK and
    // reads nothing more, so the rest stops part-way through some packet on our side
    const lock = new pg.Client({ connectionString: dbUrl });
    await lock.connect();
    await lock.query('BEGIN; LOCK TABLE event_keys IN EXCLUSIVE MODE');
    try {
      const pad = 'x'.repeat(5_000);
      const events = Array.from({ length: 150 }, (_, i) =>
        publishPacket(topics.deviceEvents(dev.id), JSON.stringify({ id: `held-${i}`, type: 'motion', data: { pad } }), i + 1),
      );
      c.socket.write(Buffer.concat(events)); // 750 KB, all of it sent at once, more than the buffers take
      await new Promise((r) => setTimeout(r, READ_DEADLINE_MS * 2.5));
      expect(c.isOpen()).toBe(true);
    } finally {
      await lock.query('COMMIT');
      await lock.end();
    }
    expect((await c.until(4 + 150 * 4, 30_000)).length).toBe(4 + 150 * 4); // every PUBACK
    expect(await listDeviceEvents(db, dev.id, 1_000)).toHaveLength(150);
    c.socket.destroy();
  });

  describe('connections per device', () => {
    it('keeps the newest 4 of one device and drops the oldest; other devices and presence are unaffected', async () => {
      const { devices } = await provisionResident(db, ['pendant', 'door_sensor']);
      const [dev, other] = [devices[0]!, devices[1]!];
      const bystander = await connect(url, { username: other.id, password: other.secret, clientId: other.id });
      clients.push(bystander);
      const conns: Array<{ client: MqttClient; closed: boolean }> = [];
      for (let n = 1; n <= 6; n++) {
        const client = await connect(url, { username: dev.id, password: dev.secret, clientId: `app-${n}` });
        clients.push(client);
        const entry = { client, closed: false };
        client.on('close', () => (entry.closed = true));
        conns.push(entry);
      }
      await expect.poll(() => conns.map((c) => c.closed), { timeout: 10_000 }).toEqual([true, true, false, false, false, false]);
      await new Promise((r) => setTimeout(r, 300)); // nothing else is dropped after a while
      expect(conns.map((c) => c.client.connected)).toEqual([false, false, true, true, true, true]);
      expect(bystander.connected).toBe(true);
      expect(gateway.connectedClients).toBe(5);
      expect(offline.has(dev.id)).toBe(false);
      // the newest ones are served
      await conns[5]!.client.subscribeAsync(topics.deviceCommands(dev.id), { qos: 1 });
      const got = new Promise((r) => conns[5]!.client.once('message', (_t, p: Buffer) => r(JSON.parse(p.toString()))));
      await gateway.publishToDevice(dev.id, { type: 'checkin.reminder' });
      expect(await got).toEqual({ type: 'checkin.reminder' });
    });

    it('holds many simultaneous connections with one secret to the cap', async () => {
      const { devices } = await provisionResident(db, ['pendant']);
      const dev = devices[0]!;
      const opened = await Promise.allSettled(Array.from({ length: 40 }, (_, n) => connect(url, { username: dev.id, password: dev.secret, clientId: `storm-${n}` })));
      for (const r of opened) if (r.status === 'fulfilled') clients.push(r.value);
      await expect.poll(() => clients.filter((c) => c.connected && c.options.clientId?.startsWith('storm-')).length, { timeout: 10_000 }).toBe(4);
    });
  });
});
