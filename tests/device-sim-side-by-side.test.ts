import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { ApiClient, DEMO_SIM_PREFIX, provisionCentre, runSimulation, runTraffic } from '../device-sim/index.ts';
import type { RunningService } from '../runtime/service.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { ADMIN } from './helpers/api-client.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { createPgDatabase, tempDir } from './helpers/test-db.ts';

// Issue 9, bug 1: `npm run sim` beside a running demo took the demo's devices away, sent its
// traffic to another broker on 1883 and still reported it acknowledged.
describe('two simulators against one service', () => {
  let service: RunningService;
  let dropDb: () => Promise<void>;
  const dir = tempDir();
  const logger = createLogger('silent');
  const refusedTotal = async () => (await service.metrics.mqttConnectRefused.get()).values.reduce((n, v) => n + v.value, 0);

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

  it("the CLI's simulator beside the demo's: its own devices and people, the service's real broker, nothing of the demo's taken", async () => {
    const demoState = join(dir.path, 'demo', 'sim-state.json');
    const demo = await provisionCentre({ httpUrl: service.httpUrl, ...ADMIN, residents: 8, prefix: DEMO_SIM_PREFIX, statePath: demoState, logger });
    const demoTraffic = runTraffic({
      mqttUrl: service.mqttUrl,
      devices: demo.devices,
      wearables: demo.wearables,
      ratePerSecond: 20,
      buttonPressProbability: 0,
      renewSecret: demo.renewSecret,
      logger,
    });
    const demoCount = demo.devices.length + demo.wearables.length;
    try {
      await waitFor(async () => demoTraffic.stats().connected === demoCount);

      // no --mqtt: the simulator asks the service where its broker is
      const cli = await runSimulation({
        httpUrl: service.httpUrl,
        ...ADMIN,
        residents: 6,
        statePath: join(dir.path, 'sim-state-sim.json'),
        rate: 40,
        maxMessages: 60,
        pressProbability: 0,
        logger,
      });
      expect(cli.mqttUrl).toBe(service.mqttUrl);
      expect(cli.stats.acked).toBe(60);
      expect(cli.stored).toBe(60);
      expect(cli.stats.refused).toBe(0);

      // the demo lost nothing: every device still connected, none refused, its wrists still its own
      expect(demoTraffic.stats().connected).toBe(demoCount);
      expect(demoTraffic.stats().refused).toBe(0);
      expect(await refusedTotal()).toBe(0);
      const devices = await service.db.query<{ id: string; resident: string | null }>(
        `SELECT d.id, r.name AS resident FROM devices d LEFT JOIN residents r ON r.id = d.resident_id`,
      );
      const demoIds = new Set([...demo.devices, ...demo.wearables].map((d) => d.id));
      expect([...demoIds].every((id) => id.startsWith('demo-'))).toBe(true);
      const simIds = devices.rows.filter((d) => !demoIds.has(d.id)).map((d) => d.id);
      expect(simIds.length).toBeGreaterThan(0);
      expect(simIds.every((id) => id.startsWith('sim-'))).toBe(true);
      // a resident carries devices of one simulator only
      const owners = new Map<string, Set<string>>();
      for (const d of devices.rows) if (d.resident) owners.set(d.resident, (owners.get(d.resident) ?? new Set()).add(d.id.split('-')[0]!));
      expect([...owners.values()].every((s) => s.size === 1)).toBe(true);
      const wrists = await service.db.query<{ wearable_id: string }>('SELECT wearable_id FROM caregivers WHERE wearable_id IS NOT NULL');
      for (const w of demo.wearables) expect(wrists.rows.map((r) => r.wearable_id)).toContain(w.id);

      // a second CLI run reuses its own devices: nothing rotated, the demo still untouched
      const again = await runSimulation({ httpUrl: service.httpUrl, ...ADMIN, residents: 6, statePath: join(dir.path, 'sim-state-sim.json'), rate: 40, maxMessages: 20, pressProbability: 0, logger });
      expect(again.stored).toBe(20);
      expect(again.stats.refused).toBe(0);
      expect(demoTraffic.stats().connected).toBe(demoCount);
    } finally {
      await demoTraffic.stop();
    }
  });

  it('a device whose secret the state file lost is rotated and reconnects when the demo restarts', async () => {
    const statePath = join(dir.path, 'heal', 'sim-state.json');
    const opts = { httpUrl: service.httpUrl, ...ADMIN, residents: 3, prefix: 'heal', statePath, logger };
    const first = await provisionCentre(opts);
    // the service's secret changes behind the state file's back (a restored old copy, a hand rotation)
    const api = new ApiClient(service.httpUrl);
    await api.login(ADMIN.username, ADMIN.password);
    const victim = first.devices[0]!;
    await api.post(`/api/devices/${victim.id}/secret`);

    const restarted = await provisionCentre(opts);
    const traffic = runTraffic({
      mqttUrl: service.mqttUrl,
      devices: restarted.devices,
      wearables: restarted.wearables,
      ratePerSecond: 10,
      buttonPressProbability: 0,
      renewSecret: restarted.renewSecret,
      logger,
    });
    const all = restarted.devices.length + restarted.wearables.length;
    try {
      await waitFor(async () => traffic.stats().connected === all, 15_000);
      expect(traffic.stats().refused).toBe(1); // refused once, then healed
    } finally {
      await traffic.stop();
    }
  });

  it('"acknowledged" is what the service stored: PUBACKs from a foreign broker count for nothing', async () => {
    // a bare broker that acknowledges anything, like the local Mosquitto on 1883
    const foreign = new Aedes();
    await foreign.listen(); // aedes 1.x: persistence set up before serving
    const server: Server = createServer(foreign.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await runSimulation({
        httpUrl: service.httpUrl,
        ...ADMIN,
        residents: 2,
        prefix: 'stray',
        statePath: join(dir.path, 'stray.json'),
        mqttUrl: `mqtt://127.0.0.1:${port}`,
        rate: 40,
        maxMessages: 20,
        pressProbability: 0,
        logger,
      });
      expect(res.stats.acked).toBe(20);
      expect(res.stored).toBe(0);
      expect(res.serviceMqttUrl).toBe(service.mqttUrl);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => foreign.close(() => r()));
    }
  });
});
