// Background load for bench/alarm-latency.ts, in its own process: everyday sensor traffic
// (motion, temperature, heartbeat) from many devices over real MQTT at QoS 1, paced evenly to
// a total rate. Commands (JSON lines on stdin, see line-channel.ts):
//   {cmd:"init", url, rate, devices:[{id,secret,kind}]}   connects, starts, warms up
//   {cmd:"mark"}                                          starts the measured window
//   {cmd:"stop"}                                          stops; rates over the window
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { LatencySampler } from '../device-sim/latency.ts';
import { serveCommands } from './line-channel.ts';

interface LoadDevice {
  id: string;
  secret: string;
  kind: string;
}

const TICK_MS = 5;
const WARMUP_MS = 2_000;
const MAX_INFLIGHT = 2_000;
const ROOMS = ['living room', 'kitchen', 'bathroom', 'hallway', 'bedroom'];

let clients: Array<{ d: LoadDevice; client: MqttClient; topic: string }> = [];
const counts = { published: 0, acked: 0, errors: 0, inflight: 0, skipped: 0 };
const types: Record<string, number> = {};
let latency = new LatencySampler();
let rate = 0;
let started = 0;
let slots = 0;
let next = 0;
let timer: NodeJS.Timeout | undefined;
let mark = { at: 0, published: 0, acked: 0 };

/** What a device of this kind says: mostly its reading, now and then a heartbeat. */
function eventFor(d: LoadDevice): { type: string; data: Record<string, unknown> } {
  const r = Math.random();
  if (d.kind === 'motion_sensor' && r < 0.85) return { type: 'motion', data: { room: ROOMS[Math.floor(Math.random() * ROOMS.length)] } };
  // 19–26 °C: well inside the normal range, so no temperature alarm opens
  if (d.kind === 'temperature_sensor' && r < 0.85) return { type: 'temperature', data: { celsius: Math.round((19 + Math.random() * 7) * 10) / 10 } };
  return { type: 'heartbeat', data: { battery: 0.8, rssi: -60 } };
}

function publishOne() {
  const c = clients[next++ % clients.length]!;
  const { type, data } = eventFor(c.d);
  types[type] = (types[type] ?? 0) + 1;
  const payload = JSON.stringify({ id: randomUUID(), type, ts: new Date().toISOString(), data });
  counts.published++;
  counts.inflight++;
  const t0 = performance.now();
  c.client.publish(c.topic, payload, { qos: 1 }, (err) => {
    counts.inflight--;
    if (err) return void counts.errors++;
    counts.acked++;
    latency.record(performance.now() - t0);
  });
}

// Even pacing toward rate × elapsed; a stall's backlog older than 100 ms is dropped, not burst.
function tick() {
  const now = performance.now();
  const target = Math.floor((rate * (now - started)) / 1000);
  const floor = target - Math.ceil(rate / 10);
  if (slots < floor) {
    counts.skipped += floor - slots;
    slots = floor;
  }
  while (slots < target) {
    if (counts.inflight >= MAX_INFLIGHT) {
      counts.skipped += target - slots;
      slots = target;
      break;
    }
    slots++;
    publishOne();
  }
  timer = setTimeout(tick, TICK_MS);
}

const connect = (url: string, d: LoadDevice) =>
  new Promise<MqttClient>((resolve, reject) => {
    const client = mqtt.connect(url, { username: d.id, password: d.secret, clientId: d.id, reconnectPeriod: 0, connectTimeout: 15_000, protocolVersion: 4, clean: true });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });

async function init(url: string, devices: LoadDevice[], perSecond: number) {
  // a few at a time: each connect costs the broker a secret hash
  for (let i = 0; i < devices.length; i += 10) {
    const batch = devices.slice(i, i + 10);
    const connected = await Promise.all(batch.map((d) => connect(url, d)));
    clients.push(...connected.map((client, k) => ({ d: batch[k]!, client, topic: topics.deviceEvents(batch[k]!.id) })));
  }
  rate = perSecond;
  started = performance.now();
  tick();
  await sleep(WARMUP_MS);
  return { connected: clients.length };
}

async function stop() {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const at = performance.now();
  const seconds = (at - mark.at) / 1000;
  const window = { published: counts.published - mark.published, acked: counts.acked - mark.acked };
  const drainUntil = performance.now() + 5_000;
  while (counts.inflight > 0 && performance.now() < drainUntil) await sleep(20);
  const result = {
    devices: clients.length,
    seconds,
    publishedPerSecond: window.published / seconds,
    ackedPerSecond: window.acked / seconds,
    total: { ...counts },
    types,
    pubackMs: latency.summary(),
  };
  await Promise.all(clients.map((c) => c.client.endAsync().catch(() => undefined)));
  clients = [];
  return result;
}

await serveCommands(async (c) => {
  switch (c.cmd) {
    case 'init':
      return init(c.url as string, c.devices as LoadDevice[], Number(c.rate));
    case 'mark':
      mark = { at: performance.now(), published: counts.published, acked: counts.acked };
      latency = new LatencySampler(); // PUBACK latency over the measured window only
      return { marked: true };
    case 'stop':
      return stop();
    default:
      throw new Error(`unknown command ${JSON.stringify(c.cmd)}`);
  }
});
if (timer) clearTimeout(timer);
await Promise.all(clients.map((c) => c.client.endAsync().catch(() => undefined)));
