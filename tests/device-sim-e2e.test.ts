import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { countEvents } from '../db/queries/events.ts';
import { provisionCentre, runTraffic } from '../device-sim/index.ts';
import type { RunningService } from '../runtime/service.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { ADMIN } from './helpers/api-client.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { createPgDatabase, tempDir } from './helpers/test-db.ts';

// The simulator against the assembled service: what `npm run demo` does, bounded.
describe('device simulator against the running service', () => {
  let service: RunningService;
  let dropDb: () => Promise<void>;
  const dir = tempDir();
  const logger = createLogger('silent');

  beforeAll(async () => {
    const db = await createPgDatabase();
    dropDb = db.drop;
    service = await startTestService({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await service?.close();
    await dropDb?.();
    dir.remove();
  });

  it('provisions a centre idempotently; its traffic is stored; a clean stop reports devices offline', async () => {
    const opts = { httpUrl: service.httpUrl, ...ADMIN, residents: 12, statePath: join(dir.path, 'sim.json'), logger };
    const first = await provisionCentre(opts);
    expect(first.devices.length).toBeGreaterThanOrEqual(24); // a pendant and at least one sensor each
    expect(first.wearables.length).toBeGreaterThanOrEqual(2);
    const again = await provisionCentre(opts);
    expect(again.devices.map((d) => d.id).sort()).toEqual(first.devices.map((d) => d.id).sort());
    const residents = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM residents');
    expect(residents.rows[0]!.n).toBe(12);

    const before = await countEvents(service.db);
    const traffic = runTraffic({
      mqttUrl: service.mqttUrl,
      devices: first.devices,
      wearables: first.wearables,
      // slow enough that every device has connected before the 150th event, even on a busy machine
      ratePerSecond: 30,
      connectsPerSecond: 500,
      maxMessages: 150,
      buttonPressProbability: 0.05,
      logger,
    });
    await traffic.done;
    const stats = traffic.stats();
    expect(stats.errors).toBe(0);
    expect(stats.acked).toBe(150);
    expect(stats.peakConnected).toBe(first.devices.length + first.wearables.length);
    // acknowledged means committed
    expect((await countEvents(service.db)) - before).toBe(150);
    await traffic.stop();
    const online = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices WHERE online');
    expect(online.rows[0]!.n).toBe(0); // a clean stop reports every device offline
  });

  it('simulated wrists answer the dispatcher: presses become alarms that are accepted, reached and resolved', async () => {
    const opts = { httpUrl: service.httpUrl, ...ADMIN, residents: 12, statePath: join(dir.path, 'sim.json'), logger };
    const centre = await provisionCentre(opts);
    const fast = [30, 80] as const;
    const traffic = runTraffic({
      mqttUrl: service.mqttUrl,
      devices: centre.devices,
      wearables: centre.wearables,
      // The traffic (and the wrists with it) runs until an alarm is seen through: reaching
      // maxMessages stops every client, so waiting for `done` first left alarms raised late in
      // the run (most of them, on a busy machine) with no wrist to answer them. The rate is the
      // old one's churn per second or less (see the closing note of issue 13 on outage mode).
      ratePerSecond: 20,
      maxMessages: 600,
      buttonPressProbability: 0.3,
      wearableTiming: { accept: fast, arrive: fast, resolve: fast, decline: fast },
      logger,
    });
    try {
      const resolved = await waitFor(async () => {
        const r = await service.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM alarms WHERE status = 'resolved' AND outcome = 'assisted' AND accepted_by IS NOT NULL AND arrived_at IS NOT NULL`,
        );
        return r.rows[0]!.n > 0 && r.rows[0]!.n;
      }, 30_000, 100);
      expect(resolved).toBeGreaterThan(0);
      expect(traffic.stats().wearableAcks).toBeGreaterThanOrEqual(3); // accept, arrived, resolve
    } catch (err) {
      // when it fails, say what the alarms and wrists did
      const alarms = await service.db.query(
        `SELECT kind, status, outcome, accepted_by IS NOT NULL AS accepted, arrived_at IS NOT NULL AS arrived, raised_at, (SELECT string_agg(code, ',' ORDER BY at) FROM alarm_timeline t WHERE t.alarm_id = alarms.id) AS timeline FROM alarms ORDER BY raised_at`,
      );
      throw new Error(`${(err as Error).message}; traffic ${JSON.stringify(traffic.stats())}; alarms ${JSON.stringify(alarms.rows)}`);
    } finally {
      await traffic.stop();
    }
  });

  it('leaves no trace of a wrong login', async () => {
    await expect(
      provisionCentre({ httpUrl: service.httpUrl, username: 'admin', password: randomUUID(), residents: 1, statePath: join(dir.path, 'x.json'), logger }),
    ).rejects.toThrow(/401|login|password/i);
  });
});
