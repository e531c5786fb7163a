/**
 * Per-resident settings end to end, on both databases: the API (validation, effective settings),
 * and the rules they change with real MQTT devices and wrists. Time is compressed the way
 * dispatcher-absence.test.ts does it: `dispatcher.checkAbsences(at)` with an `at` in the
 * future and small settings (inactivity 1 h, waking all day); every scenario is built so that
 * the service's own once-a-minute sweep at the real time finds nothing.
 *
 * NIGHT_HOURS makes the current local hour (and the two after) night: a door opening now is at night.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { localClock, localHour } from '../dispatch-console/core/local-clock.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { connectDevice, connectWearable, provisionCentre } from './helpers/care-centre.ts';
import { useService } from './helpers/service-fixture.ts';

type Centre = Awaited<ReturnType<typeof provisionCentre>>;
type Device = { id: string; secret: string };

const MIN = 60_000;
const HOUR = 60 * MIN;
const H = localHour(new Date());
const ENV = { NIGHT_HOURS: `${H}-${(H + 3) % 24}`, CHECKIN_BY: '10:00', CHECKIN_GRACE_MINUTES: '60', CANCEL_WINDOW_S: '120' };

function inbox(client: MqttClient) {
  const seen: any[] = [];
  client.on('message', (_t, payload) => seen.push(JSON.parse(payload.toString())));
  const matching = (pred: (m: any) => boolean) => seen.filter(pred);
  return { client, matching, first: (pred: (m: any) => boolean) => waitFor(async () => matching(pred)[0], 5_000, 10) };
}
type Inbox = ReturnType<typeof inbox>;

let seq = 0;
const event = (type: string, data: Record<string, unknown> = {}) => JSON.stringify({ id: `rs-${process.pid}-${Date.now()}-${++seq}`, type, ts: new Date().toISOString(), data });
const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe.each(['embedded', 'postgres'] as const)('per-resident settings end to end (%s)', (kind) => {
  const { f, track } = useService(ENV, kind);
  const sweep = (at: Date) => f.service.dispatcher.checkAbsences(at);
  const addDevice = async (residentId: string, k: string) => (await f.api.create('/api/devices', { kind: k, residentId })) as Device;
  const device = async (d: Device) => inbox(track(await connectDevice(f.service.mqttUrl, d)));
  const send = (c: Inbox, d: Device, payload: string) => publish(c.client, topics.deviceEvents(d.id), payload);
  const patch = async (id: string, settings: unknown) => f.api.call('PATCH', `/api/residents/${id}`, { settings });
  // the residents' alarms (a grid's technical coverage alarm is not one of theirs)
  const alarmsOf = async (centre: Centre, status: 'open' | 'all' = 'open') =>
    ((await f.api.call('GET', `/api/alarms?status=${status}&areaId=${centre.grid.id}`)).body as Array<Record<string, any>>).filter((a) => a.residentId !== null);
  const wrists = async (centre: Centre) => {
    const out = [];
    for (const c of centre.caregivers) out.push(inbox(track(await connectWearable(f.service.mqttUrl, c.wearable))));
    for (const c of centre.caregivers) await waitFor(async () => (await f.api.call('GET', `/api/devices/${c.wearable.id}`)).body.online === true);
    return out;
  };
  const lastReceived = async (d: Device, type: string) =>
    (await f.service.db.query<{ at: Date }>('SELECT received_at AS at FROM events WHERE device_id = $1 AND type = $2 ORDER BY received_at DESC LIMIT 1', [d.id, type])).rows[0]!.at;

  it('GET answers the effective settings and which came from the resident; a PATCH is validated field by field and replaces the whole object', async () => {
    const { resident } = await provisionCentre(f.api, { caregivers: 1 });
    const before = (await f.api.call('GET', `/api/residents/${resident.id}`)).body;
    expect(before.settings).toEqual({});
    expect(before.effectiveSettings).toEqual({ inactivityHours: 12, wakingHours: `${String((H + 3) % 24).padStart(2, '0')}-${String(H).padStart(2, '0')}`, checkinBy: null, nightDoorAlarm: true, bedReturnMinutes: 30, cancelWindowS: 120, away: null, fromResident: [] });

    for (const bad of [{ inactivityHours: 0 }, { inactivityHours: 100 }, { wakingHours: '7-22' }, { checkinBy: '10:60' }, { cancelWindowS: -5 }, { bedReturnMinutes: 0 }, { away: { from: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' } }, { nightDoorAlarm: 'yes' }, { colour: 'red' }]) {
      expect((await patch(resident.id, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const r = await patch(resident.id, { checkinBy: true, cancelWindowS: 30, wakingHours: '08-20' });
    expect(r.status).toBe(200);
    expect(r.body.settings).toEqual({ checkinBy: true, cancelWindowS: 30, wakingHours: '08-20' });
    expect(r.body.effectiveSettings).toMatchObject({ checkinBy: '10:00', cancelWindowS: 30, wakingHours: '08-20', inactivityHours: 12, fromResident: ['wakingHours', 'checkinBy', 'cancelWindowS'] });
    // replaced whole: cancelWindowS is the default again
    const again = await patch(resident.id, { checkinBy: '09:15' });
    expect(again.body.effectiveSettings).toMatchObject({ checkinBy: '09:15', cancelWindowS: 120, fromResident: ['checkinBy'] });
    expect((await f.api.call('GET', '/api/residents')).body.find((x: any) => x.id === resident.id).settings).toEqual({ checkinBy: '09:15' });
  });

  it('away: no inactivity alarm while the motion sensor is silent, an emergency press still routes; back home, the silence counts from the return', async () => {
    const centre = await provisionCentre(f.api);
    const motion = await addDevice(centre.resident.id, 'motion_sensor');
    const ws = await wrists(centre);
    const motionC = await device(motion);
    const pendant = await device(centre.pendant);
    await send(motionC, motion, event('motion'));
    const last = await lastReceived(motion, 'motion');
    const until = new Date(last.getTime() + 6 * HOUR);
    const away = { from: new Date(last.getTime() - MIN).toISOString(), until: until.toISOString(), reason: 'hospital' };
    expect((await patch(centre.resident.id, { inactivityHours: 1, wakingHours: '00-24', away })).status).toBe(200);

    for (const h of [2, 4, 5.9]) await sweep(new Date(last.getTime() + h * HOUR));
    expect(await alarmsOf(centre, 'all')).toEqual([]);

    await send(pendant, centre.pendant, event('button.pressed'));
    const [pressed] = await alarmsOf(centre);
    expect(pressed).toMatchObject({ kind: 'button.pressed', priority: 'emergency', residentId: centre.resident.id });
    await waitFor(async () => ws.some((w) => w.matching((m) => m.type === 'alarm.alert' && m.alarmId === pressed!.id).length > 0) || undefined);
    expect((await f.api.call('POST', `/api/alarms/${pressed!.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);

    // back at `until`: an hour later (not 6 h of silence at once) is the first inactivity
    await sweep(new Date(until.getTime() + 30 * MIN));
    expect(await alarmsOf(centre)).toEqual([]);
    await sweep(new Date(until.getTime() + HOUR));
    const [inactive, ...more] = await alarmsOf(centre);
    expect(more).toEqual([]);
    expect(inactive).toMatchObject({ kind: 'inactivity', priority: 'urgent', deviceId: motion.id });
    expect((await f.api.call('POST', `/api/alarms/${inactive!.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
  });

  it('checkinBy: only residents who opted in are reminded and raise a missed check-in; the reminder reaches their button', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    const pendant = await device(centre.pendant);
    const other = await f.api.create('/api/residents', { name: 'Sun Yi', areaId: centre.grid.id, contacts: [] });
    const otherPendant = await addDevice(other.id, 'pendant');
    const otherC = await device(otherPendant);
    // both checked in "yesterday" (today, by receive time; the sweeps run tomorrow); only one opted in
    await send(pendant, centre.pendant, event('checkin'));
    await send(otherC, otherPendant, event('checkin'));
    expect((await patch(centre.resident.id, { checkinBy: '08:30' })).status).toBe(200);
    expect((await patch(other.id, { checkinBy: null })).status).toBe(200);

    const tomorrowStart = localClock(new Date(localClock(new Date()).dayStart.getTime() + 36 * HOUR)).dayStart;
    const tomorrow = (h: number, m: number) => new Date(tomorrowStart.getTime() + (h * 60 + m) * MIN);
    await sweep(tomorrow(8, 29));
    await quiet();
    expect(pendant.matching((m) => m.type === 'checkin.reminder')).toEqual([]);
    await sweep(tomorrow(8, 30));
    expect(await pendant.first((m) => m.type === 'checkin.reminder')).toEqual({ type: 'checkin.reminder' });
    await sweep(tomorrow(9, 30));
    const [missed, ...more] = await alarmsOf(centre);
    expect(more).toEqual([]);
    expect(missed).toMatchObject({ kind: 'checkin.missed', priority: 'emergency', residentId: centre.resident.id, deviceId: centre.pendant.id });
    await sweep(tomorrow(12, 0));
    await quiet();
    expect(otherC.matching((m) => m.type === 'checkin.reminder')).toEqual([]);
    expect((await alarmsOf(centre, 'all')).map((a) => a.id)).toEqual([missed!.id]);
    expect((await f.api.call('POST', `/api/alarms/${missed!.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
  });

  it('nightDoorAlarm: a door opening at night alarms for the resident who wanders, not for one set to false', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    await wrists(centre);
    const calm = await f.api.create('/api/residents', { name: 'Ma Jun', areaId: centre.grid.id, contacts: [] });
    const wanderDoor = await addDevice(centre.resident.id, 'door_sensor');
    const calmDoor = await addDevice(calm.id, 'door_sensor');
    expect((await patch(centre.resident.id, { nightDoorAlarm: true })).status).toBe(200);
    expect((await patch(calm.id, { nightDoorAlarm: false })).status).toBe(200);
    const wanderC = await device(wanderDoor);
    const calmC = await device(calmDoor);

    await send(calmC, calmDoor, event('door.opened'));
    await send(wanderC, wanderDoor, event('door.opened'));
    const [open, ...more] = await alarmsOf(centre);
    expect(more).toEqual([]);
    expect(open).toMatchObject({ kind: 'door.opened', priority: 'urgent', residentId: centre.resident.id, deviceId: wanderDoor.id });
    expect((await f.api.call('POST', `/api/alarms/${open!.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
    expect((await alarmsOf(centre, 'all')).filter((a) => a.residentId === calm.id)).toEqual([]);
  });

  it('cancelWindowS: a resident with 0 s cannot cancel their press as a false alarm; the default 120 s can', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    await wrists(centre);
    const pendant = await device(centre.pendant);
    expect((await patch(centre.resident.id, { cancelWindowS: 0 })).status).toBe(200);
    await send(pendant, centre.pendant, event('button.pressed'));
    const [a] = await alarmsOf(centre);
    await quiet(20);
    await send(pendant, centre.pendant, event('cancel'));
    const late = await waitFor(async () => {
      const r = (await f.api.call('GET', `/api/alarms/${a!.id}`)).body;
      return r.timeline.some((t: any) => t.code === 'cancel.late') && r;
    });
    expect(late.status).not.toBe('cancelled');
    expect((await f.api.call('POST', `/api/alarms/${a!.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);

    expect((await patch(centre.resident.id, {})).status).toBe(200);
    await send(pendant, centre.pendant, event('button.pressed'));
    const [b] = await alarmsOf(centre);
    await send(pendant, centre.pendant, event('cancel'));
    await waitFor(async () => (await f.api.call('GET', `/api/alarms/${b!.id}`)).body.status === 'cancelled' || undefined);
  });
});
