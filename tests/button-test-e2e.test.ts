/**
 * The weekly button test end to end, on both databases, with real MQTT devices: a test event
 * (`"data":{"test":true}`) opens no alarm and is answered `test.ok` on the device's commands
 * topic; a button untested for 7 days is listed (GET /api/residents/untested) and gets one
 * `test.reminder` a day. Old times are stored ones (a device registered days ago, a press
 * inserted with an old receive time); the sweep runs "tomorrow" through checkAbsences(at),
 * so the service's own once-a-minute sweep at the real time never decides what is asserted.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { localClock } from '../dispatch-console/core/local-clock.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { connectDevice, provisionCentre } from './helpers/care-centre.ts';
import { useService } from './helpers/service-fixture.ts';
import { apiClient } from './helpers/api-client.ts';

type Device = { id: string; secret: string };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function inbox(client: MqttClient) {
  const seen: any[] = [];
  client.on('message', (_t, payload) => seen.push(JSON.parse(payload.toString())));
  const matching = (pred: (m: any) => boolean) => seen.filter(pred);
  return { client, matching, first: (pred: (m: any) => boolean) => waitFor(async () => matching(pred)[0], 5_000, 10) };
}

let seq = 0;
const event = (type: string, data: Record<string, unknown> = {}) => {
  const id = `bt-${process.pid}-${Date.now()}-${++seq}`;
  return { id, payload: JSON.stringify({ id, type, ts: new Date().toISOString(), data }) };
};
const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe.each(['embedded', 'postgres'] as const)('weekly button test end to end (%s)', (kind) => {
  const { f, track } = useService({}, kind);
  const device = async (d: Device) => inbox(track(await connectDevice(f.service.mqttUrl, d)));
  const registeredAgo = (d: Device, ms: number) => f.service.db.query('UPDATE devices SET created_at = $2 WHERE id = $1', [d.id, new Date(Date.now() - ms).toISOString()]);
  const untested = async () => (await f.api.call('GET', '/api/residents/untested')).body as Array<Record<string, any>>;
  // the residents' alarms (a grid's technical coverage alarm is not one of theirs)
  const alarmsOf = async (areaId: string) => ((await f.api.call('GET', `/api/alarms?status=all&areaId=${areaId}`)).body as Array<{ id: string; residentId: string | null }>).filter((a) => a.residentId !== null);

  it('a test event opens no alarm, is stored, and the device hears test.ok; on an active alarm it is noted as test.recorded', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    const pendant = await device(centre.pendant);
    const t = event('button.pressed', { test: true });
    await publish(pendant.client, topics.deviceEvents(centre.pendant.id), t.payload); // PUBACK: stored
    expect(await pendant.first((m) => m.type === 'test.ok')).toEqual({ type: 'test.ok', eventId: t.id });
    const stored = await f.service.db.query('SELECT type, data FROM events WHERE device_id = $1 AND event_id = $2', [centre.pendant.id, t.id]);
    expect(stored.rows).toEqual([{ type: 'button.pressed', data: { test: true } }]);
    await quiet();
    expect(await alarmsOf(centre.grid.id)).toEqual([]);

    // a real press, then a test while it is open: no second alarm, the test is on its timeline
    await publish(pendant.client, topics.deviceEvents(centre.pendant.id), event('button.pressed').payload);
    const [open] = await alarmsOf(centre.grid.id);
    const t2 = event('button.pressed', { test: true });
    await publish(pendant.client, topics.deviceEvents(centre.pendant.id), t2.payload);
    await waitFor(async () => pendant.matching((m) => m.type === 'test.ok' && m.eventId === t2.id).length > 0 || undefined);
    const a = (await f.api.call('GET', `/api/alarms/${open!.id}`)).body;
    expect(a).toMatchObject({ status: 'open', eventCount: 1 });
    expect(a.timeline.filter((r: any) => r.code === 'test.recorded').map((r: any) => r.detail)).toEqual([{ deviceId: centre.pendant.id, eventId: t2.id }]);
    expect(await alarmsOf(centre.grid.id)).toHaveLength(1);
    expect((await f.api.call('POST', `/api/alarms/${open!.id}/resolve`, { outcome: 'test' })).status).toBe(200);
  });

  it('untested for 7 days: listed with the last press, reminded once a day from 10:00; a test takes them off the list', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    const post = f.api.create;
    const make = async (name: string) => {
      const r = await post('/api/residents', { name, areaId: centre.grid.id, contacts: [] });
      const d = (await post('/api/devices', { kind: 'pendant', residentId: r.id })) as Device;
      return { r, d, c: await device(d) };
    };
    // overdue now: registered 10 days ago, last pressed 8 days ago (an old stored press)
    const overdue = await make('Gao Wen');
    await registeredAgo(overdue.d, 10 * DAY);
    const oldPress = new Date(Date.now() - 8 * DAY);
    await f.service.db.query(`INSERT INTO events (received_at, device_id, resident_id, event_id, type, data) VALUES ($1, $2, $3, $4, 'button.pressed', '{}')`, [oldPress.toISOString(), overdue.d.id, overdue.r.id, `old-${++seq}`]);
    // due by tomorrow's sweep, not yet now: registered 6.9 days ago, never pressed
    const soon = await make('He Ping');
    await registeredAgo(soon.d, 6.9 * DAY);
    // tested a moment ago: never due
    const tested = await make('Xu Lan');
    await publish(tested.c.client, topics.deviceEvents(tested.d.id), event('button.pressed', { test: true }).payload);
    await registeredAgo(tested.d, 10 * DAY);

    const mine = (list: Array<Record<string, any>>) => list.filter((x) => [overdue.r.id, soon.r.id, tested.r.id].includes(x.residentId));
    const listed = mine(await untested());
    expect(listed).toEqual([{ residentId: overdue.r.id, name: 'Gao Wen', areaId: centre.grid.id, deviceIds: [overdue.d.id], lastButtonTestAt: oldPress.toISOString(), untestedSince: oldPress.toISOString() }]);

    const tomorrowStart = localClock(new Date(localClock(new Date()).dayStart.getTime() + 36 * HOUR)).dayStart;
    const tomorrow = (h: number, m: number) => new Date(tomorrowStart.getTime() + (h * 60 + m) * 60_000);
    const reminders = (c: ReturnType<typeof inbox>) => c.matching((m) => m.type === 'test.reminder');
    await f.service.dispatcher.checkAbsences(tomorrow(9, 59));
    await quiet();
    expect(reminders(soon.c)).toEqual([]);
    await f.service.dispatcher.checkAbsences(tomorrow(10, 30));
    expect(await soon.c.first((m) => m.type === 'test.reminder')).toEqual({ type: 'test.reminder' });
    await overdue.c.first((m) => m.type === 'test.reminder');
    await f.service.dispatcher.checkAbsences(tomorrow(15, 0)); // once a day
    await quiet();
    expect(reminders(soon.c)).toHaveLength(1);
    expect(reminders(tested.c)).toEqual([]);

    // the overdue resident tests their button: off the list, and it opened nothing
    await publish(overdue.c.client, topics.deviceEvents(overdue.d.id), event('button.pressed', { test: true }).payload);
    await overdue.c.first((m) => m.type === 'test.ok');
    expect(mine(await untested())).toEqual([]);
    expect(await alarmsOf(centre.grid.id)).toEqual([]);
  });

  it('the list is inside the login area: staff of another area do not see an overdue resident', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    await registeredAgo(centre.pendant, 10 * DAY);
    const elsewhere = await provisionCentre(f.api, { caregivers: 1 });
    const password = 'area-op-password-1';
    await f.api.create('/api/users', { username: `bt-op-${kind}`, password, role: 'operator', areaId: elsewhere.grid.id });
    const op = apiClient(f.service.httpUrl);
    await op.login(`bt-op-${kind}`, password);
    expect((await untested()).map((x) => x.residentId)).toContain(centre.resident.id);
    const theirs = await op.get('/api/residents/untested');
    expect(theirs.status).toBe(200);
    expect(theirs.body.map((x: { residentId: string }) => x.residentId)).not.toContain(centre.resident.id);
  });
});
