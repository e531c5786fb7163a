import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../runtime/service.ts';
import { alertOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { apiClient } from './helpers/api-client.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { createPgDatabase } from './helpers/test-db.ts';

// Time limits per area: the centre is provisioned, then the service restarts with an
// ALARM_POLICY override for its community (the nearest area up from the grid wins).
describe('per-area time limits', () => {
  // PostgreSQL: the same database across the restart, started in a fraction of the embedded one's time
  let pg: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
  const clients: MqttClient[] = [];
  let service: RunningService | undefined;
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await service?.close();
    await pg?.drop();
  });

  it('an override for the community applies to its grids; other priorities keep the defaults', async () => {
    pg = await createPgDatabase();
    service = await startTestService({ DATABASE_URL: pg.url });
    let api = apiClient(service.httpUrl);
    await api.login();
    const centre = await provisionCentre(api, { caregivers: 1 });
    const grid = (await api.call('GET', `/api/areas/${centre.grid.id}`)).body;
    await service.close();

    const override = { emergency: { acceptLimitS: 45, steps: [{ kind: 'next_in_grid', acceptWithinS: 25 }, { kind: 'console', acceptWithinS: 30 }] } };
    service = await startTestService({ DATABASE_URL: pg.url, ALARM_POLICY: JSON.stringify({ areas: { [grid.parentId]: override } }) });
    api = apiClient(service.httpUrl);
    await api.login();
    const li = centre.caregivers[0]!;
    const pendant = await connectDevice(service.mqttUrl, centre.pendant);
    const wrist = await connectWearable(service.mqttUrl, li.wearable);
    clients.push(pendant, wrist);
    await waitFor(async () => (await api.call('GET', `/api/devices/${li.wearable.id}`)).body.online === true);

    const alerted = alertOf(wrist, li.wearable.id);
    const t0 = Date.now();
    await press(pendant, centre.pendant.id);
    const alert = await alerted;
    const acceptIn = Date.parse(alert.acceptBy) - t0;
    expect(acceptIn).toBeGreaterThan(23_000); // the community's 25 s, not the default 60 s
    expect(acceptIn).toBeLessThan(27_000);
    const a = (await api.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    expect(a).toMatchObject({ acceptLimitS: 45, arriveLimitS: 1200, stepKind: 'next_in_grid' });
    expect(Date.parse(a.acceptBy) - Date.parse(a.raisedAt)).toBe(45_000);

    // a service request in the same grid: no override for that priority, the default 15 min
    const closed = alertOf(wrist, li.wearable.id);
    await api.call('POST', `/api/alarms/${alert.alarmId}/resolve`, { outcome: 'assisted' });
    expect(await closed).toMatchObject({ type: 'alarm.closed', alarmId: alert.alarmId });
    const service2 = alertOf(wrist, li.wearable.id);
    await press(pendant, centre.pendant.id, 'service.request', { service: 'meal' });
    const request = await service2;
    expect(request.priority).toBe('service');
    expect(Date.parse(request.acceptBy) - Date.now()).toBeGreaterThan(14 * 60_000);
  }, 30_000);
});
