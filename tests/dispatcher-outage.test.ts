import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { openDb } from '../db/index.ts';
import { getAlarm, getTimeline } from '../db/queries/alarms.ts';
import type { Db } from '../db/types.ts';
import { createLogger } from '../common/logger.ts';
import type { RunningService } from '../runtime/service.ts';
import { alertOf, connectDevice, connectWearable, provisionCentre } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { apiClient } from './helpers/api-client.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { createPgDatabase } from './helpers/test-db.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

// Safety first, bookkeeping second: with the database unreachable, a press still reaches a
// caregiver's wrist at once; the PUBACK waits until event and alarm are stored.
describe('alarm routing during a database outage', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let service: RunningService;
  let direct: Db;
  let drop: () => Promise<void>;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const pg = await createPgDatabase();
    drop = pg.drop;
    proxy = await startTcpProxy('127.0.0.1', 5432);
    const viaProxy = new URL(pg.url);
    viaProxy.port = String(proxy.port);
    service = await startTestService({ DATABASE_URL: viaProxy.toString() });
    direct = await openDb({ url: pg.url, dataDir: '' }, createLogger('silent'));
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    proxy?.restore();
    await service?.close();
    await proxy?.close();
    await direct?.close();
    await drop?.();
  });

  it('alerts the wrist while the database is down, and stores the alarm once it is back', async () => {
    const api = apiClient(service.httpUrl);
    await api.login();
    const centre = await provisionCentre(api, { caregivers: 1 });
    const li = centre.caregivers[0]!;
    const pendant = await connectDevice(service.mqttUrl, centre.pendant);
    const wrist = await connectWearable(service.mqttUrl, li.wearable);
    clients.push(pendant, wrist);
    await waitFor(async () => (await api.call('GET', `/api/devices/${li.wearable.id}`)).body.online === true);

    proxy.cut();
    const alerted = alertOf(wrist, li.wearable.id);
    let acked = false;
    const t0 = performance.now();
    const published = new Promise<void>((resolve, reject) =>
      pendant.publish(topics.deviceEvents(centre.pendant.id), JSON.stringify({ id: 'outage-1', type: 'fall.detected', data: {} }), { qos: 1 }, (err) =>
        err ? reject(err) : ((acked = true), resolve()),
      ),
    );
    const alert = await alerted;
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(alert).toMatchObject({ type: 'alarm.alert', priority: 'emergency', kind: 'fall.detected', resident: { name: 'Huang Xueying' } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(acked).toBe(false); // not stored, so not acknowledged
    expect(await getAlarm(direct, CENTRE_WIDE, alert.alarmId)).toBeUndefined();

    proxy.restore();
    await published;
    const stored = await getAlarm(direct, CENTRE_WIDE, alert.alarmId);
    expect(stored).toMatchObject({ status: 'open', kind: 'fall.detected', step: 1 });
    expect((await getTimeline(direct, alert.alarmId)).map((t) => t.code)).toEqual(['alarm.raised', 'step.started', 'notification.sent']);
  }, 30_000);
});
