// Report query benchmark: how long GET /api/reports/response-times takes to compute, by grouping,
// from the continuous aggregate (TimescaleDB) and from the facts alone, over N synthetic alarms
// spread over the last 30 days (one every 30 days / N). The first report after the inserts also
// materialises the aggregate's buckets; it is shown apart ("first").
//
//   npm run bench:reports                       # embedded database, 20,000 alarms
//   npm run bench:reports -- --alarms 100000
//   DATABASE_URL=postgres://… npm run bench:reports   # a fresh, empty database: it creates tables
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReportGrouping } from '../contract/reports.ts';
import { createLogger } from '../common/logger.ts';
import { openDb } from '../db/index.ts';
import { hasResponseAggregate, responseTimeReport } from '../db/queries/reports.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

const { values: args } = parseArgs({ options: { alarms: { type: 'string', default: '20000' }, repeat: { type: 'string', default: '5' } } });
const nAlarms = Number(args.alarms);
const repeat = Number(args.repeat);
if (!Number.isInteger(nAlarms) || nAlarms < 1 || !Number.isInteger(repeat) || repeat < 1) throw new Error('--alarms and --repeat must be whole numbers above 0');

const url = process.env.DATABASE_URL;
const dataDir = url ? undefined : mkdtempSync(join(tmpdir(), 'homecare-bench-reports-'));
const db = await openDb({ url, dataDir: dataDir ?? '' }, createLogger('silent'));
const spacingS = Math.max(1, Math.floor((30 * 86400) / nAlarms));
const t0 = performance.now();
// accepted 10–130 s, arrived 5–35 min, resolved after an hour; three kinds
await db.query(
  `INSERT INTO alarms (id, device_id, lane, kind, priority, status, raised_at, accepted_at, arrived_at, closed_at, resident, policy,
                       accept_limit_s, arrive_limit_s, reply_code, last_event_at)
   SELECT gen_random_uuid(), 'bench', 'care', (ARRAY['button.pressed', 'fall.detected', 'service.request'])[1 + i % 3], 'emergency', 'resolved',
          now() - i * $2 * interval '1 second', now() - i * $2 * interval '1 second' + (10 + i % 120) * interval '1 second',
          now() - i * $2 * interval '1 second' + (300 + i % 1800) * interval '1 second', now() - i * $2 * interval '1 second' + interval '1 hour',
          '{}', '{}', 60, 1200, 'B' || i, now()
     FROM generate_series(1, $1::int) i`,
  [nAlarms, spacingS],
);
const insertMs = performance.now() - t0;
const aggregate = await hasResponseAggregate(db);
const period = { from: new Date(Date.now() - 30 * 86400_000), to: new Date(), tz: 'Asia/Shanghai' };

const time = async (groupBy: ReportGrouping, source: 'auto' | 'facts') => {
  const t = performance.now();
  await responseTimeReport(db, CENTRE_WIDE, { ...period, groupBy }, { source });
  return performance.now() - t;
};
const first = await time('day', 'auto');
const lines: string[] = [];
for (const groupBy of ['day', 'area', 'caregiver', 'kind', 'none'] as const) {
  for (const source of aggregate ? (['auto', 'facts'] as const) : (['facts'] as const)) {
    const ms: number[] = [];
    for (let i = 0; i < repeat; i++) ms.push(await time(groupBy, source));
    ms.sort((a, b) => a - b);
    lines.push(`${groupBy.padEnd(10)} ${(source === 'auto' ? 'aggregate + facts' : 'facts only').padEnd(18)} ${ms[Math.floor(ms.length / 2)]!.toFixed(1).padStart(8)} ${ms.at(-1)!.toFixed(1).padStart(8)}`);
  }
}
process.stdout.write(
  [
    `report query, ${nAlarms} alarms over 30 days (inserted in ${insertMs.toFixed(0)} ms), database: ${url ? 'PostgreSQL (DATABASE_URL)' : 'embedded'}, continuous aggregate: ${aggregate ? 'yes' : 'no'}`,
    `first report (materialises the buckets): ${first.toFixed(1)} ms`,
    `${'groupBy'.padEnd(10)} ${'source'.padEnd(18)} ${'p50 ms'.padStart(8)} ${'max ms'.padStart(8)}   (${repeat} runs each, 30-day period)`,
    ...lines,
    '',
  ].join('\n'),
);
await db.close();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
