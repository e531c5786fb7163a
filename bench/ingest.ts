// Ingest benchmark: durable events/s into each database, and PUBACK latency (a PUBACK is
// sent only after the commit). Real broker and databases here; real MQTT clients over TCP in a
// separate process (bench/publisher.ts), so the two share the machine, not an event loop.
//   npm run bench                  both databases
//   npm run bench -- --db embedded --devices 50 --events 20000
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
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

async function run(kind: TestDbKind) {
  const { db, cleanup } = await createTestDb(kind);
  const logger = createLogger('warn');
  const metrics = createMetrics();
  const gateway = await Gateway.create({ db, logger, metrics, maxPayloadBytes: 16384 });
  const mqttL = await listenMqtt(gateway.aedes, { host: '127.0.0.1', port: 0, wsPort: 0, maxPacketBytes: 65536, logger, metrics });
  const url = `mqtt://127.0.0.1:${mqttL.port}`;
  try {
    const { devices } = await provisionResident(db as Db, Array.from({ length: nDevices }, () => 'motion_sensor' as const));
    const before = await countEvents(db);
    const job = { url, devices: devices.map((d) => ({ id: d.id, secret: d.secret })), events: nEvents, window, sequential: nSequential };
    // async: the broker under test must keep serving while the publisher runs
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./publisher.ts', import.meta.url)), JSON.stringify(job)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const result = JSON.parse(out) as { idle: number[]; load: number[]; seconds: number };
    const idle = result.idle.sort((a, b) => a - b);
    const lat = result.load.sort((a, b) => a - b);
    const seconds = result.seconds;
    const stored = (await countEvents(db)) - before;
    const batches = (await metrics.ingestBatchSize.get()).values;
    const count = batches.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const sum = batches.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    const rss = process.memoryUsage().rss / 1e6; // broker + main thread + (embedded) database worker
    return {
      database: `${kind}${db.timescale ? ' (TimescaleDB hypertable)' : ' (plain tables)'}`,
      'idle PUBACK p50': fmt(pct(idle, 50)),
      'idle PUBACK p99': fmt(pct(idle, 99)),
      'load events/s (durable)': Math.round(lat.length / seconds),
      'load PUBACK p50': fmt(pct(lat, 50)),
      'load PUBACK p99': fmt(pct(lat, 99)),
      'mean batch': (sum / Math.max(1, count)).toFixed(1),
      'stored/acked': `${stored}/${nEvents + nSequential}`,
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
