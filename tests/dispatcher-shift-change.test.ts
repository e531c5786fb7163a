import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../runtime/service.ts';
import { alertOf, connectDevice, connectWearable, press, provisionCentre, type TimelineRow } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { apiClient, startTestService } from './helpers/service-harness.ts';
import { tempDir } from './helpers/test-db.ts';

// The caregiver alerted goes off shift mid-step: the sweep moves on at once instead of
// waiting out a deadline nobody on duty can meet.
describe('shift change during an escalation step', () => {
  let service: RunningService;
  let dir: ReturnType<typeof tempDir>;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = tempDir();
    service = await startTestService({
      DATA_DIR: dir.path,
      ALARM_POLICY: JSON.stringify({ emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 600 }, { kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] } }),
    });
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await service?.close();
    dir?.remove();
  });

  it('re-routes when everyone the step alerted has gone off duty', async () => {
    const api = apiClient(service.httpUrl);
    await api.login();
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers;
    const pendant = await connectDevice(service.mqttUrl, centre.pendant);
    const liW = await connectWearable(service.mqttUrl, li!.wearable);
    const wangW = await connectWearable(service.mqttUrl, wang!.wearable);
    clients.push(pendant, liW, wangW);
    await waitFor(async () => (await api.call('GET', `/api/devices/${wang!.wearable.id}`)).body.online === true);

    const first = alertOf(liW, li!.wearable.id);
    await press(pendant, centre.pendant.id);
    const alert = await first;
    expect(alert.step).toBe(1);
    expect((await service.dispatcher.sweep()).shiftChange).toBe(0); // Li is on duty: the step waits

    // Li's shift is cut short now (the operator deletes it)
    const shifts = (await api.call('GET', `/api/shifts?caregiverId=${li!.id}`)).body as Array<{ id: string }>;
    expect(shifts).toHaveLength(1);
    expect((await api.call('DELETE', `/api/shifts/${shifts[0]!.id}`)).status).toBe(204);

    const second = alertOf(wangW, wang!.wearable.id);
    const counts = await service.dispatcher.sweep();
    expect(counts.shiftChange).toBe(1);
    expect(await second).toMatchObject({ alarmId: alert.alarmId, step: 2 });
    const detail = (await api.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    const started = (detail.timeline as TimelineRow[]).filter((t) => t.code === 'step.started').map((t) => t.detail.step);
    expect(started).toEqual([1, 2]);
    // step 2 (all in grid) alerts only who is on duty now: Wang, not Li
    expect(detail.notifications.filter((n: { step: number }) => n.step === 2).map((n: { recipientName: string }) => n.recipientName)).toEqual(['Wang Fang']);
  });
});
