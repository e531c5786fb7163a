import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySecret } from '../common/secrets.ts';
import { updateDevicePresence } from '../db/queries/device-presence.ts';
import { getDeviceAuth } from '../db/queries/devices.ts';
import { startConsole, type ConsoleHarness } from './helpers/console-app.ts';
import { apiClient, type ApiClient } from './helpers/api-client.ts';
import { dbKinds } from './helpers/test-db.ts';

const HOUR = 3600_000;

describe.each(dbKinds)('console API resources (%s database)', (kind) => {
  let h: ConsoleHarness;
  let api: ApiClient;
  // the area tree most tests hang things on
  let district: string, street: string, community: string, grid: string;

  beforeAll(async () => {
    h = await startConsole(kind);
    api = apiClient(h.app, h.adminToken);
    district = (await api.post('/api/areas', { name: 'Huangpu', kind: 'district' })).body.id;
    street = (await api.post('/api/areas', { name: 'Nanjing Rd', kind: 'street', parentId: district })).body.id;
    community = (await api.post('/api/areas', { name: 'Plum Garden', kind: 'community', parentId: street })).body.id;
    grid = (await api.post('/api/areas', { name: 'Grid 7', kind: 'grid', parentId: community })).body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('areas', () => {
    it('builds the tree with 201 answers and filters lists by parentId and kind', async () => {
      const created = await api.post('/api/areas', { name: 'Grid 8', kind: 'grid', parentId: community });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Grid 8', kind: 'grid', parentId: community });
      expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);

      const children = await api.get(`/api/areas?parentId=${community}`);
      expect(children.status).toBe(200);
      expect(children.body.map((a: { name: string }) => a.name)).toEqual(['Grid 7', 'Grid 8']);
      const districts = await api.get('/api/areas?kind=district');
      expect(districts.body.map((a: { id: string }) => a.id)).toEqual([district]);

      const one = await api.get(`/api/areas/${grid}`);
      expect(one.body).toMatchObject({ id: grid, name: 'Grid 7', kind: 'grid', parentId: community });
    });

    it('rejects a parent that is not exactly one level up with 400', async () => {
      const cases = [
        { name: 'x', kind: 'street' }, // needs a district
        { name: 'x', kind: 'district', parentId: district }, // districts are top-level
        { name: 'x', kind: 'grid', parentId: street }, // skips a level
        { name: 'x', kind: 'community', parentId: community }, // same level
        { name: 'x', kind: 'street', parentId: '00000000-0000-4000-8000-000000000000' }, // no such parent
      ];
      for (const body of cases) {
        const res = await api.post('/api/areas', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(typeof res.body.error).toBe('string');
      }
      const badKind = await api.post('/api/areas', { name: 'x', kind: 'county' });
      expect(badKind.status).toBe(400);
      expect(badKind.body.details[0].path).toBe('kind');
    });

    it('patches, and refuses a kind change that would strand children', async () => {
      const renamed = await api.patch(`/api/areas/${street}`, { name: 'Nanjing East Rd' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id: street, name: 'Nanjing East Rd', kind: 'street', parentId: district });

      const rekind = await api.patch(`/api/areas/${street}`, { kind: 'district', parentId: null });
      expect(rekind.status).toBe(409);
      expect(rekind.body.error).toMatch(/sub-area/);

      const missing = await api.patch('/api/areas/00000000-0000-4000-8000-000000000000', { name: 'nope' });
      expect(missing.status).toBe(404);
    });

    it('deletes empty areas (204) and answers 409 while something is inside', async () => {
      const withChildren = await api.del(`/api/areas/${district}`);
      expect(withChildren.status).toBe(409);
      expect(withChildren.body.error).toMatch(/still contains 1 sub-area/);

      const leaf = (await api.post('/api/areas', { name: 'Temp', kind: 'grid', parentId: community })).body.id;
      expect((await api.del(`/api/areas/${leaf}`)).status).toBe(204);
      expect((await api.get(`/api/areas/${leaf}`)).status).toBe(404);
      expect((await api.del(`/api/areas/${leaf}`)).status).toBe(404);
    });

    it('answers 400, not 500, for an id that is not a UUID', async () => {
      const res = await api.get('/api/areas/not-a-uuid');
      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe('id');
    });
  });

  describe('residents', () => {
    const contacts = [
      { name: 'Huang Wei', phone: '+86 138 0000 1111', relation: 'son' },
      { name: 'Dr. Lin', phone: '+86 21 5555 0000' },
    ];

    it('creates, reads, patches and deletes a resident with contacts', async () => {
      const created = await api.post('/api/residents', {
        name: 'Huang Xueying',
        areaId: grid,
        address: 'Bldg 3, Rm 402',
        phone: '+86 21 6666 0000',
        notes: 'diabetic; key safe 4711',
        contacts,
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body).toMatchObject({ name: 'Huang Xueying', areaId: grid, notes: 'diabetic; key safe 4711', contacts });

      const read = await api.get(`/api/residents/${id}`);
      expect(read.body.contacts).toEqual(contacts);

      const patched = await api.patch(`/api/residents/${id}`, { address: null, contacts: [contacts[0]] });
      expect(patched.status).toBe(200);
      expect(patched.body.address).toBeNull();
      expect(patched.body.contacts).toEqual([contacts[0]]);
      expect(patched.body.phone).toBe('+86 21 6666 0000'); // untouched

      // listed by its grid and by any area above it
      for (const areaId of [grid, community, district]) {
        const list = await api.get(`/api/residents?areaId=${areaId}`);
        expect(list.body.map((r: { id: string }) => r.id)).toContain(id);
      }
      const otherGrid = (await api.post('/api/areas', { name: 'Grid 9', kind: 'grid', parentId: community })).body.id;
      expect((await api.get(`/api/residents?areaId=${otherGrid}`)).body).toEqual([]);

      // the grid cannot go while she lives there
      const blocked = await api.del(`/api/areas/${grid}`);
      expect(blocked.status).toBe(409);
      expect(blocked.body.error).toMatch(/1 resident/);

      expect((await api.del(`/api/residents/${id}`)).status).toBe(204);
      expect((await api.get(`/api/residents/${id}`)).status).toBe(404);
    });

    it('requires a grid area and valid contacts', async () => {
      const inCommunity = await api.post('/api/residents', { name: 'A', areaId: community });
      expect(inCommunity.status).toBe(400);
      expect(inCommunity.body.error).toMatch(/grid/);

      const noArea = await api.post('/api/residents', { name: 'A', areaId: '00000000-0000-4000-8000-000000000000' });
      expect(noArea.status).toBe(400);

      const badContact = await api.post('/api/residents', { name: 'A', areaId: grid, contacts: [{ name: 'B', phone: 'call me' }] });
      expect(badContact.status).toBe(400);
      expect(badContact.body.details[0].path).toBe('contacts.0.phone');

      const unknownField = await api.post('/api/residents', { name: 'A', area_id: grid, areaId: grid });
      expect(unknownField.status).toBe(400);
    });
  });

  describe('devices', () => {
    let residentId: string;
    beforeAll(async () => {
      residentId = (await api.post('/api/residents', { name: 'Zhao Min', areaId: grid })).body.id;
    });

    it('answers the secret once, stores only a hash, and never shows it again', async () => {
      const created = await api.post('/api/devices', { id: 'pendant-001', kind: 'pendant', residentId });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: 'pendant-001', kind: 'pendant', residentId, online: false });
      const secret = created.body.secret as string;
      expect(secret.length).toBeGreaterThanOrEqual(40);

      const auth = await getDeviceAuth(h.db, 'pendant-001');
      expect(auth).toMatchObject({ id: 'pendant-001', kind: 'pendant', residentId });
      expect(auth!.secretHash).not.toContain(secret);
      expect(await verifySecret(secret, auth!.secretHash)).toBe(true);
      expect(await verifySecret(`${secret}x`, auth!.secretHash)).toBe(false);

      const one = await api.get('/api/devices/pendant-001');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: 'pendant-001', online: false, battery: null, rssi: null, fw: null, lastSeenAt: null });
      const list = await api.get(`/api/devices?residentId=${residentId}`);
      expect(list.body.map((d: { id: string }) => d.id)).toEqual(['pendant-001']);
      for (const text of [one.text, list.text]) {
        expect(text).not.toMatch(/secret|scrypt/i);
        expect(text).not.toContain(secret);
      }
    });

    it('generates an id when none is given and rejects duplicates with 409', async () => {
      const created = await api.post('/api/devices', { kind: 'smoke_detector', residentId });
      expect(created.status).toBe(201);
      expect(created.body.id).toMatch(/^dev-[A-Za-z0-9_-]+$/);

      const dup = await api.post('/api/devices', { id: 'pendant-001', kind: 'button' });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toMatch(/already exists/);
    });

    it('validates kind, id, resident and wearable rules', async () => {
      expect((await api.post('/api/devices', { kind: 'toaster' })).status).toBe(400);
      expect((await api.post('/api/devices', { id: 'bad/id', kind: 'button' })).status).toBe(400);
      const noResident = await api.post('/api/devices', { kind: 'button', residentId: '00000000-0000-4000-8000-000000000000' });
      expect(noResident.status).toBe(400);
      const wornByResident = await api.post('/api/devices', { kind: 'wearable', residentId });
      expect(wornByResident.status).toBe(400);
      expect(wornByResident.body.error).toMatch(/wearable/);
      const kinds = await api.get('/api/devices?kind=smoke_detector');
      expect(kinds.body.every((d: { kind: string }) => d.kind === 'smoke_detector')).toBe(true);
      expect(kinds.body.length).toBe(1);
    });

    it('shows the status the gateway recorded (online, battery, rssi, fw, lastSeenAt)', async () => {
      const at = new Date('2026-11-22T08:15:02.000Z');
      expect(await updateDevicePresence(h.db, 'pendant-001', { online: true, battery: 0.5, rssi: -61, fw: '1.2.0', at })).toBe(true);
      const one = await api.get('/api/devices/pendant-001');
      expect(one.body).toMatchObject({ online: true, battery: 0.5, rssi: -61, fw: '1.2.0', lastSeenAt: at.toISOString() });
      expect(one.body.statusAt).toBe(at.toISOString());
    });

    it('patches the resident assignment', async () => {
      const unassigned = await api.patch('/api/devices/pendant-001', { residentId: null });
      expect(unassigned.status).toBe(200);
      expect(unassigned.body.residentId).toBeNull();
      expect((await api.patch('/api/devices/pendant-001', { residentId })).body.residentId).toBe(residentId);
      expect((await api.patch('/api/devices/nope-1', { residentId: null })).status).toBe(404);
    });

    it('rotates the secret (admin only) and revokes the old one', async () => {
      const before = (await getDeviceAuth(h.db, 'pendant-001'))!.secretHash;
      const rotated = await api.post('/api/devices/pendant-001/secret');
      expect(rotated.status).toBe(200);
      expect(rotated.body.id).toBe('pendant-001');
      const after = (await getDeviceAuth(h.db, 'pendant-001'))!.secretHash;
      expect(after).not.toBe(before);
      expect(await verifySecret(rotated.body.secret, after)).toBe(true);
      expect(h.revoked).toContain('pendant-001');
      expect((await api.post('/api/devices/nope-1/secret')).status).toBe(404);
    });

    it('deletes a device (204) and tells the gateway', async () => {
      await api.post('/api/devices', { id: 'door-9', kind: 'door_sensor', residentId });
      expect((await api.del('/api/devices/door-9')).status).toBe(204);
      expect(h.revoked.at(-1)).toBe('door-9');
      expect((await api.get('/api/devices/door-9')).status).toBe(404);
      expect(await getDeviceAuth(h.db, 'door-9')).toBeUndefined();
    });
  });

  describe('caregivers', () => {
    it('creates a caregiver with a wearable and areas, and filters by area', async () => {
      await api.post('/api/devices', { id: 'watch-li', kind: 'wearable' });
      const created = await api.post('/api/caregivers', {
        name: 'Li Na',
        phone: '+86 139 0000 2222',
        wearableId: 'watch-li',
        areaIds: [grid, community, grid],
        role: 'caregiver',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Li Na', wearableId: 'watch-li', role: 'caregiver' });
      expect([...created.body.areaIds].sort()).toEqual([grid, community].sort());

      const byGrid = await api.get(`/api/caregivers?areaId=${grid}`);
      expect(byGrid.body.map((c: { id: string }) => c.id)).toContain(created.body.id);
      expect((await api.get(`/api/caregivers?areaId=${district}`)).body).toEqual([]);

      const patched = await api.patch(`/api/caregivers/${created.body.id}`, { areaIds: [district], role: 'supervisor' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ areaIds: [district], role: 'supervisor', wearableId: 'watch-li' });
      expect((await api.get(`/api/caregivers/${created.body.id}`)).body.areaIds).toEqual([district]);

      // a wearable is worn by one caregiver at a time
      const second = await api.post('/api/caregivers', { name: 'Wang Fang', wearableId: 'watch-li' });
      expect(second.status).toBe(409);

      // and stays a wearable while worn
      const rekind = await api.patch('/api/devices/watch-li', { kind: 'pendant' });
      expect(rekind.status).toBe(409);
    });

    it('accepts only wearables as wearableId and only existing areas', async () => {
      await api.post('/api/devices', { id: 'cord-1', kind: 'pull_cord' });
      const notWearable = await api.post('/api/caregivers', { name: 'Chen', wearableId: 'cord-1' });
      expect(notWearable.status).toBe(400);
      expect(notWearable.body.error).toMatch(/not a wearable/);

      const noDevice = await api.post('/api/caregivers', { name: 'Chen', wearableId: 'ghost-1' });
      expect(noDevice.status).toBe(400);

      const ghostArea = '00000000-0000-4000-8000-000000000000';
      const noArea = await api.post('/api/caregivers', { name: 'Chen', areaIds: [grid, ghostArea] });
      expect(noArea.status).toBe(400);
      expect(noArea.body.details.missing).toEqual([ghostArea]);

      expect((await api.post('/api/caregivers', { name: 'Chen', role: 'boss' })).status).toBe(400);
      // nothing half-written by the failed attempts
      expect((await api.get('/api/caregivers')).body.filter((c: { name: string }) => c.name === 'Chen')).toEqual([]);
    });

    it('deletes a caregiver (204)', async () => {
      const id = (await api.post('/api/caregivers', { name: 'Temp Worker' })).body.id;
      expect((await api.del(`/api/caregivers/${id}`)).status).toBe(204);
      expect((await api.get(`/api/caregivers/${id}`)).status).toBe(404);
    });
  });

  describe('shifts', () => {
    let caregiverId: string;
    let otherId: string;
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();

    beforeAll(async () => {
      caregiverId = (await api.post('/api/caregivers', { name: 'Shift Worker', areaIds: [grid] })).body.id;
      otherId = (await api.post('/api/caregivers', { name: 'Night Worker', areaIds: [grid] })).body.id;
    });

    it('creates shifts and lists current+future by default, on-duty with ?at', async () => {
      const past = await api.post('/api/shifts', { caregiverId, start: iso(now - 30 * HOUR), end: iso(now - 22 * HOUR) });
      const current = await api.post('/api/shifts', { caregiverId, start: iso(now - HOUR), end: iso(now + 7 * HOUR) });
      const future = await api.post('/api/shifts', { caregiverId: otherId, start: iso(now + 10 * HOUR), end: iso(now + 18 * HOUR) });
      for (const r of [past, current, future]) expect(r.status).toBe(201);
      expect(current.body).toMatchObject({ caregiverId, start: iso(now - HOUR), end: iso(now + 7 * HOUR) });

      const ids = (r: { body: { id: string }[] }) => r.body.map((s) => s.id);
      const listed = await api.get('/api/shifts');
      expect(ids(listed)).toEqual([current.body.id, future.body.id]);

      const onDutyNow = await api.get(`/api/shifts?at=${encodeURIComponent(iso(now))}`);
      expect(ids(onDutyNow)).toEqual([current.body.id]);
      const onDutyLater = await api.get(`/api/shifts?at=${encodeURIComponent(iso(now + 12 * HOUR))}`);
      expect(ids(onDutyLater)).toEqual([future.body.id]);

      const window = await api.get(`/api/shifts?from=${encodeURIComponent(iso(now - 48 * HOUR))}&to=${encodeURIComponent(iso(now))}`);
      expect(ids(window)).toEqual([past.body.id, current.body.id]);
      const mine = await api.get(`/api/shifts?caregiverId=${otherId}`);
      expect(ids(mine)).toEqual([future.body.id]);

      expect((await api.get(`/api/shifts/${current.body.id}`)).body.id).toBe(current.body.id);
      expect((await api.del(`/api/shifts/${past.body.id}`)).status).toBe(204);
      expect((await api.get(`/api/shifts/${past.body.id}`)).status).toBe(404);
    });

    it('rejects bad shifts', async () => {
      const t = now + 100 * HOUR;
      const backwards = await api.post('/api/shifts', { caregiverId, start: iso(t), end: iso(t - HOUR) });
      expect(backwards.status).toBe(400);
      expect(backwards.body.error).toMatch(/after start/);
      const tooLong = await api.post('/api/shifts', { caregiverId, start: iso(t), end: iso(t + 25 * HOUR) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error).toMatch(/24 hours/);
      const nobody = await api.post('/api/shifts', {
        caregiverId: '00000000-0000-4000-8000-000000000000',
        start: iso(t),
        end: iso(t + HOUR),
      });
      expect(nobody.status).toBe(400);
      const notIso = await api.post('/api/shifts', { caregiverId, start: 'tomorrow', end: iso(t) });
      expect(notIso.status).toBe(400);
      // overlaps the current shift of the same caregiver
      const overlap = await api.post('/api/shifts', { caregiverId, start: iso(now), end: iso(now + 2 * HOUR) });
      expect(overlap.status).toBe(409);
      expect((await api.get(`/api/shifts?at=${encodeURIComponent(iso(t))}`)).body).toEqual([]);
    });
  });

  describe('roles on resources', () => {
    it('lets an operator manage resources but not users or secrets; a caregiver only their own record', async () => {
      const cg = (await api.post('/api/caregivers', { name: 'Self Reader' })).body.id as string;
      const other = (await api.post('/api/caregivers', { name: 'Someone Else' })).body.id as string;
      expect((await api.post('/api/users', { username: 'op1', password: 'operator-pass', role: 'operator' })).status).toBe(201);
      const cgUser = await api.post('/api/users', { username: 'cg1', password: 'caregiver-pass', role: 'caregiver', caregiverId: cg });
      expect(cgUser.status).toBe(201);

      const op = apiClient(h.app, await apiClient(h.app).login('op1', 'operator-pass'));
      expect((await op.post('/api/areas', { name: 'Op District', kind: 'district' })).status).toBe(201);
      expect((await op.get('/api/devices')).status).toBe(200);
      expect((await op.post('/api/devices/pendant-001/secret')).status).toBe(403);

      const me = apiClient(h.app, await apiClient(h.app).login('cg1', 'caregiver-pass'));
      const own = await me.get(`/api/caregivers/${cg}`);
      expect(own.status).toBe(200);
      expect(own.body.name).toBe('Self Reader');
      expect((await me.get(`/api/caregivers/${other}`)).status).toBe(403);
      expect((await me.get('/api/caregivers')).status).toBe(403);
      expect((await me.get('/api/residents')).status).toBe(403);
    });
  });
});
