import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { ack, connectDevice, connectWearable, provisionCentre } from './helpers/care-centre.ts';
import { useService } from './helpers/service-fixture.ts';
import type { TimelineRow } from './helpers/care-centre.ts';
import { apiClient } from './helpers/api-client.ts';

type Centre = Awaited<ReturnType<typeof provisionCentre>>;

/** Every message a client receives, kept with its arrival time, so none is missed between waits. */
function inbox(client: MqttClient) {
  const seen: Array<{ topic: string; msg: any; at: number }> = [];
  client.on('message', (topic, payload) => seen.push({ topic, msg: JSON.parse(payload.toString()), at: performance.now() }));
  const matching = (pred: (m: any) => boolean) => seen.filter((s) => pred(s.msg));
  return {
    client,
    seen,
    matching,
    /** The first message (already received or still to come) that matches. */
    first: (pred: (m: any) => boolean, ms = 5_000) => waitFor(async () => matching(pred)[0], ms, 10),
  };
}

let seq = 0;
/** A device event as sent on the wire, kept so that it can be retransmitted byte for byte. */
const deviceEvent = (type: string, data: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `lc-${process.pid}-${Date.now()}-${++seq}`, type, ts: new Date().toISOString(), data });
const send = (c: MqttClient, deviceId: string, payload: string) => publish(c, topics.deviceEvents(deviceId), payload);

const codes = (timeline: TimelineRow[]) => timeline.map((t) => t.code);
const rows = (timeline: TimelineRow[], code: string) => timeline.filter((t) => t.code === code);

/** One service (embedded database in a temp dir) for a describe block, with its API and MQTT clients. */
function serviceFixture(env: Record<string, string>) {
  const { f, track } = useService(env);
  return {
    f,
    track,
    alarm: async (id: string) => {
      const r = await f.api.call('GET', `/api/alarms/${id}`);
      expect(r.status).toBe(200);
      return r.body as Record<string, any> & { timeline: TimelineRow[]; notifications: Array<Record<string, any>> };
    },
    openAlarmsOf: async (centre: Centre) => {
      const r = await f.api.call('GET', `/api/alarms?status=open&areaId=${centre.grid.id}`);
      expect(r.status).toBe(200);
      return r.body as Array<Record<string, any>>;
    },
    /** The resident's pendant and the caregivers' wrists, connected, the wrists online in the directory. */
    connect: async (centre: Centre) => {
      const pendant = inbox(track(await connectDevice(f.service.mqttUrl, centre.pendant)));
      const wrists = [];
      for (const c of centre.caregivers) wrists.push(inbox(track(await connectWearable(f.service.mqttUrl, c.wearable))));
      for (const c of centre.caregivers) await waitFor(async () => (await f.api.call('GET', `/api/devices/${c.wearable.id}`)).body.online === true);
      return { pendant, wrists };
    },
  };
}

// (escalation timing, the console repeats and the watchdog are in dispatcher-timing.test.ts, on a manual clock)
const STEP_S = 60;
const FAST_POLICY = JSON.stringify({
  emergency: {
    steps: [
      { kind: 'next_in_grid', acceptWithinS: STEP_S },
      { kind: 'all_in_grid', acceptWithinS: STEP_S },
      { kind: 'console', acceptWithinS: STEP_S },
    ],
  },
});

describe('no cancel window', () => {
  const { f, alarm, connect } = serviceFixture({ ALARM_POLICY: FAST_POLICY, CANCEL_WINDOW_S: '0' });

  it('a resident cancel after CANCEL_WINDOW_S is noted as late; the alarm stays open and the operator is called', async () => {
    const centre = await provisionCentre(f.api);
    const { pendant, wrists } = await connect(centre);
    await send(pendant.client, centre.pendant.id, deviceEvent('button.pressed'));
    const alarmId: string = (await wrists[0]!.first((m) => m.type === 'alarm.alert')).msg.alarmId;

    await send(pendant.client, centre.pendant.id, deviceEvent('cancel')); // PUBACK once handled
    const a = await alarm(alarmId);
    expect(a).toMatchObject({ status: 'open', outcome: null, closedAt: null });
    const late = rows(a.timeline, 'cancel.late');
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ actorKind: 'resident' });
    expect(rows(a.timeline, 'console.called').map((r) => r.detail.reason)).toContain('resident_cancel_too_late');
    expect(codes(a.timeline)).not.toContain('alarm.cancelled');
    await new Promise((r) => setTimeout(r, 200));
    expect(pendant.matching((m) => m.type === 'alarm.resolved')).toHaveLength(0);
    expect(wrists[0]!.matching((m) => m.type === 'alarm.closed')).toHaveLength(0);

    expect((await f.api.call('POST', `/api/alarms/${alarmId}/cancel`, {})).status).toBe(200);
  });
});

const SLOW_S = 20;
const SLOW_POLICY = JSON.stringify({
  emergency: {
    steps: [
      { kind: 'next_in_grid', acceptWithinS: SLOW_S },
      { kind: 'all_in_grid', acceptWithinS: SLOW_S },
      { kind: 'console', acceptWithinS: SLOW_S },
    ],
  },
});

describe('alarm lifecycle end to end (20 s steps, default cancel window)', () => {
  const { f, track, alarm, openAlarmsOf, connect } = serviceFixture({ ALARM_POLICY: SLOW_POLICY });

  it('nobody on duty in the grid: the alarm skips at once to the console step', async () => {
    const centre = await provisionCentre(f.api, { onShift: false });
    const { pendant, wrists } = await connect(centre);
    const t0 = Date.now();
    await send(pendant.client, centre.pendant.id, deviceEvent('fall.detected')); // PUBACK: the alarm is committed
    const [open] = await openAlarmsOf(centre);
    expect(open).toBeDefined();
    const a = await alarm(open!.id);
    expect(a).toMatchObject({ status: 'open', priority: 'emergency', step: 3, stepKind: 'console' });
    expect(codes(a.timeline)).toEqual(['alarm.raised', 'step.skipped', 'step.skipped', 'step.started', 'console.called']);
    expect(rows(a.timeline, 'step.skipped').map((r) => r.detail)).toEqual([
      { step: 1, kind: 'next_in_grid', reason: 'nobody_on_duty' },
      { step: 2, kind: 'all_in_grid', reason: 'nobody_on_duty' },
    ]);
    // no waiting: the console step began when the alarm was raised, with its full limit ahead
    const consoleStarted = Date.parse(rows(a.timeline, 'step.started')[0]!.at);
    expect(consoleStarted - Date.parse(a.raisedAt)).toBeLessThan(1_000);
    expect(consoleStarted - t0).toBeLessThan(3_000);
    expect(Date.parse(a.stepDeadline) - Date.parse(a.raisedAt)).toBeGreaterThanOrEqual(SLOW_S * 1000 - 1_000);
    expect(a.notifications.map((n) => n.channel)).toEqual(['console']);
    expect(a.notified).toEqual([]);
    // the off-duty caregivers' wrists stay silent
    await new Promise((r) => setTimeout(r, 200));
    for (const w of wrists) expect(w.seen).toHaveLength(0);
    await f.api.call('POST', `/api/alarms/${a.id}/cancel`, {});
  });

  it('grouping: presses and a fall join the open alarm; resends add nothing; a press beside a service order opens its own emergency', async () => {
    const centre = await provisionCentre(f.api);
    const { pendant, wrists } = await connect(centre);
    const [liW, wangW] = wrists;
    const opening = deviceEvent('button.pressed');
    await send(pendant.client, centre.pendant.id, opening);
    const alarmId: string = (await liW!.first((m) => m.type === 'alarm.alert')).msg.alarmId;

    await send(pendant.client, centre.pendant.id, deviceEvent('button.pressed'));
    let a = await alarm(alarmId);
    expect(a).toMatchObject({ status: 'open', eventCount: 2, priority: 'emergency', step: 1 });
    expect(rows(a.timeline, 'event.joined')).toHaveLength(1);

    const fall = deviceEvent('fall.detected');
    await send(pendant.client, centre.pendant.id, fall);
    a = await alarm(alarmId);
    expect(a).toMatchObject({ status: 'open', eventCount: 3, priority: 'emergency', kind: 'button.pressed', step: 1 });
    expect(rows(a.timeline, 'event.joined').map((r) => r.detail.type)).toEqual(['button.pressed', 'fall.detected']);
    expect(codes(a.timeline)).not.toContain('priority.raised'); // emergency already
    expect((await openAlarmsOf(centre)).map((x) => x.id)).toEqual([alarmId]);

    // retransmissions (same id, same content) of the opening and of a joined event: nothing new
    const timelineLength = a.timeline.length;
    const wristMessages = liW!.seen.length;
    await send(pendant.client, centre.pendant.id, opening);
    await send(pendant.client, centre.pendant.id, fall);
    await new Promise((r) => setTimeout(r, 300));
    a = await alarm(alarmId);
    expect(a.eventCount).toBe(3);
    expect(a.timeline).toHaveLength(timelineLength);
    expect(liW!.seen).toHaveLength(wristMessages);
    expect((await openAlarmsOf(centre)).map((x) => x.id)).toEqual([alarmId]);
    expect((await f.api.call('POST', `/api/alarms/${alarmId}/resolve`, { outcome: 'assisted' })).status).toBe(200);
    expect(await openAlarmsOf(centre)).toEqual([]);

    // a service request opens a service order of its own; a press then opens an emergency beside it
    // (DESIGN "Service orders": never merged, neither way)
    await send(pendant.client, centre.pendant.id, deviceEvent('service.request', { service: 'meal' }));
    const serviceAlert = await liW!.first((m) => m.type === 'alarm.alert' && m.priority === 'service');
    const serviceId: string = serviceAlert.msg.alarmId;
    expect(serviceId).not.toBe(alarmId);
    expect(serviceAlert.msg).toMatchObject({ kind: 'service.request', step: 1, service: 'meal' });
    expect(Date.parse(serviceAlert.msg.acceptBy) - Date.now()).toBeGreaterThan(10 * 60_000); // the service policy: 15 min

    const tPress = Date.now();
    await send(pendant.client, centre.pendant.id, deviceEvent('button.pressed'));
    // to whichever wrist routing picks (Li still has the order's alert waiting: Wang, least busy)
    const isNew = (m: any) => m.type === 'alarm.alert' && m.priority === 'emergency' && m.alarmId !== alarmId;
    const emergency = await waitFor(async () => liW!.seen.find((m) => isNew(m.msg)) ?? wangW!.seen.find((m) => isNew(m.msg)));
    expect(emergency.msg.alarmId).not.toBe(serviceId);
    expect(emergency.msg).toMatchObject({ step: 1, kind: 'button.pressed' });
    const acceptIn = Date.parse(emergency.msg.acceptBy) - tPress;
    expect(acceptIn).toBeGreaterThan(SLOW_S * 1000 - 2_000);
    expect(acceptIn).toBeLessThan(SLOW_S * 1000 + 2_000);
    const s = await alarm(serviceId);
    expect(s).toMatchObject({ status: 'open', priority: 'service', kind: 'service.request', eventCount: 1, step: 1, stepKind: 'next_in_grid' });
    expect(codes(s.timeline)).toEqual(['alarm.raised', 'step.started', 'notification.sent']);
    expect((await openAlarmsOf(centre)).map((x) => x.id).sort()).toEqual([serviceId, emergency.msg.alarmId].sort());
    await f.api.call('POST', `/api/alarms/${emergency.msg.alarmId}/cancel`, {});
    await f.api.call('POST', `/api/alarms/${serviceId}/cancel`, {});
  });

  it('a resident cancel inside the window closes the alarm as a false alarm and stops the wrists', async () => {
    const centre = await provisionCentre(f.api);
    const { pendant, wrists } = await connect(centre);
    const [liW, wangW] = wrists;
    await send(pendant.client, centre.pendant.id, deviceEvent('button.pressed'));
    const alarmId: string = (await liW!.first((m) => m.type === 'alarm.alert')).msg.alarmId;

    await send(pendant.client, centre.pendant.id, deviceEvent('cancel'));
    const closed = await liW!.first((m) => m.type === 'alarm.closed');
    expect(closed.msg).toMatchObject({ type: 'alarm.closed', alarmId });
    expect((await pendant.first((m) => m.type === 'alarm.resolved')).msg).toMatchObject({ alarmId, outcome: 'false_alarm' });
    const a = await alarm(alarmId);
    expect(a).toMatchObject({ status: 'cancelled', outcome: 'false_alarm', stepDeadline: null, timeToResolveS: null });
    expect(a.closedAt).not.toBeNull();
    expect(rows(a.timeline, 'alarm.cancelled')).toMatchObject([{ actorKind: 'resident', detail: { outcome: 'false_alarm', via: 'device' } }]);
    expect(rows(a.timeline, 'console.called').map((r) => r.detail.reason)).toContain('resident_cancelled');
    expect(await openAlarmsOf(centre)).toEqual([]);
    expect(wangW!.seen).toHaveLength(0); // never alerted, nothing to stop

    // a second cancel with nothing open changes nothing and opens nothing
    await send(pendant.client, centre.pendant.id, deviceEvent('cancel'));
    expect((await alarm(alarmId)).timeline).toHaveLength(a.timeline.length);
    expect(await openAlarmsOf(centre)).toEqual([]);
  });

  it('operator actions over HTTP: accept, conflicting accept, reassign, resolve; bad requests; the caregiver role', async () => {
    const centre = await provisionCentre(f.api);
    const [li, wang] = centre.caregivers;
    const { pendant, wrists } = await connect(centre);
    const [liW, wangW] = wrists;
    await send(pendant.client, centre.pendant.id, deviceEvent('button.pressed'));
    const alarmId: string = (await liW!.first((m) => m.type === 'alarm.alert')).msg.alarmId;
    const act = (action: string, body: unknown = {}, api = f.api, id = alarmId) => api.call('POST', `/api/alarms/${id}/${action}`, body);

    const accepted = await act('accept', { note: 'calling her landline' });
    expect(accepted).toMatchObject({ status: 200, body: { id: alarmId, status: 'accepted', acceptedByName: 'admin', stepDeadline: null } });
    expect((await pendant.first((m) => m.type === 'alarm.accepted')).msg).toMatchObject({ alarmId, by: 'admin' });
    expect((await liW!.first((m) => m.type === 'alarm.taken')).msg).toMatchObject({ alarmId, by: 'admin' });

    const again = await f.api.call('POST', `/api/alarms/${alarmId}/accept`); // no body at all: a plain button on a console
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', error: expect.stringContaining('already accepted') });
    // issue 9: the finer stable reason beside the coarse code, for the page to translate
    expect(again.body.reason).toBe('alarm_already_accepted');

    const noTarget = await act('reassign', { note: 'to whom?' });
    expect(noTarget.status).toBe(400);
    expect(typeof noTarget.body.error).toBe('string');
    expect(noTarget.body).toMatchObject({ code: 'validation_failed', reason: 'reassign_target_missing' });
    const nobody = await act('reassign', { caregiverId: randomUUID() });
    expect(nobody.status).toBe(400);
    expect(typeof nobody.body.error).toBe('string');
    expect(nobody.body).toMatchObject({ code: 'validation_failed', reason: 'caregiver_not_found' });

    const tReassign = Date.now();
    const reassigned = await act('reassign', { caregiverId: wang!.id });
    expect(reassigned).toMatchObject({ status: 200, body: { status: 'open', acceptedBy: null, step: 1 } });
    const deadlineIn = Date.parse(reassigned.body.stepDeadline) - tReassign;
    expect(deadlineIn).toBeGreaterThan(SLOW_S * 1000 - 2_000);
    expect(deadlineIn).toBeLessThan(SLOW_S * 1000 + 2_000);
    const wangAlert = await wangW!.first((m) => m.type === 'alarm.alert' && m.alarmId === alarmId);
    expect(wangAlert.msg).toMatchObject({ priority: 'emergency', step: 1, acceptBy: reassigned.body.stepDeadline });
    const afterReassign = (await alarm(alarmId)).timeline;
    const reassignRow = rows(afterReassign, 'alarm.reassigned')[0]!;
    expect(reassignRow).toMatchObject({ actorKind: 'operator', actorName: 'admin' });
    expect(reassignRow.detail).toMatchObject({ to: wang!.id, toName: 'Wang Fang', fromName: 'admin', step: 1, deadline: reassigned.body.stepDeadline });
    // issue 9: the reassignment is its own row, followed by the wrist notification; no
    // "step 1 started" row naming the policy's step kind (it read "Step 1 · operator console")
    const after = afterReassign.filter((r) => Date.parse(r.at) >= Date.parse(reassignRow.at) && r.code !== 'note.added');
    expect(after.map((r) => r.code).slice(0, 2)).toEqual(['alarm.reassigned', 'notification.sent']);
    expect(after.filter((r) => r.code === 'step.started')).toEqual([]);
    expect(rows(afterReassign, 'notification.sent').at(-1)!.detail).toMatchObject({ to: 'Wang Fang', channel: 'wearable' });

    // a caregiver login sees only the alarms its caregiver was alerted to, and may not cancel or reassign
    const other = await provisionCentre(f.api);
    const otherDevice = track(await connectDevice(f.service.mqttUrl, other.pendant));
    await send(otherDevice, other.pendant.id, deviceEvent('button.pressed'));
    const [otherAlarm] = await openAlarmsOf(other);
    expect(otherAlarm).toBeDefined();
    const username = `li.na.${seq++}`;
    await f.api.create('/api/users', { username, password: 'caregiver password 1', role: 'caregiver', caregiverId: li!.id });
    const liApi = apiClient(f.service.httpUrl);
    await liApi.login(username, 'caregiver password 1');
    const mine = await liApi.call('GET', '/api/alarms?status=all');
    expect(mine.status).toBe(200);
    expect(mine.body.map((x: { id: string }) => x.id)).toEqual([alarmId]);
    const all = (await f.api.call('GET', '/api/alarms?status=all')).body.map((x: { id: string }) => x.id);
    expect(all).toEqual(expect.arrayContaining([alarmId, otherAlarm!.id]));
    expect((await liApi.call('GET', `/api/alarms/${otherAlarm!.id}`)).status).toBe(404);
    expect((await liApi.call('POST', `/api/alarms/${otherAlarm!.id}/accept`, {})).status).toBe(404); // not theirs to take from here
    expect((await f.api.call('GET', `/api/alarms/${otherAlarm!.id}`)).body.status).toBe('open');
    expect((await liApi.call('GET', `/api/alarms/${alarmId}`)).status).toBe(200);
    const forbiddenCancel = await act('cancel', {}, liApi);
    expect(forbiddenCancel.status).toBe(403);
    expect(forbiddenCancel.body).toMatchObject({ code: 'forbidden', reason: 'operators_only' });
    expect(typeof forbiddenCancel.body.error).toBe('string');
    expect((await act('reassign', { caregiverId: li!.id }, liApi)).status).toBe(403);
    expect((await alarm(alarmId)).status).toBe('open');

    const resolved = await act('resolve', { outcome: 'ambulance_called', note: 'taken to hospital' });
    expect(resolved).toMatchObject({ status: 200, body: { status: 'resolved', outcome: 'ambulance_called' } });
    expect(resolved.body.timeToResolveS).toBeGreaterThan(0);
    expect((await wangW!.first((m) => m.type === 'alarm.closed')).msg).toMatchObject({ alarmId });
    expect((await pendant.first((m) => m.type === 'alarm.resolved')).msg).toMatchObject({ alarmId, outcome: 'ambulance_called' });
    const closedAgain = await act('resolve', { outcome: 'assisted' });
    expect(closedAgain.status).toBe(409);
    expect(closedAgain.body.code).toBe('conflict');
    expect(closedAgain.body.reason).toBe('alarm_closed');
    const a = await alarm(alarmId);
    expect(codes(a.timeline).filter((c) => c.startsWith('alarm.'))).toEqual(['alarm.raised', 'alarm.accepted', 'alarm.reassigned', 'alarm.resolved']);
    expect(rows(a.timeline, 'note.added').map((r) => r.detail.note)).toEqual(['calling her landline', 'taken to hospital']);

    // bad requests: 4xx with a JSON error body, never a hang or a 500
    const unknown = await act('accept', {}, f.api, randomUUID());
    expect(unknown.status).toBe(404);
    expect(typeof unknown.body.error).toBe('string');
    for (const bad of ['explode', 'decline']) {
      const r = await act(bad);
      expect([400, 404]).toContain(r.status);
      expect(typeof r.body.error).toBe('string');
    }
    const badId = await act('accept', {}, f.api, 'not-a-uuid');
    expect(badId.status).toBe(400);
    expect(typeof badId.body.error).toBe('string');
    const badBody = await act('resolve', { outcome: 'assisted', surprise: true }, f.api, otherAlarm!.id);
    expect(badBody.status).toBe(400);
    expect((await f.api.call('POST', `/api/alarms/${otherAlarm!.id}/cancel`, {})).status).toBe(200);
  });

  it('a wrist acking an alarm it does not hold is told it is taken; an ack for no alarm is told it is closed', async () => {
    const centre = await provisionCentre(f.api);
    const [li] = centre.caregivers;
    const { pendant, wrists } = await connect(centre);
    const [liW, wangW] = wrists;
    const wangId = centre.caregivers[1]!.wearable.id;
    await send(pendant.client, centre.pendant.id, deviceEvent('button.pressed'));
    const alarmId: string = (await liW!.first((m) => m.type === 'alarm.alert')).msg.alarmId;
    await ack(liW!.client, li!.wearable.id, alarmId, 'accept');
    expect((await pendant.first((m) => m.type === 'alarm.accepted')).msg).toMatchObject({ alarmId, by: 'Li Na' });

    await ack(wangW!.client, wangId, alarmId, 'accept');
    expect((await wangW!.first((m) => m.alarmId === alarmId)).msg).toMatchObject({ type: 'alarm.taken', alarmId, by: 'Li Na' });
    const a = await alarm(alarmId);
    expect(a).toMatchObject({ status: 'accepted', acceptedBy: li!.id, acceptedByName: 'Li Na' });
    expect(rows(a.timeline, 'ack.refused')).toMatchObject([{ actorKind: 'caregiver', actorName: 'Wang Fang', detail: { action: 'accept', reason: 'already_accepted' } }]);
    expect(rows(a.timeline, 'alarm.accepted')).toHaveLength(1);

    const ghost = randomUUID();
    await ack(wangW!.client, wangId, ghost, 'accept');
    expect((await wangW!.first((m) => m.alarmId === ghost)).msg).toMatchObject({ type: 'alarm.closed', alarmId: ghost });
    await f.api.call('POST', `/api/alarms/${alarmId}/resolve`, { outcome: 'assisted' });
  });
});
