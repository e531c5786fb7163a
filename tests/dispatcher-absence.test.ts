/**
 * Alarms for what did NOT happen, end to end: the whole service (embedded database in a temp
 * dir, embedded broker), devices and wrists as real MQTT clients, events published over MQTT.
 * Time passing is simulated by calling `dispatcher.checkAbsences(now)` with a `now` in the
 * future; the service's own clock (and its once-a-minute absence-check job) keeps running on
 * real time, so every scenario is built such that a sweep at the real time finds nothing.
 *
 * NIGHT_HOURS makes the current local hour and the two after it night: a bed exit now is a
 * night-time one, and "four hours from now" is day.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { isNight } from '../dispatch-console/core/alarm-rules.ts';
import { localClock, localHour } from '../dispatch-console/core/local-clock.ts';
import { createLogger } from '../common/logger.ts';
import { maintenanceJobs } from '../runtime/maintenance.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { connectDevice, connectWearable, provisionCentre, type TimelineRow } from './helpers/care-centre.ts';
import { useService } from './helpers/service-fixture.ts';

type Centre = Awaited<ReturnType<typeof provisionCentre>>;
type Device = { id: string; secret: string };

const MIN = 60_000;
const HOUR = 60 * MIN;
const H = localHour(new Date());
const NIGHT = { start: H, end: (H + 3) % 24 };
const BED_RETURN_MINUTES = 30;
const INACTIVITY_HOURS = 1;
const ENV = {
  NIGHT_HOURS: `${NIGHT.start}-${NIGHT.end}`,
  BED_RETURN_MINUTES: String(BED_RETURN_MINUTES),
  CHECKIN_BY: '10:00',
  CHECKIN_GRACE_MINUTES: '60',
  INACTIVITY_HOURS: String(INACTIVITY_HOURS),
};

/** Every message a client receives, so none is missed between waits. */
function inbox(client: MqttClient) {
  const seen: Array<{ topic: string; msg: any }> = [];
  client.on('message', (topic, payload) => seen.push({ topic, msg: JSON.parse(payload.toString()) }));
  const matching = (pred: (m: any) => boolean) => seen.filter((s) => pred(s.msg)).map((s) => s.msg);
  return { client, seen, matching, first: (pred: (m: any) => boolean, ms = 5_000) => waitFor(async () => matching(pred)[0], ms, 10) };
}
type Inbox = ReturnType<typeof inbox>;

let seq = 0;
const deviceEvent = (type: string, ts = new Date()) => JSON.stringify({ id: `ab-${process.pid}-${Date.now()}-${++seq}`, type, ts: ts.toISOString(), data: {} });
const rows = (timeline: TimelineRow[], code: string) => timeline.filter((t) => t.code === code);
const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('absence alarms end to end (bed exit, check-in, inactivity)', () => {
  const { f, track } = useService(ENV, 'postgres');
  const sweep = (at: Date) => f.service.dispatcher.checkAbsences(at);
  const addDevice = async (residentId: string, kind: string) => (await f.api.create('/api/devices', { kind, residentId })) as Device;
  const device = async (d: Device) => inbox(track(await connectDevice(f.service.mqttUrl, d)));
  const send = (c: Inbox, d: Device, payload: string) => publish(c.client, topics.deviceEvents(d.id), payload); // resolves on PUBACK: stored
  /** When the gateway received a device's latest event of a type (what the rules count), and its id. */
  const received = async (d: Device, type: string) => {
    const r = await f.service.db.query<{ at: Date; eventId: string }>(
      'SELECT received_at AS at, event_id AS "eventId" FROM events WHERE device_id = $1 AND type = $2 ORDER BY received_at DESC LIMIT 1',
      [d.id, type],
    );
    expect(r.rows).toHaveLength(1);
    return r.rows[0]!;
  };
  const alarm = async (id: string) => {
    const r = await f.api.call('GET', `/api/alarms/${id}`);
    expect(r.status).toBe(200);
    return r.body as Record<string, any> & { timeline: TimelineRow[] };
  };
  const alarmsOf = async (centre: Centre, status: 'open' | 'all' = 'open') => {
    const r = await f.api.call('GET', `/api/alarms?status=${status}&areaId=${centre.grid.id}`);
    expect(r.status).toBe(200);
    return r.body as Array<Record<string, any>>;
  };
  /** The caregivers' wrists, connected and online in the directory. */
  const wrists = async (centre: Centre) => {
    const out = [];
    for (const c of centre.caregivers) out.push(inbox(track(await connectWearable(f.service.mqttUrl, c.wearable))));
    for (const c of centre.caregivers) await waitFor(async () => (await f.api.call('GET', `/api/devices/${c.wearable.id}`)).body.online === true);
    return out;
  };
  const alertsOn = (ws: Inbox[], pred: (m: any) => boolean = () => true) => ws.flatMap((w) => w.matching((m) => m.type === 'alarm.alert' && pred(m)));
  const firstAlert = (ws: Inbox[], pred: (m: any) => boolean) => waitFor(async () => alertsOn(ws, pred)[0], 5_000, 10);
  const resolve = async (id: string) => expect((await f.api.call('POST', `/api/alarms/${id}/resolve`, { outcome: 'assisted' })).status).toBe(200);

  it('the scenario clock: this hour is night, four hours on is day', () => {
    expect(isNight(localHour(new Date()), NIGHT)).toBe(true);
    expect(isNight(localHour(new Date(Date.now() + 4 * HOUR)), NIGHT)).toBe(false);
  });

  it('a night-time bed exit without return: one emergency bed.no_return alarm after BED_RETURN_MINUTES, raised once, not again once resolved', async () => {
    const centre = await provisionCentre(f.api);
    const bed = await addDevice(centre.resident.id, 'bed_sensor');
    const ws = await wrists(centre);
    const bedC = await device(bed);

    await send(bedC, bed, deviceEvent('bed.exit'));
    const exit = await received(bed, 'bed.exit');
    expect(isNight(localHour(exit.at), NIGHT)).toBe(true);
    const after = (min: number) => new Date(exit.at.getTime() + min * MIN);

    // still within the time to come back: nothing
    await sweep(after(BED_RETURN_MINUTES - 1));
    expect(await alarmsOf(centre, 'all')).toEqual([]);

    const counts = await sweep(after(BED_RETURN_MINUTES));
    expect(counts.raised).toBeGreaterThanOrEqual(1);
    const [open, ...more] = await alarmsOf(centre);
    expect(more).toEqual([]);
    expect(open).toMatchObject({
      status: 'open',
      kind: 'bed.no_return',
      priority: 'emergency',
      residentId: centre.resident.id,
      deviceId: bed.id,
      areaId: centre.grid.id,
      eventCount: 1,
      step: 1,
    });
    expect(Date.parse(open!.raisedAt)).toBe(after(BED_RETURN_MINUTES).getTime());
    // a caregiver on duty in the grid is alerted at once, with the kind on the wrist
    const alert = await firstAlert(ws, (m) => m.alarmId === open!.id);
    expect(alert).toMatchObject({ type: 'alarm.alert', kind: 'bed.no_return', priority: 'emergency', step: 1, resident: { id: centre.resident.id, name: 'Huang Xueying' } });
    const a = await alarm(open!.id);
    expect(rows(a.timeline, 'alarm.raised')[0]!.detail).toMatchObject({
      deviceId: bed.id,
      eventId: `bed:${bed.id}:${exit.eventId}`,
      type: 'bed.no_return',
      priority: 'emergency',
      data: { since: exit.at.toISOString() },
    });

    // later sweeps: still the one alarm, nothing new on it, no second alert
    const timelineLength = a.timeline.length;
    const alertsBefore = alertsOn(ws).length;
    await sweep(after(BED_RETURN_MINUTES + 5));
    await sweep(after(BED_RETURN_MINUTES + 10));
    await quiet();
    expect((await alarmsOf(centre, 'all')).map((x) => x.id)).toEqual([open!.id]);
    expect((await alarm(open!.id)).timeline).toHaveLength(timelineLength);
    expect(alertsOn(ws)).toHaveLength(alertsBefore);

    // resolved, and the resident still not back in bed: the same absence is not raised again
    // (not even for a moment: no alert, no withdrawal on any wrist)
    await resolve(open!.id);
    await waitFor(async () => ws.some((w) => w.matching((m) => m.type === 'alarm.closed').length > 0));
    await quiet(100);
    const messagesBefore = ws.map((w) => w.seen.length);
    await sweep(after(BED_RETURN_MINUTES + 20));
    await sweep(after(3 * 60));
    await quiet();
    expect(await alarmsOf(centre)).toEqual([]);
    expect((await alarmsOf(centre, 'all')).map((x) => [x.id, x.status])).toEqual([[open!.id, 'resolved']]);
    expect(ws.map((w) => w.seen.length)).toEqual(messagesBefore);
  });

  it('a bed exit followed by bed.enter raises nothing', async () => {
    const centre = await provisionCentre(f.api);
    const bed = await addDevice(centre.resident.id, 'bed_sensor');
    const ws = await wrists(centre);
    const bedC = await device(bed);
    await send(bedC, bed, deviceEvent('bed.exit'));
    await send(bedC, bed, deviceEvent('bed.enter'));
    const exit = await received(bed, 'bed.exit');
    expect(isNight(localHour(exit.at), NIGHT)).toBe(true);
    for (const min of [BED_RETURN_MINUTES, BED_RETURN_MINUTES + 30, 5 * 60]) await sweep(new Date(exit.at.getTime() + min * MIN));
    await quiet();
    expect(await alarmsOf(centre, 'all')).toEqual([]);
    expect(alertsOn(ws)).toEqual([]);
  });

  it('an absence while the resident has an open alarm joins it (event.joined) instead of opening another', async () => {
    const centre = await provisionCentre(f.api);
    const bed = await addDevice(centre.resident.id, 'bed_sensor');
    const ws = await wrists(centre);
    const bedC = await device(bed);
    const pendant = await device(centre.pendant);

    await send(bedC, bed, deviceEvent('bed.exit'));
    const exit = await received(bed, 'bed.exit');
    await send(pendant, centre.pendant, deviceEvent('button.pressed'));
    const [pressed] = await alarmsOf(centre);
    expect(pressed).toMatchObject({ kind: 'button.pressed', priority: 'emergency', eventCount: 1 });
    await firstAlert(ws, (m) => m.alarmId === pressed!.id);
    const alertsBefore = alertsOn(ws).length;
    const messagesBefore = ws.map((w) => w.seen.length);

    await sweep(new Date(exit.at.getTime() + (BED_RETURN_MINUTES + 1) * MIN));
    expect((await alarmsOf(centre, 'all')).map((x) => x.id)).toEqual([pressed!.id]);
    await quiet();
    expect(ws.map((w) => w.seen.length)).toEqual(messagesBefore); // no alert for an alarm of its own, not even for a moment
    const a = await alarm(pressed!.id);
    expect(a).toMatchObject({ status: 'open', kind: 'button.pressed', priority: 'emergency', eventCount: 2, step: 1 });
    expect(rows(a.timeline, 'event.joined').map((r) => r.detail)).toEqual([{ deviceId: bed.id, eventId: `bed:${bed.id}:${exit.eventId}`, type: 'bed.no_return' }]);
    expect(rows(a.timeline, 'alarm.raised')).toHaveLength(1);
    expect(rows(a.timeline, 'priority.raised')).toEqual([]); // an emergency already

    // joined once: later sweeps add nothing, and the wrists hear nothing new
    await sweep(new Date(exit.at.getTime() + (BED_RETURN_MINUTES + 10) * MIN));
    await quiet();
    const again = await alarm(pressed!.id);
    expect(again.eventCount).toBe(2);
    expect(again.timeline).toHaveLength(a.timeline.length);
    expect(alertsOn(ws)).toHaveLength(alertsBefore);

    // and not raised on its own once that alarm is resolved: it is part of it
    await resolve(pressed!.id);
    await sweep(new Date(exit.at.getTime() + (BED_RETURN_MINUTES + 20) * MIN));
    expect(await alarmsOf(centre)).toEqual([]);
  });

  it('an emergency absence beside an open service request opens its own emergency; the order stays as it was (DESIGN "Service orders")', async () => {
    const centre = await provisionCentre(f.api);
    const bed = await addDevice(centre.resident.id, 'bed_sensor');
    const ws = await wrists(centre);
    const bedC = await device(bed);
    const pendant = await device(centre.pendant);

    await send(bedC, bed, deviceEvent('bed.exit'));
    const exit = await received(bed, 'bed.exit');
    await send(pendant, centre.pendant, JSON.stringify({ id: `ab-svc-${++seq}`, type: 'service.request', data: { service: 'meal' } }));
    const [request] = await alarmsOf(centre);
    expect(request).toMatchObject({ kind: 'service.request', priority: 'service' });

    await sweep(new Date(exit.at.getTime() + (BED_RETURN_MINUTES + 1) * MIN));
    const all = await alarmsOf(centre, 'all');
    expect(all).toHaveLength(2);
    const emergency = all.find((x) => x.id !== request!.id)!;
    expect(emergency).toMatchObject({ status: 'open', kind: 'bed.no_return', priority: 'emergency', eventCount: 1 });
    expect(await alarm(request!.id)).toMatchObject({ status: 'open', kind: 'service.request', priority: 'service', eventCount: 1 });
    const raised = await firstAlert(ws, (m) => m.alarmId === emergency.id && m.priority === 'emergency');
    expect(raised).toMatchObject({ kind: 'bed.no_return', step: 1 });
    await resolve(emergency.id);
    await resolve(request!.id);
  });

  it('daily check-in: the gateway receive time counts; a reminder once between CHECKIN_BY and the grace, then one checkin.missed alarm', async () => {
    const centre = await provisionCentre(f.api);
    const pendant = await device(centre.pendant);
    // a neighbour who checked in "tomorrow" morning (by receive time), and one not on the programme (checked in 8 days ago, not opted in)
    const post = f.api.create;
    const neighbour = await post('/api/residents', { name: 'Zhou Min', areaId: centre.grid.id, address: '14 Jade Lane', phone: '+8613800000001', contacts: [] });
    const neighbourPendant = await addDevice(neighbour.id, 'pendant');
    const neighbourC = await device(neighbourPendant);
    const lapsed = await post('/api/residents', { name: 'Qian Li', areaId: centre.grid.id, address: '16 Jade Lane', phone: '+8613800000002', contacts: [] });
    const lapsedPendant = await addDevice(lapsed.id, 'pendant');
    const lapsedC = await device(lapsedPendant);
    // opting in is explicit (the resident's settings): the lapsed resident, who once checked in, did not
    for (const id of [centre.resident.id, neighbour.id]) expect((await f.api.call('PATCH', `/api/residents/${id}`, { settings: { checkinBy: true } })).status).toBe(200);

    // tomorrow's local wall times (the sweeps run "tomorrow"; today's check-in is yesterday's then)
    const tomorrowStart = localClock(new Date(localClock(new Date()).dayStart.getTime() + 36 * HOUR)).dayStart;
    const tomorrow = (h: number, m: number) => {
      const t = new Date(tomorrowStart.getTime() + (h * 60 + m) * MIN);
      expect([localClock(t).hour, localClock(t).minute]).toEqual([h, m]);
      return t;
    };
    const insertCheckin = (d: Device, residentId: string, at: Date) =>
      f.service.db.query(`INSERT INTO events (received_at, device_id, resident_id, event_id, type, data) VALUES ($1, $2, $3, $4, 'checkin', '{}')`, [
        at.toISOString(),
        d.id,
        residentId,
        `ins-${++seq}`,
      ]);
    await insertCheckin(neighbourPendant, neighbour.id, tomorrow(8, 0));
    await insertCheckin(lapsedPendant, lapsed.id, new Date(tomorrow(10, 0).getTime() - 8 * 24 * HOUR));

    // received now (today), though its device clock says tomorrow 09:00: by receive time it is not tomorrow's check-in
    await send(pendant, centre.pendant, deviceEvent('checkin', tomorrow(9, 0)));
    const checkin = await received(centre.pendant, 'checkin');
    expect(checkin.at.getTime()).toBeLessThan(tomorrowStart.getTime());

    const reminders = (c: Inbox) => c.matching((m) => m.type === 'checkin.reminder');
    await sweep(tomorrow(9, 59)); // before CHECKIN_BY
    await quiet();
    expect(reminders(pendant)).toEqual([]);

    await sweep(tomorrow(10, 15));
    expect(await pendant.first((m) => m.type === 'checkin.reminder')).toEqual({ type: 'checkin.reminder' });
    await sweep(tomorrow(10, 30));
    await sweep(tomorrow(10, 59));
    await quiet();
    expect(reminders(pendant)).toHaveLength(1);
    expect(await alarmsOf(centre, 'all')).toEqual([]);

    await sweep(tomorrow(11, 5));
    const [missed, ...more] = await alarmsOf(centre);
    expect(more).toEqual([]);
    expect(missed).toMatchObject({ status: 'open', kind: 'checkin.missed', priority: 'emergency', residentId: centre.resident.id, deviceId: centre.pendant.id });
    expect(Date.parse(missed!.raisedAt)).toBe(tomorrow(11, 5).getTime());
    const a = await alarm(missed!.id);
    expect(rows(a.timeline, 'alarm.raised')[0]!.detail).toMatchObject({
      type: 'checkin.missed',
      eventId: `checkin:${centre.resident.id}:${localClock(tomorrowStart).day}`,
      data: { since: tomorrowStart.toISOString() },
    });

    await sweep(tomorrow(11, 30));
    await sweep(tomorrow(16, 0));
    await quiet();
    expect((await alarmsOf(centre, 'all')).map((x) => x.id)).toEqual([missed!.id]);
    expect(reminders(pendant)).toHaveLength(1);
    // the neighbour checked in that morning, the lapsed resident is not on the programme
    expect(reminders(neighbourC)).toEqual([]);
    expect(reminders(lapsedC)).toEqual([]);
    expect((await alarmsOf(centre, 'all')).filter((x) => x.residentId !== centre.resident.id)).toEqual([]);
    await resolve(missed!.id);
  });

  it('inactivity: no movement for INACTIVITY_HOURS by day raises one urgent alarm; not at night; a new quiet spell is a new alarm', async () => {
    const centre = await provisionCentre(f.api);
    const motion = await addDevice(centre.resident.id, 'motion_sensor');
    const ws = await wrists(centre);
    const motionC = await device(motion);

    await send(motionC, motion, deviceEvent('motion'));
    const last = await received(motion, 'motion');
    const after = (min: number) => new Date(last.at.getTime() + min * MIN);

    // over an hour without movement, but at night: asleep
    const night = after(INACTIVITY_HOURS * 60 + 5);
    expect(isNight(localHour(night), NIGHT)).toBe(true);
    await sweep(night);
    expect(await alarmsOf(centre, 'all')).toEqual([]);

    // by day
    const day = after(4 * 60);
    expect(isNight(localHour(day), NIGHT)).toBe(false);
    await sweep(day);
    const [open, ...more] = await alarmsOf(centre);
    expect(more).toEqual([]);
    expect(open).toMatchObject({ status: 'open', kind: 'inactivity', priority: 'urgent', residentId: centre.resident.id, deviceId: motion.id });
    const alert = await firstAlert(ws, (m) => m.alarmId === open!.id);
    expect(alert).toMatchObject({ kind: 'inactivity', priority: 'urgent', resident: { id: centre.resident.id } });
    const a = await alarm(open!.id);
    expect(rows(a.timeline, 'alarm.raised')[0]!.detail).toMatchObject({
      eventId: `inactive:${centre.resident.id}:${last.at.toISOString()}`,
      data: { since: last.at.toISOString() },
    });

    await sweep(after(4 * 60 + 30));
    expect((await alarmsOf(centre, 'all')).map((x) => x.id)).toEqual([open!.id]);
    await resolve(open!.id);
    await waitFor(async () => ws.some((w) => w.matching((m) => m.type === 'alarm.closed').length > 0));
    await quiet(100);
    const messagesBefore = ws.map((w) => w.seen.length);
    await sweep(after(5 * 60)); // the same quiet spell: not again, not even for a moment
    await quiet();
    expect(await alarmsOf(centre)).toEqual([]);
    expect(ws.map((w) => w.seen.length)).toEqual(messagesBefore);

    // movement again, then quiet again: that is a new absence
    await send(motionC, motion, deviceEvent('motion'));
    const next = await received(motion, 'motion');
    expect(next.at.getTime()).toBeGreaterThan(last.at.getTime());
    await sweep(new Date(next.at.getTime() + 4 * HOUR));
    const [second] = await alarmsOf(centre);
    expect(second).toMatchObject({ kind: 'inactivity', priority: 'urgent' });
    expect(second!.id).not.toBe(open!.id);
    await resolve(second!.id);
  });

  it('the absence-check maintenance job sweeps at the real time: here, nothing is due', async () => {
    const job = maintenanceJobs(f.service.db, createLogger('silent'), f.service.dispatcher).find((j) => j.name === 'absence-check');
    expect(job).toBeDefined();
    const open = (await f.api.call('GET', '/api/alarms?status=open')).body.length;
    const counts = await job!.run();
    expect(counts).toMatchObject({ reminded: 0, raised: 0 });
    expect(counts.residents).toBeGreaterThan(0);
    expect((await f.api.call('GET', '/api/alarms?status=open')).body.length).toBe(open);
  });
});
