import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from './helpers/api-client.ts';
import { connectDevice, connectWearable, press } from './helpers/care-centre.ts';
import { openConsole, wsUrl, type ConsoleSocket } from './helpers/console-socket.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

type Api = ApiClient;
const PASSWORD = 'Scoped-Operator-Passw0rd';

/** One community under a shared street: a grid, a resident with a pendant, a caregiver on shift with a wearable. */
async function community(api: Api, streetId: string, tag: string) {
  const c = await api.create('/api/areas', { name: `Community ${tag}`, kind: 'community', parentId: streetId });
  const grid = await api.create('/api/areas', { name: `Grid ${tag}`, kind: 'grid', parentId: c.id });
  const resident = await api.create('/api/residents', {
    name: `Resident ${tag}`,
    areaId: grid.id,
    address: `${tag} Lane 1`,
    phone: `+86138000000${tag === 'A' ? '11' : '22'}`,
    notes: `key safe ${tag}-4711`,
    contacts: [{ name: `Child ${tag}`, phone: `+86139000000${tag === 'A' ? '11' : '22'}`, relation: 'son' }],
  });
  const pendant = await api.create('/api/devices', { kind: 'pendant', residentId: resident.id });
  const wearable = await api.create('/api/devices', { kind: 'wearable', residentId: null });
  const caregiver = await api.create('/api/caregivers', { name: `Carer ${tag}`, phone: `+86137000000${tag === 'A' ? '11' : '22'}`, wearableId: wearable.id, areaIds: [grid.id] });
  const shift = await api.create('/api/shifts', {
    caregiverId: caregiver.id,
    start: new Date(Date.now() - 3600_000).toISOString(),
    end: new Date(Date.now() + 8 * 3600_000).toISOString(),
  });
  await api.create('/api/users', { username: `op-${tag}`, password: PASSWORD, role: 'operator', areaId: c.id });
  return { community: c, grid, resident, pendant, wearable, caregiver, shift };
}
type Community = Awaited<ReturnType<typeof community>>;

/** Every identifier and personal value of a community: none may appear in what the other's operator gets. */
const secretsOf = (x: Community) => [
  x.community.id, x.grid.id, x.resident.id, x.resident.name, x.resident.address, x.resident.phone, x.resident.notes,
  x.resident.contacts[0].name, x.resident.contacts[0].phone, x.pendant.id, x.wearable.id, x.caregiver.id, x.caregiver.name, x.caregiver.phone, x.shift.id,
];
const leaks = (text: string, x: Community) => secretsOf(x).filter((s) => text.includes(String(s)));

/**
 * Two communities side by side, an operator bound to each: every list, record, report and
 * live-stream message is checked for the other community's data, both ways, over HTTP and
 * /ws, on both databases; records outside the scope answer 404, as if they did not exist.
 */
describe.each(['embedded', 'postgres'] as const)('area-scoped staff on %s', (kind) => {
  const { f, track } = useService({}, kind);

  it("an operator bound to a community sees and acts only inside it: lists, records, alarms, reports and the live stream hold nothing of the other's", async () => {
    const admin = f.api;
    const district = await admin.create('/api/areas', { name: `District ${kind}`, kind: 'district', parentId: null });
    const street = await admin.create('/api/areas', { name: `Street ${kind}`, kind: 'street', parentId: district.id });
    const A = await community(admin, street.id, 'A');
    const B = await community(admin, street.id, 'B');
    const ops = { A: apiClient(f.service.httpUrl), B: apiClient(f.service.httpUrl) };
    const login = { A: await ops.A.login('op-A', PASSWORD), B: await ops.B.login('op-B', PASSWORD) };
    const me = await ops.A.get('/api/me');
    expect(me.body).toMatchObject({ username: 'op-A', areaId: A.community.id });

    // both consoles are open before anything happens: every message they get is checked
    const consoles: Record<'A' | 'B', ConsoleSocket> = {
      A: await openConsole(wsUrl(f.service.httpUrl, login.A)),
      B: await openConsole(wsUrl(f.service.httpUrl, login.B)),
    };
    const centre = await openConsole(wsUrl(f.service.httpUrl, admin.token!));

    // the devices come online, both residents press, A's caregiver accepts by wrist
    const mqtt: MqttClient[] = [];
    for (const x of [A, B]) {
      mqtt.push(track(await connectWearable(f.service.mqttUrl, x.wearable)));
      mqtt.push(track(await connectDevice(f.service.mqttUrl, x.pendant)));
    }
    await press(mqtt[1]!, A.pendant.id);
    await press(mqtt[3]!, B.pendant.id);
    const alarmOf = async (x: Community) =>
      (await centre.next((m) => m.type === 'alarm.raised' && m.data.residentId === x.resident.id, 10_000)).data.id as string;
    const alarms = { A: await alarmOf(A), B: await alarmOf(B) };
    for (const t of ['A', 'B'] as const) await consoles[t].next((m) => m.type === 'alarm.raised' && m.data.id === alarms[t], 10_000);
    await admin.post(`/api/alarms/${alarms.A}/note`, { note: 'called the son' });

    const period = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 3600_000).toISOString()}`;
    for (const [mine, other, self] of [['A', 'B', A], ['B', 'A', B]] as const) {
      const api = ops[mine];
      const them = mine === 'A' ? B : A;
      const seen: string[] = [];
      const read = async (path: string, status = 200) => {
        const r = await api.get(path);
        expect(r.status, `${mine} GET ${path}`).toBe(status);
        // a 404 names the id that was asked for, which is no leak
        if (r.status !== 404) seen.push(`${path} ${r.text}`);
        return r.body;
      };

      // lists hold exactly their own
      expect((await read('/api/residents')).map((r: { id: string }) => r.id)).toEqual([self.resident.id]);
      expect((await read('/api/caregivers')).map((c: { id: string }) => c.id)).toEqual([self.caregiver.id]);
      expect((await read('/api/devices')).map((d: { id: string }) => d.id).sort()).toEqual([self.pendant.id, self.wearable.id].sort());
      expect((await read('/api/shifts')).map((s: { id: string }) => s.id)).toEqual([self.shift.id]);
      expect((await read('/api/areas')).map((a: { id: string }) => a.id).sort()).toEqual([self.community.id, self.grid.id].sort());
      expect((await read('/api/alarms?status=all')).map((a: { id: string }) => a.id)).toEqual([alarms[mine]]);
      expect((await read(`/api/reports/response-times?groupBy=none&${period}`))[0].alarms).toBe(1);
      const byArea = await read(`/api/reports/response-times?groupBy=area&${period}`);
      expect(byArea.map((r: { key: string }) => r.key)).toEqual([self.grid.id]);
      const counts = await read(`/api/events/counts?from=${new Date(Date.now() - 3600_000).toISOString()}`);
      expect(counts.length).toBeGreaterThan(0);
      expect(counts.every((c: { deviceId: string }) => [self.pendant.id, self.wearable.id].includes(c.deviceId))).toBe(true);
      // their own records open
      await read(`/api/residents/${self.resident.id}`);
      await read(`/api/alarms/${alarms[mine]}`);
      expect((await read(`/api/residents/${self.resident.id}/export`)).resident.id).toBe(self.resident.id);

      // the other community's records do not exist for them: read, change, delete, act
      for (const path of [
        `/api/residents/${them.resident.id}`, `/api/devices/${them.pendant.id}`, `/api/devices/${them.wearable.id}`,
        `/api/caregivers/${them.caregiver.id}`, `/api/shifts/${them.shift.id}`, `/api/areas/${them.grid.id}`,
        `/api/areas/${them.community.id}`, `/api/areas/${street.id}`, `/api/alarms/${alarms[other]}`, `/api/residents/${them.resident.id}/export`,
      ]) await read(path, 404);
      // the same answer as for an id that never existed
      const missing = '00000000-0000-4000-8000-000000000000';
      const asked = await api.get(`/api/residents/${them.resident.id}`);
      expect(asked.text.replaceAll(them.resident.id, missing)).toBe((await api.get(`/api/residents/${missing}`)).text);
      expect((await api.patch(`/api/residents/${them.resident.id}`, { notes: 'x' })).status).toBe(404);
      expect((await api.patch(`/api/caregivers/${them.caregiver.id}`, { phone: null })).status).toBe(404);
      expect((await api.patch(`/api/devices/${them.pendant.id}`, { residentId: self.resident.id })).status).toBe(404);
      expect((await api.del(`/api/shifts/${them.shift.id}`)).status).toBe(404);
      expect((await api.del(`/api/residents/${them.resident.id}`)).status).toBe(404);
      expect((await api.post(`/api/alarms/${alarms[other]}/note`, { note: 'x' })).status).toBe(404);
      expect((await api.post(`/api/alarms/${alarms[mine]}/reassign`, { caregiverId: them.caregiver.id })).status).toBe(400);
      // nor can anything be placed there
      expect((await api.post('/api/residents', { name: 'Nobody', areaId: them.grid.id })).status).toBe(400);
      expect((await api.post('/api/devices', { kind: 'pendant', residentId: them.resident.id })).status).toBe(400);
      expect((await api.post('/api/shifts', { caregiverId: them.caregiver.id, start: new Date().toISOString(), end: new Date(Date.now() + 3600_000).toISOString() })).status).toBe(400);
      expect((await api.post('/api/areas', { name: 'Grid X', kind: 'grid', parentId: them.community.id })).status).toBe(400);
      expect((await api.post('/api/areas', { name: 'District X', kind: 'district', parentId: null })).status).toBe(400);

      // nothing of theirs in any answer this operator got
      expect(seen.filter((text) => leaks(text, them).length > 0), `${mine}'s answers`).toEqual([]);
    }

    // the other side is unchanged by those attempts
    expect((await admin.get(`/api/residents/${B.resident.id}`)).body.notes).toBe(B.resident.notes);
    expect((await admin.get(`/api/devices/${B.pendant.id}`)).body.residentId).toBe(B.resident.id);

    // the live stream: each console saw its own alarm and caregiver, and nothing of the other's
    for (const [mine, self, them] of [['A', A, B], ['B', B, A]] as const) {
      const c = consoles[mine];
      await c.next((m) => m.type === 'device.status' && m.data.id === self.pendant.id, 10_000);
      const snap = c.messages[0]!;
      expect(snap.type).toBe('snapshot');
      expect(snap.data.areas.map((a: { id: string }) => a.id).sort()).toEqual([self.community.id, self.grid.id].sort());
      expect(snap.data.caregivers.map((x: { id: string }) => x.id)).toEqual([self.caregiver.id]);
      expect(leaks(JSON.stringify(c.messages), them), `${mine}'s live stream`).toEqual([]);
    }
    await consoles.A.next((m) => m.type === 'alarm.updated' && m.data.id === alarms.A);
    expect(consoles.B.messages.some((m) => m.data?.id === alarms.A || m.data?.alarmId === alarms.A)).toBe(false);
    // the centre-wide admin sees both
    await waitFor(async () => centre.messages.some((m) => m.type === 'device.status' && m.data.id === B.pendant.id), 10_000);
    for (const x of [A, B]) expect(leaks(JSON.stringify(centre.messages), x).length).toBeGreaterThan(0);
    const both = await admin.get('/api/residents');
    expect(both.body.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([A.resident.id, B.resident.id]));

    // a login moved to another area sees the new one only, after logging in again (its sessions end)
    const opA = (await admin.get('/api/users')).body.find((u: { username: string }) => u.username === 'op-A');
    expect((await admin.patch(`/api/users/${opA.id}`, { areaId: B.community.id })).status).toBe(200);
    expect((await ops.A.get('/api/residents')).status).toBe(401);
    await ops.A.login('op-A', PASSWORD);
    expect((await ops.A.get('/api/residents')).body.map((r: { id: string }) => r.id)).toEqual([B.resident.id]);
    // an area that scopes a login cannot be removed from under it
    expect((await admin.del(`/api/areas/${B.community.id}`)).status).toBe(409);
    for (const c of [...Object.values(consoles), centre]) c.close();
  });
});
