import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StatusChange } from '../contract/received.ts';
import { topics } from '../contract/topics.ts';
import type { Db } from '../db/types.ts';
import type { ConnectionLimitOptions } from '../gateway/listeners.ts';
import { connect, nextMessage, provisionResident } from './helpers/gateway-harness.ts';
import { alertFor as alert, connectPacket, frozenSubscriber as rawFrozenSubscriber, startLimitedGateway, subscribePacket } from './helpers/raw-mqtt.ts';
import { createTestDb } from './helpers/test-db.ts';

// A subscriber whose socket stops being read (a wrist app frozen, a phone asleep mid-connection)
// must not hold anyone else's alerts: aedes delivers through one queue whose slots wait for the
// slow socket to drain. It is cut off instead, and its presence goes offline.

const NOTE = 'n'.repeat(12_000); // long notes: ~12 KB per alert
const FLOOD = 750; // ~9 MB, more than the kernel buffers of a loopback connection absorb

/** The shared raw frozen subscriber (keepalive 0, QoS 1), its handshake checked. */
async function frozenSubscriber(port: number, dev: { id: string; secret: string }, topic: string) {
  const frozen = await rawFrozenSubscriber(port, dev, topic);
  expect([...frozen.handshake]).toEqual([0x20, 2, 0, 0, 0x90, 3, 0, 1, 1]); // CONNACK accepted, SUBACK QoS 1
  return frozen;
}

async function startTunedGateway(db: Db, limits: ConnectionLimitOptions, lines: string[]) {
  const running = await startLimitedGateway(db, limits, { lines, level: 'warn' });
  const offline = new Map<string, number>(); // device id → when it was reported offline
  running.gateway.onStatus((s: StatusChange) => void (s.online || offline.set(s.deviceId, Date.now())));
  return {
    gateway: running.gateway,
    port: running.listeners.port,
    wsPort: running.listeners.wsPort,
    url: running.url,
    offline,
    offlineAt: async (deviceId: string, ms = 30_000) => {
      await expect.poll(() => offline.has(deviceId), { timeout: ms }).toBe(true);
      return offline.get(deviceId)!;
    },
    close: running.close,
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
