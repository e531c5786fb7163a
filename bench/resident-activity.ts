// Resident activity benchmark: how long GET /api/residents/:id/activity's query takes for a
// resident whose three sensors (motion, door, bed) each sent one event a minute for the last
// 7 days (3 × 10,080 ≈ 30k rows), optionally beside `--others` residents with as many events
// each. Both ways of bucketing are timed on the same rows: TimescaleDB's time_bucket (when the
// extension is there) and the plain-SQL floor of the epoch; their answers must be equal.
//
//   node --import tsx bench/resident-activity.ts                 # embedded database
//   node --import tsx bench/resident-activity.ts --others 9      # 300k rows in the table
//   DATABASE_URL=postgres://… node --import tsx bench/resident-activity.ts   # a fresh, empty database
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../common/logger.ts';
import { activityWindow } from '../dispatch-console/core/activity-window.ts';
import { openDb } from '../db/index.ts';
import { insertArea } from '../db/queries/areas.ts';
import { insertDevice } from '../db/queries/devices.ts';
import { insertEvents, type EventRow } from '../db/queries/events.ts';
import { residentActivity } from '../db/queries/resident-activity.ts';
import { insertResident } from '../db/queries/residents.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

const { values: args } = parseArgs({
  options: { others: { type: 'string', default: '0' }, repeat: { type: 'string', default: '10' }, days: { type: 'string', default: '7' } },
});
const others = Number(args.others);
const repeat = Number(args.repeat);
const days = Number(args.days);
if (![others, repeat, days].every((n) => Number.isInteger(n) && n >= 0) || repeat < 1 || days < 1) throw new Error('--others, --repeat and --days must be whole numbers');

const url = process.env.DATABASE_URL;
const dataDir = url ? undefined : mkdtempSync(join(tmpdir(), 'homecare-bench-activity-'));
const db = await openDb({ url, dataDir: dataDir ?? '' }, createLogger('silent'));

const district = await insertArea(db, { name: 'Bench', kind: 'district', parentId: null });
const street = await insertArea(db, { name: 'Bench St', kind: 'street', parentId: district.id });
const community = await insertArea(db, { name: 'Bench Garden', kind: 'community', parentId: street.id });
const grid = await insertArea(db, { name: 'Bench Grid', kind: 'grid', parentId: community.id });

const SENSORS = [
  ['motion_sensor', ['motion']],
  ['door_sensor', ['door.opened', 'door.closed']],
  ['bed_sensor', ['bed.exit', 'bed.enter']],
] as const;
const now = Date.now();
const minutes = days * 24 * 60;
const t0 = performance.now();
let rows = 0;
const residents: string[] = [];
for (let r = 0; r <= others; r++) {
  const resident = await insertResident(db, { name: `Bench ${r}`, areaId: grid.id, address: null, phone: null, notes: null, contacts: [] });
  residents.push(resident.id);
  for (const [kind, types] of SENSORS) {
    const device = await insertDevice(db, { id: `bench-${r}-${kind}`, kind, residentId: resident.id, secretHash: 'x' });
    // one event a minute, in batches as the gateway's group commit writes them
    for (let from = 0; from < minutes; from += 2000) {
      const batch: EventRow[] = [];
      for (let m = from; m < Math.min(minutes, from + 2000); m++) {
        const eventId = String(m);
        batch.push({
          deviceId: device.id,
          eventId,
          fingerprint: createHash('sha1').update(`${device.id}/${m}`).digest('hex'),
          type: types[m % types.length]!,
          deviceTs: undefined,
          receivedAt: new Date(now - (minutes - m) * 60_000 + 17_000),
          data: {},
        });
      }
      rows += (await insertEvents(db, batch)).size;
    }
  }
}
const insertMs = performance.now() - t0;
const who = residents[0]!;

const time = async (timescale: boolean) => {
  const ms: number[] = [];
  let answer;
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    answer = await residentActivity(db, CENTRE_WIDE, who, activityWindow(new Date(), days), timescale);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)]!, max: ms.at(-1)!, answer: JSON.stringify(answer) };
};
const ways = db.timescale ? ([true, false] as const) : ([false] as const);
const results: { ts: boolean; p50: number; max: number; answer: string }[] = [];
for (const ts of ways) results.push({ ts, ...(await time(ts)) });
const same = results.every((r) => r.answer === results[0]!.answer);
const total = JSON.parse(results[0]!.answer) as { motion: number; door: number; bed: number }[];
const sum = total.reduce((n, h) => n + h.motion + h.door + h.bed, 0);

process.stdout.write(
  [
    `resident activity query, database: ${url ? 'PostgreSQL (DATABASE_URL)' : 'embedded'}, TimescaleDB: ${db.timescale ? 'yes' : 'no'}`,
    `${rows} events stored (${others + 1} resident(s) × 3 sensors × one a minute for ${days} days) in ${(insertMs / 1000).toFixed(1)} s`,
    `one resident, ${days} days (${total.length} hours, ${sum} events counted), ${repeat} runs each:`,
    ...results.map((r) => `  ${(r.ts ? 'time_bucket (hypertable)' : 'plain SQL (floor of epoch)').padEnd(28)} p50 ${r.p50.toFixed(1).padStart(7)} ms   max ${r.max.toFixed(1).padStart(7)} ms`),
    results.length > 1 ? `  same answer both ways: ${same ? 'yes' : 'NO'}` : '',
    '',
  ].join('\n'),
);
await db.close();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
if (!same) process.exitCode = 1;
