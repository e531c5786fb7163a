import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { openDb } from '../db/index.ts';
import { applyMigrations, loadMigrations } from '../db/migrate.ts';
import { insertEvents, listDeviceEvents } from '../db/queries/events.ts';
import { tryTakeLease } from '../db/queries/maintenance.ts';
import type { Db } from '../db/types.ts';
import { DEDUP_WINDOW_MS, maintenanceJobs } from '../runtime/maintenance.ts';
import { provisionResident } from './helpers/gateway-harness.ts';
import { createTestDb, dbKinds, tempDir } from './helpers/test-db.ts';

const logger = createLogger('silent');

describe.each(dbKinds)('database on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb(kind));
  });
  afterAll(() => cleanup?.());

  it('records every migration once, and applying again changes nothing', async () => {
    const all = loadMigrations();
    const rows = (await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
    expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
    const again = await db.withTransaction(async (tx) =>
      applyMigrations({ ...tx, exec: async (sql) => void (await tx.query(sql)) }, logger),
    );
    expect(again).toEqual([]);
  });

  it(kind === 'embedded' ? 'keeps events in a TimescaleDB hypertable' : 'falls back to a plain events table', async () => {
    expect(db.timescale).toBe(kind === 'embedded');
    if (kind === 'embedded') {
      const ht = await db.query(`SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'events'`);
      expect(ht.rowCount).toBe(1);
    } else {
      const idx = await db.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'events_received_brin'`);
      expect(idx.rowCount).toBe(1);
    }
  });

  it('stores a batch once even when it repeats keys, and rolls back a failed transaction whole', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!.id;
    const row = (eventId: string) => ({ deviceId: dev, eventId, type: 'motion', fingerprint: 'f', deviceTs: undefined, receivedAt: new Date(), data: { n: 1 } });
    const stored = await insertEvents(db, [row('a'), row('b'), row('a')]);
    expect(stored.size).toBe(2);
    expect((await insertEvents(db, [row('a'), row('c')])).size).toBe(1);
    await expect(
      db.withTransaction(async (tx) => {
        await insertEvents(tx, [row('d')]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await listDeviceEvents(db, dev)).map((e) => e.eventId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('prunes dedup keys past the window and expired sessions; one instance holds a job lease', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!.id;
    const old = new Date(Date.now() - DEDUP_WINDOW_MS - 3_600_000);
    await insertEvents(db, [
      { deviceId: dev, eventId: 'old', type: 'motion', fingerprint: 'f', deviceTs: undefined, receivedAt: old, data: {} },
      { deviceId: dev, eventId: 'new', type: 'motion', fingerprint: 'f', deviceTs: undefined, receivedAt: new Date(), data: {} },
    ]);
    const jobs = maintenanceJobs(db, logger);
    expect(jobs.some((j) => j.name === 'timescale-policies')).toBe(kind === 'embedded');
    const results = Object.fromEntries(await Promise.all(jobs.map(async (j) => [j.name, await j.run()] as const)));
    expect(results['prune-dedup-keys']!.deleted).toBeGreaterThanOrEqual(1);
    const keys = await db.query<{ event_id: string }>('SELECT event_id FROM event_keys WHERE device_id = $1', [dev]);
    expect(keys.rows.map((r) => r.event_id)).toEqual(['new']);
    if (kind === 'embedded') expect(results['timescale-policies']!.ran).toBeGreaterThanOrEqual(1);

    expect(await tryTakeLease(db, 'job-x', 'one', 60_000)).toBe(true);
    expect(await tryTakeLease(db, 'job-x', 'two', 60_000)).toBe(false);
    expect(await tryTakeLease(db, 'job-y', 'two', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await tryTakeLease(db, 'job-y', 'one', 60_000)).toBe(true); // expired: taken over
  });
});

describe('embedded database files', () => {
  // In a child process: the trap is real WASM memory corruption inside PGlite, and once (under
  // load, in the full suite) it took the whole test worker down with a V8 fatal error instead of
  // the clean path. Either way the process must not go on with a broken database.
  it('ends loudly when a WASM trap leaves PGlite unusable', async () => {
    const dir = tempDir();
    const at = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    const script = `
      import { openDb } from ${at('../db/index.ts')};
      import { createLogger } from ${at('../common/logger.ts')};
      let fatal;
      const db = await openDb({ url: undefined, dataDir: ${JSON.stringify(join(dir.path, 'data'))}, onFatal: (e) => (fatal = e) }, createLogger('silent'));
      const said = (p) => p.then(() => 'answered', (e) => e.message);
      console.log('trap: ' + (await said(db.query('SELECT $1::jsonb AS j', ['['.repeat(3000) + ']'.repeat(3000)]))));
      for (let i = 0; i < 600 && !fatal; i++) await new Promise((r) => setTimeout(r, 50));
      console.log('fatal: ' + (fatal ? fatal.message : 'none'));
      console.log('after: ' + (await said(db.query('SELECT 1'))));
      await db.close();`;
    try {
      const child = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
        const file = join(dir.path, 'trap.mts');
        writeFileSync(file, script);
        const p = execFile(process.execPath, ['--import', 'tsx', file], { timeout: 90_000 }, (_err, stdout, stderr) =>
          resolve({ code: p.exitCode, signal: p.signalCode, stdout, stderr }),
        );
      });
      if (child.code === 0) {
        // the clean path: the query fails, the worker ends, the service is told (it exits for its supervisor)
        expect(child.stdout).toMatch(/^trap: .*memory access out of bounds/m);
        expect(child.stdout).toMatch(/^fatal: embedded database is gone$/m);
        expect(child.stdout).toMatch(/^after: .*(closed|gone)/m);
      } else {
        // V8 gave up inside the trap: the process is gone all the same, and says so
        expect(child.stdout).not.toMatch(/^after: answered/m);
        expect(`${child.signal ?? ''} ${child.stderr}`).toMatch(/^SIG|# Fatal error/m);
      }
    } finally {
      dir.remove();
    }
  });

  it('reopens a data dir with TimescaleDB loaded (compressed chunks readable), and refuses a second opener', async () => {
    const dir = tempDir();
    try {
      const first = await openDb({ url: undefined, dataDir: dir.path }, logger);
      await expect(openDb({ url: undefined, dataDir: dir.path }, logger)).rejects.toThrow(/already open in this process/);
      const { devices } = await provisionResident(first);
      const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
      await insertEvents(first, [{ deviceId: devices[0]!.id, eventId: '1', type: 'motion', fingerprint: 'f', deviceTs: undefined, receivedAt: tenDaysAgo, data: {} }]);
      const policies = maintenanceJobs(first, logger).find((j) => j.name === 'timescale-policies')!;
      await policies.run(); // compresses the 10-day-old chunk
      const compressed = await first.query(`SELECT 1 FROM timescaledb_information.chunks WHERE hypertable_name = 'events' AND is_compressed`);
      expect(compressed.rowCount).toBe(1);
      await first.close();

      const again = await openDb({ url: undefined, dataDir: dir.path }, logger);
      try {
        expect(again.timescale).toBe(true);
        await insertEvents(again, [{ deviceId: devices[0]!.id, eventId: '2', type: 'motion', fingerprint: 'f', deviceTs: undefined, receivedAt: new Date(), data: {} }]);
        expect((await listDeviceEvents(again, devices[0]!.id)).map((e) => e.eventId).sort()).toEqual(['1', '2']);
      } finally {
        await again.close();
      }
    } finally {
      dir.remove();
    }
  });
});
