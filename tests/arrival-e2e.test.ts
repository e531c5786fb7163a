/**
 * Closed-loop arrival on the real service, both databases, real MQTT wrists (a 3-second arrive
 * limit): Li accepts the press and does not come; at the limit from her accept Wang's wrist gets
 * the alert and Li's `arrival.check`; Wang accepts over MQTT and Li's wrist hears `alarm.taken`;
 * the operators' detail has arrival.overdue and arrival.redispatched.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { ack, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

const ARRIVE_S = 3;
const POLICY = JSON.stringify({
  emergency: { arriveLimitS: ARRIVE_S, steps: [{ kind: 'next_in_grid', acceptWithinS: 600 }, { kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] },
});

/** Everything a wrist receives on its alerts topic, with when. */
function inbox(c: MqttClient, wearableId: string) {
  const got: Array<{ at: number; type: string; alarmId: string; [k: string]: unknown }> = [];
  c.on('message', (topic, payload) => {
    if (topic === topics.wearableAlerts(wearableId)) got.push({ at: Date.now(), ...JSON.parse(payload.toString()) });
  });
  return got;
}

describe.each(['embedded', 'postgres'] as const)('closed-loop arrival over real MQTT on %s', (kind) => {
  const { f, track } = useService({ ALARM_POLICY: POLICY, CANCEL_WINDOW_S: '0' }, kind);

  it('Li accepts and does not come: Wang is alerted at the limit from her accept, Li asked; Wang takes it over', async () => {
    const centre = await provisionCentre(f.api);
    const [li, wang] = centre.caregivers;
    const liWrist = track(await connectWearable(f.service.mqttUrl, li!.wearable));
    const wangWrist = track(await connectWearable(f.service.mqttUrl, wang!.wearable));
    const liGot = inbox(liWrist, li!.wearable.id);
    const wangGot = inbox(wangWrist, wang!.wearable.id);
    const pendant = track(await connectDevice(f.service.mqttUrl, centre.pendant));
    await waitFor(async () => (await f.api.get(`/api/devices/${wang!.wearable.id}`)).body.online === true);

    await press(pendant, centre.pendant.id);
    const alert = await waitFor(async () => liGot.find((m) => m.type === 'alarm.alert'), 15_000);
    const id = alert.alarmId;
    await ack(liWrist, li!.wearable.id, id, 'accept');
    await waitFor(async () => (await f.api.get(`/api/alarms/${id}`)).body.status === 'accepted', 15_000);
    const acceptedAt = Date.parse((await f.api.get(`/api/alarms/${id}`)).body.acceptedAt);
    expect(wangGot.filter((m) => m.alarmId === id)).toEqual([]);

    const check = await waitFor(async () => liGot.find((m) => m.type === 'arrival.check' && m.alarmId === id), 20_000);
    expect(check).toMatchObject({ type: 'arrival.check', alarmId: id, also: wang!.name });
    const sent = await waitFor(async () => wangGot.find((m) => m.type === 'alarm.alert' && m.alarmId === id), 20_000);
    expect(sent.at).toBeGreaterThanOrEqual(acceptedAt + ARRIVE_S * 1000);
    const d = (await f.api.get(`/api/alarms/${id}`)).body;
    const codes = d.timeline.map((t: { code: string }) => t.code);
    expect(codes).toEqual(expect.arrayContaining(['arrival.overdue', 'arrival.redispatched']));
    expect(Date.parse(d.timeline.find((t: { code: string }) => t.code === 'arrival.redispatched').at)).toBeGreaterThanOrEqual(acceptedAt + ARRIVE_S * 1000);

    await ack(wangWrist, wang!.wearable.id, id, 'accept');
    await waitFor(async () => liGot.find((m) => m.type === 'alarm.taken' && m.alarmId === id), 15_000);
    const after = (await f.api.get(`/api/alarms/${id}`)).body;
    expect(after).toMatchObject({ status: 'accepted', acceptedBy: wang!.id });
    await ack(wangWrist, wang!.wearable.id, id, 'arrived');
    await waitFor(async () => (await f.api.get(`/api/alarms/${id}`)).body.status === 'on_site', 15_000);
  });
});
