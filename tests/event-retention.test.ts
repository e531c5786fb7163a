import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { insertEvents } from '../db/queries/events.ts';
import { applyEventRetentionPolicy } from '../db/queries/retention.ts';
import type { Db } from '../db/types.ts';
import { maintenanceJobs } from '../runtime/maintenance.ts';
import { provisionResident } from './helpers/gateway-harness.ts';
import { createTestDb } from './helpers/test-db.ts';

/**
 * Sensor events live only as long as the centre's policy says: on TimescaleDB by a retention
 * policy (run by the maintenance job inside PGlite), on plain PostgreSQL by a daily delete.
 */
describe.each(['embedded', 'postgres'] as const)('sensor event retention on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb(kind));
  });
  afterAll(async () => cleanup?.());

  it('events older than the retention are gone after the job; younger ones stay', async () => {
    const logger = createLogger('silent');
    const { devices } = await provisionResident(db);
    const dev = devices[0]!.id;
    const day = 86_400_000;
    await insertEvents(db, [
      { deviceId: dev, eventId: 'old', type: 'motion', fingerprint: 'f1', deviceTs: undefined, receivedAt: new Date(Date.now() - 45 * day), data: {} },
      { deviceId: dev, eventId: 'recent', type: 'motion', fingerprint: 'f2', deviceTs: undefined, receivedAt: new Date(Date.now() - 2 * day), data: {} },
    ]);
    const byPolicy = await applyEventRetentionPolicy(db, 30);
    expect(byPolicy).toBe(db.timescale); // TimescaleDB: its policy; plain PostgreSQL: the delete job
    const jobs = maintenanceJobs(db, logger, undefined, () => new Date(), { eventDays: 30, eventPolicy: () => byPolicy });
    const retention = jobs.find((j) => j.name === 'event-retention')!;
    expect(await retention.run()).toEqual(byPolicy ? { byPolicy: 1 } : { deleted: 1 });
    if (kind === 'embedded') await jobs.find((j) => j.name === 'timescale-policies')!.run(); // what the server's workers do
    const left = await db.query<{ event_id: string }>('SELECT event_id FROM events WHERE device_id = $1 ORDER BY event_id', [dev]);
    expect(left.rows.map((r) => r.event_id)).toEqual(['recent']);
    // applied again (a restart, maybe with another setting): replaced, not stacked
    expect(await applyEventRetentionPolicy(db, 60)).toBe(byPolicy);
    if (db.timescale) {
      const n = await db.query(`SELECT 1 FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' AND hypertable_name = 'events'`);
      expect(n.rowCount).toBe(1);
    }
  });
});
