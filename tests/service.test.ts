import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import type { RunningService } from '../runtime/service.ts';
import { connect, publish } from './helpers/gateway-harness.ts';
import { apiClient } from './helpers/api-client.ts';
import { provisionResidentDevice } from './helpers/care-centre.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { createPgDatabase, tempDir } from './helpers/test-db.ts';

// The assembled service (npm start's code path) on each database: provision over HTTP,
// connect over MQTT with the one-time secret, see the event stored and counted.
describe.each(['embedded', 'postgres'] as const)('service end to end on %s', (kind) => {
  let service: RunningService;
  let teardown: () => Promise<void>;

  beforeAll(async () => {
    if (kind === 'embedded') {
      const dir = tempDir();
      service = await startTestService({ DATA_DIR: dir.path });
      teardown = async () => dir.remove();
    } else {
      const pg = await createPgDatabase();
      service = await startTestService({ DATABASE_URL: pg.url });
      teardown = pg.drop;
    }
  });
  afterAll(async () => {
    await service?.close();
    await teardown?.();
  });

  it('provisions over HTTP, ingests over MQTT, reports health and metrics', async () => {
    const api = apiClient(service.httpUrl);
    await api.login();
    const { device, resident } = await provisionResidentDevice(api);
    expect(device.secret).toMatch(/^[\w-]{20,}$/);

    const client = await connect(service.mqttUrl, { username: device.id, password: device.secret, clientId: device.id });
    const id = randomUUID();
    await publish(client, topics.deviceEvents(device.id), JSON.stringify({ id, type: 'button.pressed', ts: new Date().toISOString(), data: {} }));
    const stored = await listDeviceEvents(service.db, device.id);
    expect(stored).toMatchObject([{ eventId: id, residentId: resident.id }]);

    const shown = await api.call('GET', `/api/devices/${device.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: device.id, online: true });
    expect(JSON.stringify(shown.body)).not.toContain('scrypt');

    const health = await api.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.checks.database.ok).toBe(true);

    const metrics = await api.call('GET', '/metrics');
    expect(metrics.body).toMatch(/homecare_events_stored_total 1\b/);
    expect(metrics.body).toMatch(/homecare_events_received_total\{type="button.pressed"\} 1\b/);

    // deleting the device through the API drops its live connection at once
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    expect((await api.call('DELETE', `/api/devices/${device.id}`)).status).toBe(204);
    await closed;
    client.end(true);
  });
});
