import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/gateway-harness.ts';
import { ack, alertOf, commandOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { apiClient } from './helpers/api-client.ts';
import { startTestService, type TestService } from './helpers/service-fixture.ts';

// Long steps: only the decline moves this alarm on, however slow the machine (escalation timing is
// in dispatcher-timing.test.ts, on a manual clock).
const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 300 }, { kind: 'all_in_grid', acceptWithinS: 300 }, { kind: 'console', acceptWithinS: 300 }] },
});
const WAIT_MS = 20_000; // a real socket on a busy machine: generous, never a tight window

describe.each(['embedded', 'postgres'] as const)('dispatcher end to end on %s', (kind) => {
  let service: TestService;
  const clients: MqttClient[] = [];
  const track = <T extends MqttClient>(c: T) => (clients.push(c), c);

  beforeAll(async () => {
    service = await startTestService({ ALARM_POLICY: POLICY }, kind);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await service?.close();
  });

  it('press → first wrist → decline → second wrist → accept → "help is coming" → arrive → resolve, all on the timeline', async () => {
    const api = apiClient(service.httpUrl);
    await api.login();
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers;
    const pendant = track(await connectDevice(service.mqttUrl, centre.pendant));
    const liW = track(await connectWearable(service.mqttUrl, li!.wearable));
    const wangW = track(await connectWearable(service.mqttUrl, wang!.wearable));
    await waitFor(async () => (await api.call('GET', `/api/devices/${li!.wearable.id}`)).body.online === true && (await api.call('GET', `/api/devices/${wang!.wearable.id}`)).body.online === true, WAIT_MS);

    const firstAlert = alertOf(liW, li!.wearable.id, WAIT_MS);
    const t0 = performance.now();
    await press(pendant, centre.pendant.id);
    const alert = await firstAlert;
    expect(alert).toMatchObject({ type: 'alarm.alert', priority: 'emergency', kind: 'button.pressed', step: 1, resident: { name: 'Huang Xueying', address: '12 Jade Lane', grid: 'Grid 1', notes: 'diabetic; key safe 4711' } });
    expect(performance.now() - t0).toBeLessThan(WAIT_MS);

    const secondAlert = alertOf(wangW, wang!.wearable.id, WAIT_MS);
    await ack(liW, li!.wearable.id, alert.alarmId, 'decline');
    const second = await secondAlert;
    expect(second).toMatchObject({ type: 'alarm.alert', alarmId: alert.alarmId, step: 2 });

    const helpComing = commandOf(pendant, centre.pendant.id, WAIT_MS);
    await ack(wangW, wang!.wearable.id, alert.alarmId, 'accept');
    expect(await helpComing).toMatchObject({ type: 'alarm.accepted', alarmId: alert.alarmId, by: 'Wang Fang' });

    await ack(wangW, wang!.wearable.id, alert.alarmId, 'arrived');
    const resolved = commandOf(pendant, centre.pendant.id, WAIT_MS);
    await ack(wangW, wang!.wearable.id, alert.alarmId, 'resolve', 'assisted');
    expect(await resolved).toMatchObject({ type: 'alarm.resolved', alarmId: alert.alarmId });

    const detail = (await api.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    expect(detail).toMatchObject({ status: 'resolved', outcome: 'assisted', acceptedBy: wang!.id, acceptedByName: 'Wang Fang' });
    expect(detail.timeToAcceptS).toBeGreaterThan(0);
    expect(detail.timeToArriveS).toBeGreaterThanOrEqual(detail.timeToAcceptS);
    const codes = detail.timeline.map((t: { code: string }) => t.code);
    expect(codes).toEqual([
      'alarm.raised',
      'step.started',
      'notification.sent',
      'alarm.declined',
      'step.started',
      'notification.sent',
      'alarm.accepted',
      'alarm.arrived',
      'alarm.resolved',
    ]);
    // the second step (all in grid) skips Li Na, who declined: just Wang Fang, on her wrist
    expect(detail.notifications.map((n: { channel: string; recipientName: string; step: number }) => `${n.step}:${n.channel}:${n.recipientName}`)).toContain('2:wearable:Wang Fang');
    // Li Na's alert was withdrawn when Wang Fang took it; Wang Fang's stands
    const wrists = detail.notifications.filter((n: { channel: string }) => n.channel === 'wearable');
    expect(wrists.map((n: { recipientName: string; status: string }) => `${n.recipientName}:${n.status}`)).toEqual(['Li Na:withdrawn', 'Wang Fang:sent']);
  });

  it('an operator closing an alarm someone is on the way to tells that wrist to stop', async () => {
    const api = apiClient(service.httpUrl);
    await api.login();
    const centre = await provisionCentre(api, { caregivers: 1 });
    const li = centre.caregivers[0]!;
    const pendant = track(await connectDevice(service.mqttUrl, centre.pendant));
    const wrist = track(await connectWearable(service.mqttUrl, li.wearable));
    await waitFor(async () => (await api.call('GET', `/api/devices/${li.wearable.id}`)).body.online === true, WAIT_MS);
    const alerted = alertOf(wrist, li.wearable.id, WAIT_MS);
    await press(pendant, centre.pendant.id);
    const alert = await alerted;
    const coming = commandOf(pendant, centre.pendant.id, WAIT_MS);
    await ack(wrist, li.wearable.id, alert.alarmId, 'accept');
    await coming;
    const stop = alertOf(wrist, li.wearable.id, WAIT_MS);
    const closed = commandOf(pendant, centre.pendant.id, WAIT_MS);
    const r = await api.call('POST', `/api/alarms/${alert.alarmId}/cancel`, { note: 'daughter called: all fine' });
    expect(r).toMatchObject({ status: 200, body: { status: 'cancelled', outcome: 'cancelled' } });
    expect(await stop).toMatchObject({ type: 'alarm.closed', alarmId: alert.alarmId, reason: 'closed' });
    expect(await closed).toMatchObject({ type: 'alarm.resolved', alarmId: alert.alarmId, outcome: 'cancelled' });
  });
});
