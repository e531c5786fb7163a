import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

/**
 * End to end with the real service and real MQTT (DESIGN "Service orders"): while an emergency
 * is open, a meal request opens an order of its own; the resident's device hears
 * `service.received` at once; the caregiver with the skill "meal" is asked first, and the wrist
 * alert names the service; her accept (with when she will come) tells the device
 * `service.scheduled`; a fall during the order goes to the emergency, never to the order; the
 * report has the order's own figures.
 */

interface Inbox {
  all: Array<{ topic: string; msg: any }>;
  find: (pred: (m: any) => boolean, ms?: number) => Promise<any>;
}
/** Every message a client receives, kept in order: waiting for one never misses it. */
function inbox(c: MqttClient): Inbox {
  const all: Inbox['all'] = [];
  c.on('message', (topic, payload) => all.push({ topic, msg: JSON.parse(payload.toString()) }));
  return { all, find: (pred, ms = 10_000) => waitFor(async () => all.find((m) => pred(m.msg))?.msg, ms) };
}

type AlarmJson = { id: string; residentId: string; priority: string; status: string; kind: string; eventCount: number; service?: string };

describe.each(['embedded', 'postgres'] as const)('service orders on the %s database (real service, real MQTT)', (kind) => {
  const { f, track } = useService({ CANCEL_WINDOW_S: '0' }, kind);

  it('a meal request beside an open emergency: its own order, routed by skill, received and scheduled on the device, its own KPIs', async () => {
    const { api, service } = f;
    const startedAt = new Date(Date.now() - 1000);
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers; // Li Na would be asked first by name; Wang Fang cooks
    const r = await api.call('PATCH', `/api/caregivers/${wang!.id}`, { skills: ['meal', 'bathing', 'meal'] });
    expect(r.status).toBe(200);
    expect(r.body.skills).toEqual(['meal', 'bathing']);
    expect((await api.call('GET', `/api/caregivers/${li!.id}`)).body.skills).toEqual([]);
    expect((await api.call('PATCH', `/api/caregivers/${li!.id}`, { skills: ['juggling'] })).status).toBe(400);

    const liW = track(await connectWearable(service.mqttUrl, li!.wearable));
    const wangW = track(await connectWearable(service.mqttUrl, wang!.wearable));
    const liBox = inbox(liW);
    const wangBox = inbox(wangW);
    const pendant = track(await connectDevice(service.mqttUrl, centre.pendant));
    const device = inbox(pendant);
    await waitFor(async () => (await api.call('GET', `/api/devices/${wang!.wearable.id}`)).body.online === true);
    await waitFor(async () => (await api.call('GET', `/api/devices/${li!.wearable.id}`)).body.online === true);

    const active = async () => ((await api.call('GET', '/api/alarms?status=open')).body as AlarmJson[]).filter((a) => a.residentId === centre.resident.id);

    // 1. an emergency is open
    await press(pendant, centre.pendant.id);
    const emergency = await waitFor(async () => (await active()).find((a) => a.priority === 'emergency'));

    // 2. a meal request opens a separate order
    await press(pendant, centre.pendant.id, 'service.request', { service: 'meal', note: 'lunch, soft food' });
    const order = await waitFor(async () => (await active()).find((a) => a.priority === 'service'));
    expect(order.id).not.toBe(emergency.id);
    expect(order).toMatchObject({ kind: 'service.request', service: 'meal', status: 'open' });
    expect((await api.call('GET', `/api/alarms/${emergency.id}`)).body).toMatchObject({ priority: 'emergency', eventCount: 1 });

    // the device hears at once that the order was taken down
    const received = await device.find((m) => m.type === 'service.received');
    expect(received).toEqual({ type: 'service.received', alarmId: order.id, service: 'meal' });

    // the caregiver with the skill is asked first, and her wrist names the service
    const alert = await wangBox.find((m) => m.type === 'alarm.alert' && m.alarmId === order.id);
    expect(alert).toMatchObject({ priority: 'service', kind: 'service.request', service: 'meal' });
    const detail = (await api.call('GET', `/api/alarms/${order.id}`)).body;
    expect(detail.notifications.map((n: { step: number; channel: string; recipientName: string }) => `${n.step}:${n.channel}:${n.recipientName}`)).toEqual(['1:wearable:Wang Fang']);
    expect(liBox.all.some((m) => m.msg.alarmId === order.id)).toBe(false);

    // 3. she accepts, saying when she will come: the device is told who and when
    const comeAt = new Date(Date.now() + 45 * 60_000).toISOString();
    await publish(wangW, topics.wearableAcks(wang!.wearable.id), JSON.stringify({ alarmId: order.id, action: 'accept', ts: new Date().toISOString(), at: comeAt }));
    const scheduled = await device.find((m) => m.type === 'service.scheduled');
    expect(scheduled).toEqual({ type: 'service.scheduled', alarmId: order.id, by: 'Wang Fang', at: comeAt });
    expect(device.all.some((m) => m.msg.type === 'alarm.accepted' && m.msg.alarmId === order.id)).toBe(false);
    // Li (no skill) was never asked for the order: Wang took it within her step
    expect(liBox.all.some((m) => m.msg.alarmId === order.id && m.msg.type === 'alarm.alert')).toBe(false);

    // 4. a fall during the open order goes to the emergency (raised there), never into the order
    await press(pendant, centre.pendant.id, 'fall.detected');
    await waitFor(async () => (await api.call('GET', `/api/alarms/${emergency.id}`)).body.eventCount === 2);
    expect((await api.call('GET', `/api/alarms/${order.id}`)).body).toMatchObject({ eventCount: 1, priority: 'service', status: 'accepted' });

    // the emergency is dealt with; a fall after that opens a new emergency, again not the order
    expect((await api.call('POST', `/api/alarms/${emergency.id}/cancel`, { note: 'daughter called: all fine' })).status).toBe(200);
    await press(pendant, centre.pendant.id, 'fall.detected');
    const second = await waitFor(async () => (await active()).find((a) => a.priority === 'emergency' && a.id !== emergency.id));
    expect(second.kind).toBe('fall.detected');
    expect((await active()).map((a) => a.priority).sort()).toEqual(['emergency', 'service']);

    // 5. the order is done the same day
    for (const action of ['arrived', 'resolve']) {
      await publish(wangW, topics.wearableAcks(wang!.wearable.id), JSON.stringify({ alarmId: order.id, action, ts: new Date().toISOString(), ...(action === 'resolve' && { outcome: 'service_done' }) }));
    }
    await waitFor(async () => (await api.call('GET', `/api/alarms/${order.id}`)).body.status === 'resolved');

    // a bathing order, accepted on the console with a time: the device is told who and when;
    // a further request while it is open joins it, with its service on the timeline
    await press(pendant, centre.pendant.id, 'service.request', { service: 'bathing' });
    const bath = await waitFor(async () => (await active()).find((a) => a.priority === 'service' && a.id !== order.id));
    expect(bath.service).toBe('bathing');
    expect(await device.find((m) => m.type === 'service.received' && m.alarmId === bath.id)).toEqual({ type: 'service.received', alarmId: bath.id, service: 'bathing' });
    await press(pendant, centre.pendant.id, 'service.request', { service: 'haircut' });
    await waitFor(async () => (await api.call('GET', `/api/alarms/${bath.id}`)).body.eventCount === 2);
    const joined = (await api.call('GET', `/api/alarms/${bath.id}`)).body.timeline.find((r: { code: string }) => r.code === 'event.joined');
    expect(joined.detail).toMatchObject({ type: 'service.request', service: 'haircut' });
    const bathAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    expect((await api.call('POST', `/api/alarms/${bath.id}/accept`, { at: bathAt })).status).toBe(200);
    expect(await device.find((m) => m.type === 'service.scheduled' && m.alarmId === bath.id)).toEqual({ type: 'service.scheduled', alarmId: bath.id, by: 'admin', at: bathAt });
    expect((await api.call('POST', `/api/alarms/${bath.id}/accept`, { at: 'tomorrow' })).status).toBe(400);
    expect((await api.call('POST', `/api/alarms/${bath.id}/cancel`, { note: 'done by family' })).status).toBe(200);

    // 6. the report's own rows for service orders (the whole centre, and by kind)
    const q = `from=${encodeURIComponent(startedAt.toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`;
    const all = (await api.call('GET', `/api/reports/response-times?${q}&groupBy=none`)).body;
    // the bathing order was cancelled after its accept: it needed an answer, was accepted in time, never done
    expect(all[0].kpi.service).toEqual({ alarms: 2, acceptedWithin15m: 1, doneSameDay: 0.5 });
    const byKind = (await api.call('GET', `/api/reports/response-times?${q}&groupBy=kind`)).body as Array<{ key: string; kpi: { service: unknown } }>;
    expect(byKind.find((x) => x.key === 'service.request')?.kpi.service).toEqual({ alarms: 2, acceptedWithin15m: 1, doneSameDay: 0.5 });
    expect(byKind.find((x) => x.key === 'fall.detected')?.kpi.service).toEqual({ alarms: 0, acceptedWithin15m: null, doneSameDay: null });
    const csv = (await api.call('GET', `/api/reports/response-times?${q}&groupBy=none&format=csv`)).text;
    expect(csv.split('\r\n')[0]).toMatch(/,service_orders,service_accepted_within_15m_pct,service_done_same_day_pct$/);
    expect(csv.split('\r\n')[1]).toMatch(/,2,100,50$/);
  }, 60_000);
});
