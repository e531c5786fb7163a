// Device supervision benchmark: what one sweep (dispatcher/supervision.ts) costs over 10,000
// devices, and the batched last-heard write it starts with, against writing each message's
// time on its own. The alarms themselves are not opened here (the dispatcher's path is timed by
// bench/alarm-latency.ts): the host only counts what the sweep asked for.
//
//   node --import tsx bench/supervision-sweep.ts                       # embedded database
//   node --import tsx bench/supervision-sweep.ts --devices 10000 --repeat 5
//   DATABASE_URL=postgres://… node --import tsx bench/supervision-sweep.ts   # a fresh, empty database
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '../common/clock.ts';
import { createLogger } from '../common/logger.ts';
import { openDb } from '../db/index.ts';
import { recordHeard } from '../db/queries/device-supervision.ts';
import { insertDevice } from '../db/queries/devices.ts';
import { DeviceSupervision } from '../dispatch-console/dispatcher/supervision.ts';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '10000' }, repeat: { type: 'string', default: '5' } } });
const n = Number(args.devices);
const repeat = Number(args.repeat);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(repeat) || repeat < 1) throw new Error('--devices and --repeat must be whole numbers above 0');

const url = process.env.DATABASE_URL;
const dataDir = url ? undefined : mkdtempSync(join(tmpdir(), 'homecare-bench-supervision-'));
const db = await openDb({ url, dataDir: dataDir ?? '' }, createLogger('silent'));
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const ids = Array.from({ length: n }, (_, i) => `bench-sup-${String(i).padStart(5, '0')}`);
let t0 = performance.now();
await db.withTransaction(async (tx) => {
  for (const [i, id] of ids.entries()) await insertDevice(tx, { id, kind: i % 3 === 0 ? 'motion_sensor' : 'pendant', residentId: null, secretHash: 'x' });
});
console.log(`${n} devices provisioned in ${ms(t0)} ms (${db.kind}${db.timescale ? ', TimescaleDB' : ''})`);

const clock = new ManualClock(new Date());
const asked = { raised: 0, restored: 0 };
const supervision = new DeviceSupervision({
  db,
  clock,
  logger: createLogger('silent'),
  settings: { sweepS: 5, outageMinDevices: 10 },
  host: {
    raiseTechnical: async () => void asked.raised++,
    technicalAlarm: () => undefined,
    restore: async () => void asked.restored++,
    wearerOnDuty: () => true,
  },
});

// every device heard once (a heartbeat each): one statement for all of them
const flushes: number[] = [];
for (let r = 0; r < repeat; r++) {
  for (const id of ids) supervision.heard(id);
  t0 = performance.now();
  await supervision.flush();
  flushes.push(ms(t0));
  await clock.advance(1_000);
}
console.log(`batched last-heard write, ${n} devices in one UPDATE … FROM jsonb_to_recordset: median ${median(flushes)} ms (${flushes.join(', ')})`);

// the same times written one message at a time (what a per-message write would cost)
const single = Math.min(n, 1_000);
t0 = performance.now();
for (const id of ids.slice(0, single)) await recordHeard(db, [{ id, at: clock.now() }]);
const perMessage = ms(t0) / single;
console.log(`one UPDATE per message: ${Math.round(perMessage * 1000) / 1000} ms each → ${Math.round(perMessage * n)} ms for ${n} messages`);

// a sweep with nothing to find: read every device, decide, nothing to do
const quiet: number[] = [];
for (let r = 0; r < repeat; r++) {
  t0 = performance.now();
  await supervision.sweep();
  quiet.push(ms(t0));
}
console.log(`sweep over ${n} devices, nothing found: median ${median(quiet)} ms (${quiet.join(', ')})`);

// 50 pendants silent past their limit (the rest heard): 50 flags claimed and 50 raises asked
for (const id of ids.slice(50)) supervision.heard(id);
await clock.advance(2 * 300_000);
for (const id of ids.slice(50)) supervision.heard(id);
t0 = performance.now();
const some = await supervision.sweep();
console.log(`sweep with ${some.offline} devices newly offline: ${ms(t0)} ms (raises asked: ${asked.raised})`);

// everything silent: one centre outage, not 10,000 alarms
await clock.advance(2 * 900_000);
t0 = performance.now();
const all = await supervision.sweep();
console.log(`sweep with every device silent: ${ms(t0)} ms → outage alarms asked: ${all.outage}, device alarms asked: ${all.offline}`);

await db.close();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
