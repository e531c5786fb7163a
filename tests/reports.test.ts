import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import type { Measure, ReportGrouping, ReportRow } from '../contract/reports.ts';
import { runTimescaleJob, timescalePolicyJobs } from '../db/queries/maintenance.ts';
import { hasResponseAggregate, responseTimeReport, type ReportQuery } from '../db/queries/reports.ts';
import { openEmbedded } from '../db/embedded.ts';
import { applyMigrations, loadMigrations } from '../db/migrate.ts';
import { openPostgres } from '../db/postgres.ts';
import type { Db } from '../db/types.ts';
import { reportCsv } from '../dispatch-console/console/routes/reports.ts';
import { startConsole, type ConsoleHarness } from './helpers/console-app.ts';
import { apiClient, type ApiClient } from './helpers/api-client.ts';
import { createPgDatabase, createTestDb, dbKinds, tempDir, type TestDbKind } from './helpers/test-db.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

// Fixed ids, so the expected rows below are plain constants.
const EAST = '00000000-0000-4000-8000-00000000ea57';
const WEST = '00000000-0000-4000-8000-0000000e57e5';
const LI = '00000000-0000-4000-8000-0000000000a1';
const WANG = '00000000-0000-4000-8000-0000000000a2';
const WEST_NAME = '西区, "B"'; // a comma, quotes and Chinese: the CSV must quote it

const TZ = 'Asia/Shanghai'; // UTC+8: local 2026-03-10 is [03-09T16:00Z, 03-10T16:00Z)
// Not on 15-minute boundaries: the buckets 03-09T16:00Z and 03-11T15:45Z are partial.
const PERIOD = { from: new Date('2026-03-09T16:07:00Z'), to: new Date('2026-03-11T15:52:30Z') };

interface Fixture {
  id: string;
  area: string | null;
  kind: string;
  priority: 'emergency' | 'urgent' | 'service' | 'technical';
  limits: [acceptS: number, arriveS: number];
  raised: string;
  accept?: [by: string, name: string, afterS: number];
  arriveS?: number;
  close?: ['resolved' | 'cancelled', afterS: number];
}
const EMERGENCY = { priority: 'emergency' as const, limits: [60, 1200] as [number, number] };
const alarmId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

// Times in seconds after raising; the hand-computed figures below follow from these alone.
const FIXTURES: Fixture[] = [
  { id: alarmId(1), area: EAST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-10T01:00:00Z', accept: [LI, 'Li Na', 45], arriveS: 600, close: ['resolved', 1800] },
  // accepted at exactly 60 s: within the limit; arrived after 25 min: over the 20 min limit
  { id: alarmId(2), area: EAST, kind: 'fall.detected', ...EMERGENCY, raised: '2026-03-10T02:00:00Z', accept: [LI, 'Li Na', 60], arriveS: 1500, close: ['resolved', 3000] },
  // over every limit
  { id: alarmId(3), area: WEST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-10T03:30:00Z', accept: [WANG, 'Wang Fang', 200], arriveS: 3000, close: ['resolved', 4000] },
  // cancelled before anyone accepted: not in the shares' denominator
  { id: alarmId(4), area: WEST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-10T05:00:00Z', close: ['cancelled', 30] },
  // on site, not resolved yet
  { id: alarmId(5), area: EAST, kind: 'service.request', priority: 'service', limits: [900, 86400], raised: '2026-03-11T01:00:00Z', accept: [WANG, 'Wang Fang', 300], arriveS: 2400 },
  // still open: needs an answer, so counts as not within
  { id: alarmId(6), area: WEST, kind: 'fall.detected', ...EMERGENCY, raised: '2026-03-11T06:00:00Z' },
  // no area, millisecond times, resolved without arriving
  { id: alarmId(7), area: null, kind: 'battery.low', priority: 'technical', limits: [86400, 172800], raised: '2026-03-11T07:15:00Z', accept: [LI, 'Li Na', 1.5], close: ['resolved', 600.25] },
  // in the partial first bucket (local 03-10 00:10)
  { id: alarmId(8), area: EAST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-09T16:10:00Z', accept: [LI, 'Li Na', 30], arriveS: 900, close: ['resolved', 1200] },
  // in the partial last bucket (local 03-11 23:50); cancelled after acceptance: still needed an answer
  { id: alarmId(9), area: WEST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-11T15:50:00Z', accept: [WANG, 'Wang Fang', 90], close: ['cancelled', 300] },
  // outside the period, in the same partial buckets, and far away
  { id: alarmId(10), area: EAST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-09T16:03:00Z', accept: [LI, 'Li Na', 10], close: ['resolved', 100] },
  { id: alarmId(11), area: WEST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-11T15:55:00Z' },
  { id: alarmId(12), area: EAST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-03-05T00:00:00Z', accept: [LI, 'Li Na', 20], close: ['resolved', 500] },
];

const at = (raised: string, afterS: number | undefined) => (afterS === undefined ? null : new Date(Date.parse(raised) + afterS * 1000).toISOString());

/** Opens each alarm, then moves it to its final state: both trigger paths (insert, update) run. */
async function insertAlarms(db: Db, fixtures: readonly Fixture[]): Promise<void> {
  for (const f of fixtures) {
    await db.query(
      `INSERT INTO alarms (id, device_id, area_id, lane, kind, priority, status, raised_at, resident, policy,
          accept_limit_s, arrive_limit_s, reply_code, last_event_at)
       VALUES ($1, 'pendant-1', $2, $3, $4, $5, 'open', $6, '{}', '{}', $7, $8, $9, $6)`,
      [f.id, f.area, f.priority === 'technical' ? 'technical' : 'care', f.kind, f.priority, f.raised, f.limits[0], f.limits[1], `R${f.id.slice(-6)}`],
    );
    const status = f.close?.[0] ?? (f.arriveS !== undefined ? 'on_site' : f.accept ? 'accepted' : 'open');
    await db.query(
      `UPDATE alarms SET status = $2, accepted_at = $3, accepted_by = $4, accepted_by_name = $5, arrived_at = $6, closed_at = $7 WHERE id = $1`,
      [f.id, status, at(f.raised, f.accept?.[2]), f.accept?.[0] ?? null, f.accept?.[1] ?? null, at(f.raised, f.arriveS), at(f.raised, f.close?.[1])],
    );
  }
}

async function seed(db: Db): Promise<void> {
  await db.query(`INSERT INTO areas (id, name, kind) VALUES ($1, 'Grid East', 'district'), ($2, $3, 'district')`, [EAST, WEST, WEST_NAME]);
  await db.query(`INSERT INTO caregivers (id, name) VALUES ($1, 'Li Na'), ($2, 'Wang Fang')`, [LI, WANG]);
  await insertAlarms(db, FIXTURES);
}

// ---- expected figures, worked out by hand from FIXTURES (A1…A9 are in the period) ----
const m = (count: number, p50: number | null = null, p90: number | null = null, max: number | null = null): Measure => ({ count, p50, p90, max });
// within own accept / arrive limits (every priority), then the emergency KPIs (emergency alarms only)
type Shares = [accept: number | null, arrive: number | null, s60: number | null, s180: number | null, m45: number | null, m60: number | null];
const NO_KPI = { alarms: 0, acceptedWithin60s: null, acceptedWithin180s: null, arrivedWithin45m: null, arrivedWithin60m: null };
const NO_SERVICE = { alarms: 0, acceptedWithin15m: null, doneSameDay: null };
// A5, the one service order: accepted after 5 min, on site, never resolved (its day is long over by the report's now)
const A5_SERVICE = { alarms: 1, acceptedWithin15m: 1, doneSameDay: 0 };
const row = (key: string | null, label: string, alarms: number, cu: number, accept: Measure, arrive: Measure, resolve: Measure, s: Shares, emergencies: number, service: ReportRow['kpi']['service'] = NO_SERVICE): ReportRow => {
  const emergency = { acceptedWithin60s: s[2], acceptedWithin180s: s[3], arrivedWithin45m: s[4], arrivedWithin60m: s[5] };
  return {
    key, label, alarms, cancelledUnaccepted: cu, accept, arrive, resolve, withinAcceptLimit: s[0], withinArriveLimit: s[1], ...emergency,
    kpi: { emergency: { alarms: emergencies, ...emergency }, urgent: NO_KPI, service },
  };
};
const NA = null;

// The 60 s / 180 s / 45 min / 60 min KPIs count emergencies only (A1 A2 A3 A4 A6 A8 A9; A4 was
// cancelled unaccepted, so 6 needed an answer): the service (A5) and technical (A7) alarms are
// judged only against their own limits.
const EXPECTED: Record<ReportGrouping, ReportRow[]> = {
  // accept 1.5 30 45 60 90 200 300; arrive 600 900 1500 2400 3000; resolve 600.25 1200 1800 3000 4000; 8 needed an answer
  none: [row('all', 'all', 9, 1, m(7, 60, 300, 300), m(5, 1500, 3000, 3000), m(5, 1800, 4000, 4000), [5 / 8, 3 / 8, 3 / 6, 4 / 6, 3 / 6, 4 / 6], 7, A5_SERVICE)],
  area: [
    row(EAST, 'Grid East', 4, 0, m(4, 45, 300, 300), m(4, 900, 2400, 2400), m(3, 1800, 3000, 3000), [1, 3 / 4, 1, 1, 1, 1], 3, A5_SERVICE),
    row(WEST, WEST_NAME, 4, 1, m(2, 90, 200, 200), m(1, 3000, 3000, 3000), m(1, 4000, 4000, 4000), [0, 0, 0, 1 / 3, 0, 1 / 3], 4),
    row(null, '(no area)', 1, 0, m(1, 1.5, 1.5, 1.5), m(0), m(1, 600.25, 600.25, 600.25), [1, 0, NA, NA, NA, NA], 0),
  ],
  caregiver: [
    row(LI, 'Li Na', 4, 0, m(4, 30, 60, 60), m(3, 900, 1500, 1500), m(4, 1200, 3000, 3000), [1, 2 / 4, 1, 1, 1, 1], 3),
    row(WANG, 'Wang Fang', 3, 0, m(3, 200, 300, 300), m(2, 2400, 3000, 3000), m(1, 4000, 4000, 4000), [1 / 3, 1 / 3, 0, 1 / 2, 0, 1 / 2], 2, A5_SERVICE),
    row(null, '(not accepted by a caregiver)', 2, 1, m(0), m(0), m(0), [0, 0, 0, 0, 0, 0], 2),
  ],
  kind: [
    row('button.pressed', 'button.pressed', 5, 1, m(4, 45, 200, 200), m(3, 900, 3000, 3000), m(3, 1800, 4000, 4000), [2 / 4, 2 / 4, 2 / 4, 3 / 4, 2 / 4, 3 / 4], 5),
    row('fall.detected', 'fall.detected', 2, 0, m(1, 60, 60, 60), m(1, 1500, 1500, 1500), m(1, 3000, 3000, 3000), [1 / 2, 0, 1 / 2, 1 / 2, 1 / 2, 1 / 2], 2),
    row('battery.low', 'battery.low', 1, 0, m(1, 1.5, 1.5, 1.5), m(0), m(1, 600.25, 600.25, 600.25), [1, 0, NA, NA, NA, NA], 0),
    row('service.request', 'service.request', 1, 0, m(1, 300, 300, 300), m(1, 2400, 2400, 2400), m(0), [1, 1, NA, NA, NA, NA], 0, A5_SERVICE),
  ],
  day: [
    // A8, A1, A2, A3, A4 (local 03-10); A5, A6, A7, A9 (local 03-11)
    row('2026-03-10', '2026-03-10', 5, 1, m(4, 45, 200, 200), m(4, 900, 3000, 3000), m(4, 1800, 4000, 4000), [3 / 4, 2 / 4, 3 / 4, 3 / 4, 3 / 4, 1], 5),
    row('2026-03-11', '2026-03-11', 4, 0, m(3, 90, 300, 300), m(1, 2400, 2400, 2400), m(1, 600.25, 600.25, 600.25), [2 / 4, 1 / 4, 0, 1 / 2, 0, 0], 2, A5_SERVICE),
  ],
};
const GROUPINGS = Object.keys(EXPECTED) as ReportGrouping[];
const query = (groupBy: ReportGrouping, period = PERIOD, tz = TZ): ReportQuery => ({ ...period, groupBy, tz });

describe('response-time report', () => {
  // every answer of each database, to compare them at the end
  const answers: Partial<Record<TestDbKind, unknown[]>> = {};

  describe.each(dbKinds)('on the %s database', (kind) => {
    let db: Db;
    let cleanup: () => Promise<void>;
    const seen: unknown[] = (answers[kind] = []);
    beforeAll(async () => {
      ({ db, cleanup } = await createTestDb(kind));
      await seed(db);
    });
    afterAll(() => cleanup?.());

    it('matches the hand-computed figures for every grouping, with and without the aggregate', async () => {
      expect(await hasResponseAggregate(db)).toBe(kind === 'embedded');
      for (const g of GROUPINGS) {
        const rows = await responseTimeReport(db, CENTRE_WIDE, query(g));
        expect(rows, g).toEqual(EXPECTED[g]);
        expect(await responseTimeReport(db, CENTRE_WIDE, query(g), { source: 'facts' }), g).toEqual(rows);
        seen.push(rows);
      }
    });

    it('leaves an active alarm out of a share until its limit has passed (pending is neither within nor late)', async () => {
      // A6 is the only active alarm without an answer: open, emergency (accept 60 s, arrive 20 min)
      const a6 = Date.parse('2026-03-11T06:00:00Z');
      const at = (s: number) => ({ ...query('none'), now: new Date(a6 + s * 1000) });
      for (const source of ['auto', 'facts'] as const) {
        // 30 s in: pending for every share (8 needed an answer, 7 decided; of the emergencies 6 and 5)
        expect((await responseTimeReport(db, CENTRE_WIDE, at(30), { source }))[0]).toMatchObject({
          withinAcceptLimit: 5 / 7, withinArriveLimit: 3 / 7, acceptedWithin60s: 3 / 5, acceptedWithin180s: 4 / 5, arrivedWithin45m: 3 / 5, arrivedWithin60m: 4 / 5,
        });
        // 200 s in: late for accepting (counted, not within); arriving is still undecided
        expect((await responseTimeReport(db, CENTRE_WIDE, at(200), { source }))[0]).toMatchObject({
          withinAcceptLimit: 5 / 8, withinArriveLimit: 3 / 7, acceptedWithin60s: 3 / 6, acceptedWithin180s: 4 / 6, arrivedWithin45m: 3 / 5, arrivedWithin60m: 4 / 5,
        });
        // 50 min in: past its own 20-min arrive limit and 45 min, not yet 60 min
        expect((await responseTimeReport(db, CENTRE_WIDE, at(3000), { source }))[0]).toMatchObject({ withinArriveLimit: 3 / 8, arrivedWithin45m: 3 / 6, arrivedWithin60m: 4 / 5 });
      }
    });

    it('gives the same answer from the aggregate and the facts on aligned, odd and empty periods', async () => {
      const periods = [
        { from: new Date('2026-03-09T16:00:00Z'), to: new Date('2026-03-11T16:00:00Z') }, // whole buckets: A10, A11 count
        { from: new Date('2026-03-01T00:00:01.5Z'), to: new Date('2026-03-12T00:00:00Z') },
        { from: new Date('2026-03-10T01:05:00Z'), to: new Date('2026-03-10T01:10:00Z') }, // inside one bucket
        { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-01-02T00:00:00Z') }, // nothing
      ];
      for (const period of periods) {
        const cases: Array<[ReportGrouping, string]> = [...GROUPINGS.map((g): [ReportGrouping, string] => [g, TZ]), ['day', 'Asia/Kathmandu'], ['day', 'America/St_Johns']];
        for (const [g, tz] of cases) {
          const rows = await responseTimeReport(db, CENTRE_WIDE, query(g, period, tz));
          expect(await responseTimeReport(db, CENTRE_WIDE, query(g, period, tz), { source: 'facts' })).toEqual(rows);
          seen.push(rows);
        }
      }
      expect((await responseTimeReport(db, CENTRE_WIDE, query('none', periods[0])))[0]).toMatchObject({ alarms: 11, cancelledUnaccepted: 1 });
      expect(await responseTimeReport(db, CENTRE_WIDE, query('none', periods[3]))).toEqual([row('all', 'all', 0, 0, m(0), m(0), m(0), [null, null, null, null, null, null], 0)]);
      expect(await responseTimeReport(db, CENTRE_WIDE, query('area', periods[3]))).toEqual([]);
    });

    it('judges the emergency KPIs over emergencies only, urgent apart: battery-low alarms do not make a healthy centre look late', async () => {
      // the new user's demo: every emergency accepted in 3–8 s, battery-low alarms (one-day limit) accepted after hours or still open
      const may = { from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-05-02T00:00:00Z') };
      const TECH = { priority: 'technical' as const, limits: [86400, 172800] as [number, number] };
      const fixtures: Fixture[] = [
        { id: alarmId(30), area: EAST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-05-01T01:00:00Z', accept: [LI, 'Li Na', 3], arriveS: 400, close: ['resolved', 900] },
        { id: alarmId(31), area: EAST, kind: 'button.pressed', ...EMERGENCY, raised: '2026-05-01T02:00:00Z', accept: [LI, 'Li Na', 8], arriveS: 500, close: ['resolved', 900] },
        { id: alarmId(32), area: EAST, kind: 'battery.low', ...TECH, raised: '2026-05-01T03:00:00Z', accept: [LI, 'Li Na', 7200], close: ['resolved', 9000] },
        { id: alarmId(33), area: EAST, kind: 'battery.low', ...TECH, raised: '2026-05-01T04:00:00Z' },
        { id: alarmId(34), area: EAST, kind: 'door.opened', priority: 'urgent', limits: [180, 2700], raised: '2026-05-01T05:00:00Z', accept: [LI, 'Li Na', 100], arriveS: 3000, close: ['resolved', 3600] },
      ];
      await insertAlarms(db, fixtures);
      const now = new Date('2026-05-01T06:00:00Z');
      for (const source of ['auto', 'facts'] as const) {
        const [all] = await responseTimeReport(db, CENTRE_WIDE, { ...may, groupBy: 'none', tz: TZ, now }, { source });
        expect(all).toMatchObject({
          alarms: 5,
          acceptedWithin60s: 1, acceptedWithin180s: 1, arrivedWithin45m: 1, arrivedWithin60m: 1,
          kpi: {
            emergency: { alarms: 2, acceptedWithin60s: 1, acceptedWithin180s: 1, arrivedWithin45m: 1, arrivedWithin60m: 1 },
            urgent: { alarms: 1, acceptedWithin60s: 0, acceptedWithin180s: 1, arrivedWithin45m: 0, arrivedWithin60m: 1 },
          },
        });
        // the battery-low alarms are judged against their own one-day limit: one within, one still pending
        expect(all!.withinAcceptLimit).toBe(4 / 4);
      }
    });

    it('follows changes made after a report, and keeps the caregiver of a deleted caregiver row', async () => {
      const april = { from: new Date('2026-04-01T00:00:00Z'), to: new Date('2026-04-02T00:00:00Z') };
      const temp = '00000000-0000-4000-8000-0000000000a3';
      await db.query(`INSERT INTO caregivers (id, name) VALUES ($1, 'Temp Worker')`, [temp]);
      const raised = '2026-04-01T08:00:00Z';
      await insertAlarms(db, [{ id: alarmId(20), area: EAST, kind: 'fall.detected', ...EMERGENCY, raised }]);
      expect((await responseTimeReport(db, CENTRE_WIDE, query('caregiver', april)))[0]).toMatchObject({ key: null, alarms: 1, accept: m(0) });
      // the hourly refresh policy (embedded: runtime/maintenance.ts runs it) materialises it open
      if (db.timescale) for (const job of await timescalePolicyJobs(db)) if (job.proc === 'policy_refresh_continuous_aggregate') await runTimescaleJob(db, job.jobId);
      // accepted after its bucket was materialised: the report must not lag
      await db.query(`UPDATE alarms SET status = 'accepted', accepted_at = $2, accepted_by = $3, accepted_by_name = 'Temp Worker' WHERE id = $1`, [alarmId(20), at(raised, 50), temp]);
      await db.query('DELETE FROM caregivers WHERE id = $1', [temp]); // alarms.accepted_by becomes NULL
      const rows = await responseTimeReport(db, CENTRE_WIDE, query('caregiver', april));
      expect(rows).toEqual([row(temp, 'Temp Worker', 1, 0, m(1, 50, 50, 50), m(0), m(0), [1, 0, 1, 1, 0, 0], 1)]);
      seen.push(rows);
    });

    // (defined per database, never skipped: a skipped test fails CI)
    if (kind !== 'embedded') {
      it('has no continuous aggregate on plain PostgreSQL: the same report comes from the fact table', async () => {
        expect(await hasResponseAggregate(db)).toBe(false);
        expect((await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).rowCount).toBe(0);
        expect((await db.query(`SELECT to_regclass('alarm_responses') IS NOT NULL AS present`)).rows).toEqual([{ present: true }]);
        expect(await responseTimeReport(db, CENTRE_WIDE, query('none'))).toEqual(EXPECTED.none);
      });
    } else it('reads whole buckets from a real-time continuous aggregate and partial edge buckets from the facts', async () => {
      const cagg = await db.query(
        `SELECT materialized_only FROM timescaledb_information.continuous_aggregates WHERE view_name = 'alarm_responses_15m' AND hypertable_name = 'alarm_responses'`,
      );
      expect(cagg.rows).toEqual([{ materialized_only: false }]);
      expect((await db.query(`SELECT 1 FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'`)).rowCount).toBe(1);
      await responseTimeReport(db, CENTRE_WIDE, query('none')); // materialises the period

      // Take the facts of A1 (in a whole bucket) and A8 (in the partial first bucket) away
      // behind TimescaleDB's back: with triggers off no invalidation is logged, so the aggregate
      // still counts A1, while A8, counted from the facts, is gone.
      const ids = [alarmId(1), alarmId(8)];
      const saved = (await db.query('SELECT * FROM alarm_responses WHERE alarm_id = ANY($1::uuid[])', [ids])).rows;
      await db.query('SET session_replication_role = replica');
      try {
        await db.query('DELETE FROM alarm_responses WHERE alarm_id = ANY($1::uuid[])', [ids]);
        const [tampered] = await responseTimeReport(db, CENTRE_WIDE, query('none'));
        // percentiles read the facts: accept 1.5 60 90 200 300 left → p50 90 s
        expect(tampered).toMatchObject({ alarms: 8, accept: m(6, 90, 300, 300), resolve: m(4, 3000, 4000, 4000) });
        expect((await responseTimeReport(db, CENTRE_WIDE, query('none'), { source: 'facts' }))[0]!.alarms).toBe(7);
        await db.query(`INSERT INTO alarm_responses SELECT * FROM jsonb_populate_recordset(NULL::alarm_responses, $1::jsonb)`, [JSON.stringify(saved)]);
      } finally {
        await db.query('SET session_replication_role = origin');
      }
      expect(await responseTimeReport(db, CENTRE_WIDE, query('none'))).toEqual(EXPECTED.none);
    });
  });

  it('answers identically on the embedded database and PostgreSQL', () => {
    expect(answers.embedded!.length).toBeGreaterThan(30);
    expect(answers.postgres).toEqual(answers.embedded);
  });
});

describe.each(dbKinds)('migration 005 on a %s database that already has alarms', (kind) => {
  it('backfills their facts', async () => {
    const logger = createLogger('silent');
    const dir = tempDir('homecare-report-');
    const pgDb = kind === 'postgres' ? await createPgDatabase() : undefined;
    const db = pgDb ? await openPostgres(pgDb.url, logger) : await openEmbedded(dir.path, logger);
    try {
      const before = loadMigrations().filter((mig) => mig.version < 5);
      await applyMigrations(db, logger, before);
      await seed(db); // no trigger yet: only the migration's backfill can see these
      await applyMigrations(db, logger);
      expect(await responseTimeReport(db, CENTRE_WIDE, query('caregiver'))).toEqual(EXPECTED.caregiver);
    } finally {
      await db.close();
      await pgDb?.drop();
      dir.remove();
    }
  });
});

describe('GET /api/reports/response-times', () => {
  let h: ConsoleHarness;
  let api: ApiClient;
  const url = (params: Record<string, string>) => `/api/reports/response-times?${new URLSearchParams(params)}`;
  const period = { from: PERIOD.from.toISOString(), to: '2026-03-11T23:52:30+08:00' };

  beforeAll(async () => {
    h = await startConsole('embedded');
    api = apiClient(h.app, h.adminToken);
    await seed(h.db);
  });
  afterAll(() => h?.close());

  it('answers JSON rows for operators, with the last 7 days by local day as the default', async () => {
    expect((await api.post('/api/users', { username: 'op-report', password: 'operator-pass', role: 'operator' })).status).toBe(201);
    const op = apiClient(h.app, await apiClient(h.app).login('op-report', 'operator-pass'));
    const res = await op.get(url({ ...period, groupBy: 'area' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(EXPECTED.area);

    const raised = new Date(Date.now() - 3600_000).toISOString();
    await insertAlarms(h.db, [{ id: alarmId(30), area: EAST, kind: 'fall.detected', ...EMERGENCY, raised }]);
    const byDay = await op.get('/api/reports/response-times');
    expect(byDay.status).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }).format(new Date(raised));
    expect(byDay.body).toEqual([expect.objectContaining({ key: today, label: today, alarms: 1, cancelledUnaccepted: 0 })]);
  });

  it('answers CSV with a BOM, a header, one quoted line per row and a file name', async () => {
    const res = await h.app.inject({ method: 'GET', url: url({ ...period, groupBy: 'area', format: 'csv' }), headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="response-times-20260309T160700Z-20260311T155230Z-area.csv"');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.rawPayload.subarray(3).toString('utf8').split('\r\n')).toEqual([
      'key,label,alarms,cancelled_unaccepted,accept_count,accept_p50_s,accept_p90_s,accept_max_s,arrive_count,arrive_p50_s,arrive_p90_s,arrive_max_s,' +
        'resolve_count,resolve_p50_s,resolve_p90_s,resolve_max_s,within_accept_limit_pct,within_arrive_limit_pct,' +
        'emergency_alarms,emergency_accepted_within_60s_pct,emergency_accepted_within_180s_pct,emergency_arrived_within_45m_pct,emergency_arrived_within_60m_pct,' +
        'urgent_alarms,urgent_accepted_within_60s_pct,urgent_accepted_within_180s_pct,urgent_arrived_within_45m_pct,urgent_arrived_within_60m_pct,' +
        'service_orders,service_accepted_within_15m_pct,service_done_same_day_pct',
      `${EAST},Grid East,4,0,4,45,300,300,4,900,2400,2400,3,1800,3000,3000,100,75,3,100,100,100,100,0,,,,,1,100,0`,
      `${WEST},"西区, ""B""",4,1,2,90,200,200,1,3000,3000,3000,1,4000,4000,4000,0,0,4,0,33.3,0,33.3,0,,,,,0,,`,
      ',(no area),1,0,1,1.5,1.5,1.5,0,,,,1,600.25,600.25,600.25,100,0,0,,,,,0,,,,,0,,',
      '',
    ]);
    // a label a spreadsheet would run as a formula is defused
    expect(reportCsv([{ ...EXPECTED.none[0]!, label: '=HYPERLINK("x")' }]).split('\r\n')[1]).toMatch(/^all,"'=HYPERLINK\(""x""\)",9,/);
  });

  it('refuses bad input with 400 and a JSON error', async () => {
    const bad: Array<Record<string, string>> = [
      { ...period, from: period.to, to: period.from }, // from after to
      { from: '2026-03-10T00:00:00Z', to: '2026-03-10T00:00:00Z' }, // empty period
      { from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, // over 400 days
      { from: '2099-01-01T00:00:00Z' }, // to defaults to now: from is after it
      { groupBy: 'week' },
      { format: 'xml' },
      { grouping: 'area' }, // unknown parameter
      { from: 'yesterday' },
      { to: '2026-02-30T00:00:00Z' },
    ];
    for (const params of bad) {
      const res = await api.get(url(params));
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body, JSON.stringify(params)).toMatchObject({ error: expect.any(String), code: 'validation_failed' });
    }
  });

  it('is for operators: 403 for a caregiver, 401 without a token', async () => {
    const created = await api.post('/api/users', { username: 'cg-report', password: 'caregiver-pass', role: 'caregiver', caregiverId: LI });
    expect(created.status).toBe(201);
    const caregiver = apiClient(h.app, await apiClient(h.app).login('cg-report', 'caregiver-pass'));
    expect((await caregiver.get(url(period))).status).toBe(403);
    const anonymous = await apiClient(h.app, undefined).get(url(period));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: expect.any(String) });
  });
});
