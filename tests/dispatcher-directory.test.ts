import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { openDb } from '../db/index.ts';
import { insertArea } from '../db/queries/areas.ts';
import { insertCaregiver } from '../db/queries/caregivers.ts';
import { insertShift } from '../db/queries/shifts.ts';
import { DispatchDirectory } from '../dispatch-console/dispatcher/directory.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { createPgDatabase } from './helpers/test-db.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Two instances sharing one PostgreSQL: a shift added through one is routed by the other at
// once (NOTIFY), not at the next periodic refresh.
describe('routing directory across instances', () => {
  it('hears of another instance’s change through NOTIFY, and a burst of refreshes reads the latest state', async () => {
    const pg = await createPgDatabase();
    cleanups.push(pg.drop);
    const open = async () => {
      const db = await openDb({ url: pg.url, dataDir: '' }, logger);
      cleanups.push(() => db.close());
      return db;
    };
    const dbA = await open();
    const dbB = await open();
    const a = new DispatchDirectory(dbA);
    const b = new DispatchDirectory(dbB);
    cleanups.push(a.follow(logger), b.follow(logger));
    await Promise.all([a.refresh(), b.refresh()]);
    await new Promise((r) => setTimeout(r, 200)); // both LISTENs in place

    const grid = await insertArea(dbA, { name: 'Grid N', kind: 'grid', parentId: null });
    const c = await insertCaregiver(dbA, CENTRE_WIDE, { name: 'Sun Li', phone: '+8613700009999', wearableId: null, role: 'caregiver', areaIds: [grid.id] });
    await insertShift(dbA, { caregiverId: c.id, start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 3600_000) });
    const t0 = Date.now();
    await a.changed();
    expect(a.isOnDuty(c.id, new Date())).toBe(true);
    await waitFor(async () => b.isOnDuty(c.id, new Date()), 3_000, 10);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(b.caregiverByPhone('+86 137 0000 9999')?.id).toBe(c.id);

    // refreshes called together share reads, and each resolves with what was written before it
    const later = await insertCaregiver(dbA, CENTRE_WIDE, { name: 'Zhou Yu', phone: null, wearableId: null, role: 'supervisor', areaIds: [grid.id] });
    await Promise.all(Array.from({ length: 10 }, () => a.refresh()));
    expect(a.caregiver(later.id)?.role).toBe('supervisor');
  });
});
