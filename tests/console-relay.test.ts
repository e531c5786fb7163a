import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../runtime/service.ts';
import { ack, alertOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { openConsole, wsUrl, type ConsoleSocket } from './helpers/console-socket.ts';
import { apiClient } from './helpers/api-client.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { createPgDatabase } from './helpers/test-db.ts';

// Two instances share one PostgreSQL; devices talk to A, the operator's console is connected to B.
describe('a console on one instance sees what another instance did (PostgreSQL NOTIFY)', () => {
  let a: RunningService;
  let b: RunningService;
  let drop: () => Promise<void>;
  const clients: MqttClient[] = [];
  let console_: ConsoleSocket | undefined;

  beforeAll(async () => {
    const pg = await createPgDatabase();
    drop = pg.drop;
    a = await startTestService({ DATABASE_URL: pg.url });
    b = await startTestService({ DATABASE_URL: pg.url });
  });
  afterAll(async () => {
    console_?.close();
    for (const c of clients) c.end(true);
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('a press and an accept handled by A, and a wrist coming online at A, reach the console on B', async () => {
    const apiA = apiClient(a.httpUrl);
    await apiA.login();
    const centre = await provisionCentre(apiA, { caregivers: 1 });
    const [li] = centre.caregivers;
    const apiB = apiClient(b.httpUrl);
    const login = await apiB.call('POST', '/api/login', { username: 'admin', password: 'correct horse battery staple' });
    console_ = await openConsole(wsUrl(b.httpUrl, login.body.token));
    await console_.next((m) => m.type === 'snapshot');

    const wrist = await connectWearable(a.mqttUrl, li!.wearable);
    clients.push(wrist);
    const online = await console_.next((m) => m.type === 'device.status' && m.data.id === li!.wearable.id && m.data.online);
    expect(online.data).toMatchObject({ caregiverId: li!.id, battery: 0.9 });

    const pendant = await connectDevice(a.mqttUrl, centre.pendant);
    clients.push(pendant);
    const alert = alertOf(wrist, li!.wearable.id);
    await press(pendant, centre.pendant.id);
    const raised = await console_.next((m) => m.type === 'alarm.raised');
    expect(raised.data).toMatchObject({ deviceId: centre.pendant.id, status: 'open' });
    expect(raised.data.timeline.map((t: { code: string }) => t.code)).toContain('alarm.raised');

    await ack(wrist, li!.wearable.id, ((await alert) as { alarmId: string }).alarmId, 'accept');
    const accepted = await console_.next((m) => m.type === 'alarm.updated' && m.data.status === 'accepted');
    expect(accepted.data.acceptedByName).toBe('Li Na');
    expect(accepted.data.timeline.map((t: { code: string }) => t.code)).toContain('alarm.accepted');
    // each change once: B does not echo A's changes back
    await new Promise((r) => setTimeout(r, 300));
    expect(console_.messages.filter((m) => m.type === 'alarm.raised')).toHaveLength(1);
    await console_.next((m) => m.type === 'caregiver.status' && m.data.id === li!.id && m.data.activeAlarms === 1);
  });
});
