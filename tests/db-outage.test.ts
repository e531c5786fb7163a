import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createLogger } from '../common/logger.ts';
import { topics } from '../contract/topics.ts';
import { openDb } from '../db/index.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { connect, provisionResident, startGateway, type RunningGateway } from './helpers/gateway-harness.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { createPgDatabase } from './helpers/test-db.ts';

// A real outage: the service reaches PostgreSQL through a proxy that the test cuts.
describe('database outage (PostgreSQL behind a cut connection)', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let db: Db; // through the proxy
  let direct: Db; // the test's own view
  let drop: () => Promise<void>;
  let gw: RunningGateway;
  let client: MqttClient;

  beforeAll(async () => {
    const pg = await createPgDatabase();
    drop = pg.drop;
    proxy = await startTcpProxy('127.0.0.1', 5432);
    const viaProxy = new URL(pg.url);
    viaProxy.port = String(proxy.port);
    db = await openDb({ url: viaProxy.toString(), dataDir: '' }, createLogger('silent'));
    direct = await openDb({ url: pg.url, dataDir: '' }, createLogger('silent'));
    gw = await startGateway(db);
  });
  afterAll(async () => {
    client?.end(true);
    await gw?.close();
    await proxy?.close();
    await db?.close();
    await direct?.close();
    await drop?.();
  });

  it('holds PUBACKs while the database is unreachable and acknowledges every event once it is back', async () => {
    const { devices } = await provisionResident(direct, ['pendant', 'door_sensor']);
    const [dev, other] = [devices[0]!, devices[1]!];
    client = await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id });

    proxy.cut();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const acked = new Set<string>();
    const pubs = ids.map(
      (id) =>
        new Promise<void>((resolve, reject) =>
          client.publish(topics.deviceEvents(dev.id), JSON.stringify({ id, type: 'fall.detected', data: {} }), { qos: 1 }, (err) =>
            err ? reject(err) : (acked.add(id), resolve()),
          ),
        ),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(acked.size).toBe(0); // nothing acknowledged that is not stored
    expect(await listDeviceEvents(direct, dev.id)).toHaveLength(0);
    expect((await gw.metrics.ingestFailures.get()).values[0]?.value).toBeGreaterThan(0);

    // a device whose secret was never verified cannot be checked now: "server unavailable", not "refused"
    await expect(connect(gw.url, { username: other.id, password: other.secret, clientId: other.id })).rejects.toMatchObject({ code: 3 });

    proxy.restore();
    await Promise.all(pubs);
    expect(acked.size).toBe(5);
    expect((await listDeviceEvents(direct, dev.id)).map((e) => e.eventId).sort()).toEqual([...ids].sort());
  }, 20_000);
});
