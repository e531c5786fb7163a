// Ingest benchmark: durable events/s into each database, and PUBACK latency (a PUBACK is
// sent only after the commit). Real broker, real MQTT clients over TCP, real databases.
//   npm run bench                  both databases
//   npm run bench -- --db embedded --devices 50 --events 20000
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import { topics } from '../contract/topics.ts';
import { countEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { Gateway } from '../gateway/gateway.ts';
import { listenMqtt } from '../gateway/listeners.ts';
import { createTestDb, type TestDbKind } from '../tests/helpers/test-db.ts';
import { provisionResident } from '../tests/helpers/gateway-harness.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    devices: { type: 'string', default: '50' },
    events: { type: 'string', default: '20000' },
    window: { type: 'string', default: '10' },
    sequential: { type: 'string', default: '500' },
  },
});
const kinds: TestDbKind[] = args.db === 'both' ? ['embedded', 'postgres'] : [args.db as TestDbKind];
const nDevices = Number(args.devices);
const nEvents = Number(args.events);
const window = Number(args.window);
const nSequential = Number(args.sequential);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

function connect(url: string, id: string, secret: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { username: id, password: secret, clientId: id, reconnectPeriod: 0, protocolVersion: 4 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

function publishTimed(c: MqttClient, topic: string, payload: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve(performance.now() - t0))),
  );
}

const event = (type = 'motion') => JSON.stringify({ id: randomUUID(), type, ts: new Date().toISOString(), data: {} });

async function run(kind: TestDbKind) {
  const { db, cleanup } = await createTestDb(kind);
  const logger = createLogger('warn');
  const metrics = createMetrics();
  const gateway = await Gateway.create({ db, logger, metrics, maxPayloadBytes: 16384 });
  const mqttL = await listenMqtt(gateway.aedes, { host: '127.0.0.1', port: 0, wsPort: 0, maxPacketBytes: 65536, logger, metrics });
  const url = `mqtt://127.0.0.1:${mqttL.port}`;
  try {
    const { devices } = await provisionResident(db as Db, Array.from({ length: nDevices }, () => 'motion_sensor' as const));
    const clients = await Promise.all(devices.map((d) => connect(url, d.id, d.secret)));

    // 1. idle: one device, one event at a time — the latency a lone button press sees
    const idle: number[] = [];
    for (let i = 0; i < nSequential; i++) idle.push(await publishTimed(clients[0]!, topics.deviceEvents(devices[0]!.id), event('button.pressed')));
    idle.sort((a, b) => a - b);

    // 2. load: every device keeps `window` publishes in flight until nEvents are acknowledged
    const before = await countEvents(db);
    const lat: number[] = [];
    let sent = 0;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c, i) => {
        const topic = topics.deviceEvents(devices[i]!.id);
        const lane = async () => {
          while (sent < nEvents) {
            sent++;
            lat.push(await publishTimed(c, topic, event()));
          }
        };
        await Promise.all(Array.from({ length: window }, lane));
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const stored = (await countEvents(db)) - before;
    lat.sort((a, b) => a - b);
    const batches = (await metrics.ingestBatchSize.get()).values;
    const count = batches.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const sum = batches.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    const rss = process.memoryUsage().rss / 1e6;
    for (const c of clients) c.end(true);
    return {
      database: `${kind}${db.timescale ? ' (TimescaleDB hypertable)' : ' (plain tables)'}`,
      'idle PUBACK p50': fmt(pct(idle, 50)),
      'idle PUBACK p99': fmt(pct(idle, 99)),
      'load events/s (durable)': Math.round(stored / seconds),
      'load PUBACK p50': fmt(pct(lat, 50)),
      'load PUBACK p99': fmt(pct(lat, 99)),
      'mean batch': (sum / Math.max(1, count)).toFixed(1),
      stored: `${stored}/${nEvents}`,
      'rss MB': Math.round(rss),
    };
  } finally {
    const closing = mqttL.close();
    await gateway.close();
    await closing;
    await cleanup();
  }
}

const rows = [];
for (const kind of kinds) rows.push(await run(kind));
process.stdout.write(`ingest benchmark: ${nDevices} devices, ${window} in flight each, ${nEvents} events under load, ${nSequential} sequential at idle\n`);
console.table(rows);
