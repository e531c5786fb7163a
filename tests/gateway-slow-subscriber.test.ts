import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createMetrics } from '../common/metrics.ts';
import type { StatusChange } from '../contract/received.ts';
import { topics } from '../contract/topics.ts';
import type { Db } from '../db/types.ts';
import { Gateway } from '../gateway/gateway.ts';
import { listenMqtt, type ConnectionLimitOptions } from '../gateway/listeners.ts';
import { connect, nextMessage, provisionResident } from './helpers/gateway-harness.ts';
import { createTestDb } from './helpers/test-db.ts';

// A subscriber whose socket stops being read (a wrist app frozen, a phone asleep mid-connection)
// must not hold anyone else's alerts: aedes delivers through one queue whose slots wait for the
// slow socket to drain. It is cut off instead, and its presence goes offline.

const NOTE = 'n'.repeat(12_000); // long notes: ~12 KB per alert
const FLOOD = 750; // ~9 MB, more than the kernel buffers of a loopback connection absorb

const alert = (alarmId: string, notes: string | null = null) => ({
  type: 'alarm.alert',
  alarmId,
  priority: 'urgent',
  kind: 'button.pressed',
  resident: { id: 'r1', name: 'Huang Xueying', address: '12 Jade Lane', grid: 'G1', notes },
  raisedAt: new Date().toISOString(),
  step: 1,
  acceptBy: new Date(Date.now() + 60_000).toISOString(),
});

const mqttString = (s: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
function frame(header: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  do {
    len.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.concat([Buffer.from([header, ...len]), body]);
}
// CONNECT 3.1.1, clean session, username + password, keepalive 0 [MQTT-3.1]
const connectPacket = (id: string, secret: string) =>
  frame(0x10, Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0xc2, 0, 0]), mqttString(id), mqttString(id), mqttString(secret)]));
const subscribePacket = (topic: string) => frame(0x82, Buffer.concat([Buffer.from([0, 1]), mqttString(topic), Buffer.from([1])]));

/**
 * Connects and subscribes (QoS 1) over a raw socket, then stops reading. A socket that is not
 * read does not see the broker close it either: `readToClose` reads again, and resolves once
 * the connection has ended.
 */
async function frozenSubscriber(port: number, dev: { id: string; secret: string }, topic: string) {
  const socket: Socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve())); // a reset is a close too
  await once(socket, 'connect');
  socket.write(Buffer.concat([connectPacket(dev.id, dev.secret), subscribePacket(topic)]));
  let got = Buffer.alloc(0);
  while (got.length < 9) got = Buffer.concat([got, (await once(socket, 'data'))[0] as Buffer]);
  expect([...got]).toEqual([0x20, 2, 0, 0, 0x90, 3, 0, 1, 1]); // CONNACK accepted, SUBACK QoS 1
  socket.pause();
  return {
    readToClose: async () => {
      socket.on('data', () => undefined).resume(); // reading again: the backlog, then the end
      await closed;
    },
  };
}

async function startTunedGateway(db: Db, limits: ConnectionLimitOptions, lines: string[]) {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const metrics = createMetrics();
  const gateway = await Gateway.create({ db, logger, metrics, maxPayloadBytes: 16 * 1024 });
  const listeners = await listenMqtt(gateway.aedes, { host: '127.0.0.1', port: 0, wsPort: 0, maxPacketBytes: 64 * 1024, logger, metrics, ...limits });
  const offline = new Map<string, number>(); // device id → when it was reported offline
  gateway.onStatus((s: StatusChange) => void (s.online || offline.set(s.deviceId, Date.now())));
  return {
    gateway,
    port: listeners.port,
    wsPort: listeners.wsPort,
    url: `mqtt://127.0.0.1:${listeners.port}`,
    offline,
    offlineAt: async (deviceId: string, ms = 30_000) => {
      await expect.poll(() => offline.has(deviceId), { timeout: ms }).toBe(true);
      return offline.get(deviceId)!;
    },
    close: async () => {
      const closing = listeners.close();
      await gateway.close();
      await closing;
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

describe('a subscriber that stops reading', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb('postgres'));
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cleanup?.();
  });

  /**
   * Floods `frozenId` through `send`, then times messages to each of `others` while the frozen
   * one is stuck (still connected, its flood undelivered). Returns the latencies in ms.
   */
  async function timeOthersDuringFlood(opts: {
    send: (id: string, seq: string, big: boolean) => Promise<void>;
    frozenId: string;
    others: Array<{ id: string; client: MqttClient; topic: string }>;
    rounds: number;
  }): Promise<{ latencies: number[]; flood: Array<Promise<void>>; floodSettled(): number }> {
    let settled = 0;
    const flood = Array.from({ length: FLOOD }, (_, i) => opts.send(opts.frozenId, `flood-${i}`, true).finally(() => settled++));
    flood.forEach((p) => p.catch(() => undefined));
    await new Promise((r) => setTimeout(r, 300)); // the frozen socket's buffers fill up
    const latencies: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      await Promise.all(
        opts.others.map(async ({ id, client, topic }) => {
          const seq = `r${round}-${id}`;
          const arrived = nextMessage(client, topic, 20_000).then((msg) => ({ msg, at: performance.now() }));
          const t0 = performance.now();
          const [{ msg, at }] = await Promise.all([arrived, opts.send(id, seq, false)]);
          latencies.push(at - t0);
          expect(JSON.stringify(msg)).toContain(seq);
        }),
      );
    }
    return { latencies, flood, floodSettled: () => settled };
  }

  it("delays no other wearable's alerts, and is cut off and reported offline within seconds", async ({ annotate }) => {
    const lines: string[] = [];
    const gw = await startTunedGateway(db, { drainTimeoutMs: 3_000, maxUnsentBytes: 64 * 1024 * 1024 }, lines);
    try {
      const { devices } = await provisionResident(db, Array.from({ length: 6 }, () => 'wearable' as const));
      const [stuck, ...well] = devices;
      const frozen = await frozenSubscriber(gw.port, stuck!, topics.wearableAlerts(stuck!.id));
      const others = [];
      for (const w of well) {
        const client = await connect(gw.url, { username: w.id, password: w.secret, clientId: w.id });
        clients.push(client);
        await client.subscribeAsync(topics.wearableAlerts(w.id), { qos: 1 });
        others.push({ id: w.id, client, topic: topics.wearableAlerts(w.id) });
      }
      const floodStart = Date.now();
      const { latencies, flood, floodSettled } = await timeOthersDuringFlood({
        frozenId: stuck!.id,
        others,
        rounds: 10,
        send: (id, seq, big) => gw.gateway.publishToWearable(id, alert(seq, big ? NOTE : null)),
      });
      // the premise: all that while, the frozen wrist was connected and its alerts stuck
      expect(gw.gateway.connectedClients).toBe(6);
      expect(gw.offline.has(stuck!.id)).toBe(false);
      expect(floodSettled()).toBeLessThan(FLOOD);

      const sorted = [...latencies].sort((a, b) => a - b);
      await annotate(`other wrists' alerts during the flood: p50 ${percentile(sorted, 50).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n=${sorted.length})`);
      expect(sorted).toHaveLength(50);
      expect(sorted.at(-1)!).toBeLessThan(1_000); // unaffected: a loaded CI machine, not a 60 s drain

      const offlineAfter = (await gw.offlineAt(stuck!.id)) - floodStart;
      await annotate(`frozen wrist reported offline ${offlineAfter} ms after the flood began`);
      expect(offlineAfter).toBeLessThan(15_000); // drainTimeoutMs 3 s, plus a busy machine
      await frozen.readToClose(); // the broker closed it
      expect(gw.gateway.connectedClients).toBe(5);
      expect(well.some((w) => gw.offline.has(w.id))).toBe(false);
      await Promise.all(flood); // every publish to it settled once it was gone
      expect(others.every((o) => o.client.connected)).toBe(true);
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.deviceId === stuck!.id && l.reason === 'drain_timeout');
      expect(warned).toHaveLength(1);
      expect(warned[0].level).toBe(40); // warn
    } finally {
      await gw.close();
    }
  });

  it("delays no other device's commands", async ({ annotate }) => {
    const lines: string[] = [];
    const gw = await startTunedGateway(db, { drainTimeoutMs: 3_000, maxUnsentBytes: 64 * 1024 * 1024 }, lines);
    try {
      const { devices } = await provisionResident(db, ['pendant', 'pendant', 'door_sensor', 'bed_sensor']);
      const [stuck, ...well] = devices;
      const frozen = await frozenSubscriber(gw.port, stuck!, topics.deviceCommands(stuck!.id));
      const others = [];
      for (const d of well) {
        const client = await connect(gw.url, { username: d.id, password: d.secret, clientId: d.id });
        clients.push(client);
        await client.subscribeAsync(topics.deviceCommands(d.id), { qos: 1 });
        others.push({ id: d.id, client, topic: topics.deviceCommands(d.id) });
      }
      const { latencies, flood } = await timeOthersDuringFlood({
        frozenId: stuck!.id,
        others,
        rounds: 10,
        send: (id, seq, big) => gw.gateway.publishToDevice(id, { type: 'alarm.accepted', alarmId: seq, by: 'Li Wei', ...(big && { note: NOTE }) }),
      });
      expect(gw.gateway.connectedClients).toBe(4);
      const max = Math.max(...latencies);
      await annotate(`other devices' commands during the flood: max ${max.toFixed(1)} ms (n=${latencies.length})`);
      expect(latencies).toHaveLength(30);
      expect(max).toBeLessThan(1_000);
      await gw.offlineAt(stuck!.id);
      await frozen.readToClose();
      await Promise.all(flood);
    } finally {
      await gw.close();
    }
  });

  it('is cut off as soon as more than maxUnsentBytes wait for it, long before its drain timeout', async () => {
    const lines: string[] = [];
    const gw = await startTunedGateway(db, { drainTimeoutMs: 120_000, maxUnsentBytes: 256 * 1024 }, lines);
    try {
      const { devices } = await provisionResident(db, ['wearable']);
      const stuck = devices[0]!;
      const frozen = await frozenSubscriber(gw.port, stuck, topics.wearableAlerts(stuck.id));
      const floodStart = Date.now();
      const flood = Array.from({ length: FLOOD }, (_, i) => gw.gateway.publishToWearable(stuck.id, alert(`flood-${i}`, NOTE)));
      const offlineAfter = (await gw.offlineAt(stuck.id)) - floodStart;
      expect(offlineAfter).toBeLessThan(30_000); // the drain timeout is 120 s
      await frozen.readToClose();
      await Promise.all(flood);
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.deviceId === stuck.id && l.reason === 'unsent_bytes');
      expect(warned).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });

  it('over WebSocket too: cut off at its drain timeout, and reported offline', async () => {
    const gw = await startTunedGateway(db, { drainTimeoutMs: 2_000, maxUnsentBytes: 64 * 1024 * 1024 }, []);
    try {
      const { devices } = await provisionResident(db, ['wearable']);
      const stuck = devices[0]!;
      const ws = new WebSocket(`ws://127.0.0.1:${gw.wsPort}`, 'mqtt');
      let received = 0;
      ws.on('message', (d: Buffer) => void (received += d.length));
      ws.on('error', () => undefined);
      await once(ws, 'open');
      ws.send(Buffer.concat([connectPacket(stuck.id, stuck.secret), subscribePacket(topics.wearableAlerts(stuck.id))]));
      await expect.poll(() => received, { timeout: 10_000 }).toBe(9); // CONNACK, SUBACK
      (ws as unknown as { _socket: Socket })._socket.pause(); // the app stops reading its socket
      const floodStart = Date.now();
      const flood = Array.from({ length: FLOOD }, (_, i) => gw.gateway.publishToWearable(stuck.id, alert(`flood-${i}`, NOTE)));
      const offlineAfter = (await gw.offlineAt(stuck.id)) - floodStart;
      expect(offlineAfter).toBeGreaterThanOrEqual(1_900); // the drain timeout, not something sooner
      expect(offlineAfter).toBeLessThan(15_000);
      await Promise.all(flood);
      expect(gw.gateway.connectedClients).toBe(0);
      ws.terminate();
    } finally {
      await gw.close();
    }
  });
});
