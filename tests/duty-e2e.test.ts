/**
 * Duty end to end on the real service, both databases: a caregiver with only a weekly rota
 * covering now is on duty per GET /api/on-duty and a press in their grid reaches their wrist
 * over real MQTT; an absence covering now takes them off duty (flagged as a gap, the open
 * alarm moves on) and the next press goes to a colleague on a one-off shift. Then every
 * validation answers 400 with its reason and writes nothing.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { connectDevice, connectWearable, press, provisionHome } from './helpers/care-centre.ts';
import { apiClient } from './helpers/api-client.ts';
import { useService } from './helpers/service-fixture.ts';

const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 300 }, { kind: 'all_in_grid', acceptWithinS: 300 }, { kind: 'console', acceptWithinS: 300 }] },
});
const WAIT_MS = 20_000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const ALL = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "HH:MM" and "YYYY-MM-DD" of an instant in the process zone (the service runs in this process). */
const local = (t: number) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return { time: `${p.hour}:${p.minute}`, date: `${p.year}-${p.month}-${p.day}` };
};

/** Every alert a wrist receives, kept (an alert for another alarm never hides the one awaited). */
function inbox(c: MqttClient, wearableId: string) {
  const got: Array<{ alarmId: string; type: string }> = [];
  c.on('message', (topic, payload) => {
    if (topic === topics.wearableAlerts(wearableId)) got.push(JSON.parse(payload.toString()));
  });
  return got;
}

describe.each(['embedded', 'postgres'] as const)('duty end to end on %s', (kind) => {
  const { f, track } = useService({ ALARM_POLICY: POLICY }, kind);

  it('a rota alone puts a caregiver on duty; a press reaches their wrist; an absence removes them and the next press goes to the one-off shift', async () => {
    const { api } = f;
    const { grid, resident } = await provisionHome(api);
    const neighbour = await api.create('/api/residents', { name: 'Song Mei', areaId: grid.id, address: '14 Jade Lane' });
    const pendant1 = await api.create('/api/devices', { kind: 'pendant', residentId: resident.id });
    const pendant2 = await api.create('/api/devices', { kind: 'pendant', residentId: neighbour.id });
    const wristA = await api.create('/api/devices', { kind: 'wearable', residentId: null });
    const wristB = await api.create('/api/devices', { kind: 'wearable', residentId: null });
    const ann = await api.create('/api/caregivers', { name: 'Ann Rota', wearableId: wristA.id, areaIds: [grid.id] });
    const bo = await api.create('/api/caregivers', { name: 'Bo Shift', wearableId: wristB.id, areaIds: [grid.id] });

    // Ann: every day from an hour ago to two hours ahead (past midnight if it falls so), no shift
    const now = Date.now();
    const rota = await api.post('/api/rotas', { caregiverId: ann.id, days: ALL, start: local(now - HOUR).time, end: local(now + 2 * HOUR).time, from: local(now - 2 * 86_400_000).date });
    expect(rota.status, rota.text).toBe(201);
    expect(rota.body).toMatchObject({ caregiverId: ann.id, until: null, days: ALL });
    // three hours a day: the rest of the week is flagged, but not now
    expect(rota.body.gaps.length).toBeGreaterThan(0);
    expect(rota.body.gaps.every((g: { from: string; to: string }) => !(Date.parse(g.from) <= now && Date.parse(g.to) > now + MIN))).toBe(true);
    expect((await api.get(`/api/shifts?caregiverId=${ann.id}`)).body).toEqual([]);

    const onDuty = (await api.get('/api/on-duty')).body;
    const mine = onDuty.find((g: { areaId: string }) => g.areaId === grid.id);
    expect(mine.caregivers).toEqual([{ id: ann.id, name: 'Ann Rota', until: expect.any(String), wearableOnline: false }]);
    expect(Math.abs(Date.parse(mine.caregivers[0].until) - (now + 2 * HOUR))).toBeLessThan(2 * MIN);
    // three days on, same local time: outside the dispatcher's window, expanded from the rows
    const later = (await api.get(`/api/on-duty?at=${new Date(now + 3 * 86_400_000).toISOString()}`)).body;
    expect(later.find((g: { areaId: string }) => g.areaId === grid.id).caregivers.map((c: { id: string }) => c.id)).toEqual([ann.id]);
    const offHours = (await api.get(`/api/on-duty?at=${new Date(now + 3 * 86_400_000 + 6 * HOUR).toISOString()}`)).body;
    expect(offHours.find((g: { areaId: string }) => g.areaId === grid.id).caregivers).toEqual([]);

    const a = track(await connectWearable(f.service.mqttUrl, wristA));
    const b = track(await connectWearable(f.service.mqttUrl, wristB));
    const toA = inbox(a, wristA.id);
    const toB = inbox(b, wristB.id);
    const p1 = track(await connectDevice(f.service.mqttUrl, pendant1));
    const p2 = track(await connectDevice(f.service.mqttUrl, pendant2));
    await waitFor(async () => (await api.get('/api/on-duty')).body.find((g: { areaId: string }) => g.areaId === grid.id).caregivers[0]?.wearableOnline, WAIT_MS);

    await press(p1, pendant1.id);
    const first = await waitFor(async () => toA.find((m) => m.type === 'alarm.alert'), WAIT_MS);
    const alarm1 = first.alarmId;

    // Ann falls ill: off duty now, the grid is flagged uncovered from now
    const t = Date.now();
    const absence = await api.post('/api/absences', { caregiverId: ann.id, start: new Date(t - MIN).toISOString(), end: new Date(t + HOUR).toISOString(), reason: 'sickness' });
    expect(absence.status, absence.text).toBe(201);
    expect(absence.body).toMatchObject({ caregiverId: ann.id, reason: 'sickness' });
    expect(absence.body.gaps).toContainEqual({ areaId: grid.id, name: 'Grid 1', from: expect.any(String), to: expect.any(String) });
    const gapNow = absence.body.gaps.find((g: { areaId: string; from: string; to: string }) => g.areaId === grid.id && Date.parse(g.from) <= t + MIN);
    expect(Date.parse(gapNow.to)).toBeGreaterThanOrEqual(t + HOUR - MIN);
    expect((await api.get('/api/on-duty')).body.find((g: { areaId: string }) => g.areaId === grid.id).caregivers).toEqual([]);
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    expect((await api.get(`/api/absences?caregiverId=${ann.id}&from=${iso(t)}&to=${iso(t + MIN)}`)).body.map((x: { id: string }) => x.id)).toEqual([absence.body.id]);
    expect((await api.get(`/api/absences?caregiverId=${ann.id}&from=${iso(t + 2 * HOUR)}`)).body).toEqual([]);
    // the alarm waiting on her moves on, as after a shift change
    await waitFor(async () => (await api.get(`/api/alarms/${alarm1}`)).body.timeline.filter((r: { code: string }) => r.code === 'step.started').length >= 2, WAIT_MS);

    // Bo takes a one-off shift; the neighbour's press goes to him, never to Ann
    await api.create('/api/shifts', { caregiverId: bo.id, start: new Date(t - MIN).toISOString(), end: new Date(t + 4 * HOUR).toISOString() });
    expect((await api.get('/api/on-duty')).body.find((g: { areaId: string }) => g.areaId === grid.id).caregivers.map((c: { id: string }) => c.id)).toEqual([bo.id]);
    await press(p2, pendant2.id);
    const second = await waitFor(async () => toB.find((m) => m.type === 'alarm.alert' && m.alarmId !== alarm1), WAIT_MS);
    const detail = (await api.get(`/api/alarms/${second.alarmId}`)).body;
    expect(detail.residentId).toBe(neighbour.id);
    expect(detail.notifications.map((n: { recipientName: string; channel: string }) => `${n.channel}:${n.recipientName}`)).toEqual(['wearable:Bo Shift']);
    expect(toA.filter((m) => m.type === 'alarm.alert' && m.alarmId === second.alarmId)).toEqual([]);

    // the absence withdrawn: Ann is back beside Bo
    const back = await api.del(`/api/absences/${absence.body.id}`);
    expect(back.status, back.text).toBe(200);
    expect((await api.get('/api/on-duty')).body.find((g: { areaId: string }) => g.areaId === grid.id).caregivers.map((c: { id: string }) => c.id).sort()).toEqual([ann.id, bo.id].sort());
  });

  it('refuses bad input with 400 naming the problem, and writes nothing', async () => {
    const { api } = f;
    const { grid } = await provisionHome(api);
    const cg = await api.create('/api/caregivers', { name: 'Cai Valid', areaIds: [grid.id] });
    const good = { caregiverId: cg.id, days: ['mon', 'tue'], start: '08:00', end: '20:00', from: '2026-12-01', until: null };
    const rotaCases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['time without leading zero', { start: '8:00' }, /HH:MM/],
      ['24:00', { end: '24:00' }, /HH:MM/],
      ['no days', { days: [] }, /at least one day/],
      ['a day twice', { days: ['mon', 'mon'] }, /twice/],
      ['an unknown day', { days: ['monday'] }, /days/],
      ['a date that does not exist', { from: '2026-02-30' }, /calendar date/],
      ['until before from', { until: '2026-11-30' }, /until must be on or after from/],
      ['an unknown caregiver', { caregiverId: '00000000-0000-4000-8000-000000000000' }, /caregiver .* does not exist/],
      ['a caregiver id that is no UUID', { caregiverId: 'cai' }, /UUID/],
      ['an unknown field', { colour: 'red' }, /colour|unrecognized/i],
    ];
    for (const [what, change, message] of rotaCases) {
      const r = await api.post('/api/rotas', { ...good, ...change });
      expect(r.status, what).toBe(400);
      expect(JSON.stringify(r.body), what).toMatch(message);
    }
    const absenceGood = { caregiverId: cg.id, start: '2026-12-01T08:00:00Z', end: '2026-12-02T08:00:00Z', reason: 'leave' };
    const absenceCases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['end before start', { end: '2026-12-01T07:00:00Z' }, /end must be after start/],
      ['end equal to start', { end: '2026-12-01T08:00:00Z' }, /end must be after start/],
      ['longer than 366 days', { end: '2028-01-01T08:00:00Z' }, /at most 366 days/],
      ['an unknown reason', { reason: 'holiday' }, /reason/],
      ['an unknown caregiver', { caregiverId: '00000000-0000-4000-8000-000000000000' }, /caregiver .* does not exist/],
      ['not an instant', { start: 'tomorrow' }, /ISO 8601/],
    ];
    for (const [what, change, message] of absenceCases) {
      const r = await api.post('/api/absences', { ...absenceGood, ...change });
      expect(r.status, what).toBe(400);
      expect(JSON.stringify(r.body), what).toMatch(message);
    }
    expect((await api.get(`/api/rotas?caregiverId=${cg.id}`)).body).toEqual([]);
    expect((await api.get(`/api/absences?caregiverId=${cg.id}`)).body).toEqual([]);

    // a PATCH that would put until before from, or changes nothing, is refused and the rota stays
    const rota = await api.create('/api/rotas', good);
    for (const [what, body, message] of [
      ['until before from', { until: '2026-11-01' }, /until: must be on or after from/],
      ['nothing to change', {}, /nothing to change/],
      ['the caregiver', { caregiverId: cg.id }, /caregiverId|unrecognized/i],
    ] as const) {
      const r = await api.patch(`/api/rotas/${rota.id}`, body);
      expect(r.status, what).toBe(400);
      expect(JSON.stringify(r.body), what).toMatch(message);
    }
    const { gaps: _gaps, ...stored } = rota;
    expect((await api.get(`/api/rotas/${rota.id}`)).body).toEqual(stored);
    const patched = await api.patch(`/api/rotas/${rota.id}`, { days: ['sun'], end: '06:00' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ days: ['sun'], start: '08:00', end: '06:00', from: '2026-12-01', until: null });

    // removing the only rota of the grid's only caregiver: the whole week is flagged
    const removed = await api.del(`/api/rotas/${rota.id}`);
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.id).toBe(rota.id);
    expect(removed.body.gaps).toHaveLength(1);
    expect(removed.body.gaps[0]).toMatchObject({ areaId: grid.id, name: 'Grid 1' });
    expect(Date.parse(removed.body.gaps[0].to) - Date.parse(removed.body.gaps[0].from)).toBe(7 * 86_400_000);
    expect((await api.get(`/api/rotas/${rota.id}`)).status).toBe(404);

    for (const path of ['/api/on-duty?at=yesterday', '/api/absences?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', '/api/rotas?caregiverId=cai', '/api/rotas?who=x']) {
      expect((await api.get(path)).status, path).toBe(400);
    }
    expect((await api.del('/api/rotas/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api.del('/api/absences/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('an operator bound to another community sees none of it: a caregiver outside is 400 to plan for, a rota outside 404', async () => {
    const { api } = f;
    const home = await provisionHome(api);
    const other = await api.create('/api/areas', { name: 'Other Community', kind: 'community', parentId: home.street.id });
    const otherGrid = await api.create('/api/areas', { name: 'Other Grid', kind: 'grid', parentId: other.id });
    const cg = await api.create('/api/caregivers', { name: 'Dai Inside', areaIds: [home.grid.id] });
    const rota = await api.create('/api/rotas', { caregiverId: cg.id, days: ALL, start: '00:00', end: '00:00', from: '2026-01-01' });
    await api.create('/api/users', { username: 'duty-op', password: 'Scoped-Planner-42', role: 'operator', areaId: other.id });
    const op = apiClient(f.service.httpUrl);
    await op.login('duty-op', 'Scoped-Planner-42');
    const r = await op.post('/api/rotas', { caregiverId: cg.id, days: ['mon'], start: '08:00', end: '16:00', from: '2026-12-01' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/does not exist/);
    expect((await op.get(`/api/rotas/${rota.id}`)).status).toBe(404);
    expect((await op.del(`/api/rotas/${rota.id}`)).status).toBe(404);
    expect((await op.get('/api/rotas')).body).toEqual([]);
    // only their own grid, and nobody covers it
    expect((await op.get('/api/on-duty')).body).toEqual([{ areaId: otherGrid.id, name: 'Other Grid', caregivers: [] }]);
  });
});
