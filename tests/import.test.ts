import { describe, expect, it, vi } from 'vitest';
import type { DispatchDirectory } from '../dispatch-console/dispatcher/directory.ts';
import { parseCsv } from '../dispatch-console/console/import/csv.ts';
import { apiClient } from './helpers/api-client.ts';
import { connect, waitFor } from './helpers/gateway-harness.ts';
import { centreFiles } from './helpers/import-files.ts';
import { useService, type TestService } from './helpers/service-fixture.ts';

const RESIDENTS = [
  'ref,name,grid,address,phone,notes,access,contact1_name,contact1_phone,contact1_relation,contact2_name,contact2_phone,contact2_relation',
  'R-1,Wang Li,Xicheng/Financial St/Jade Garden/Grid 1,"12 Jade Lane, Flat 3",+8613800000001,"diabetic\r\nkey safe 4711, code ""A""","key safe by the door, code 4711",Wang Jun,+8613900000001,son,Wang Mei,+8613900000002,daughter',
  'R-2,Li Na,Xicheng/Financial St/Jade Garden/Grid 2,3 Pine Road,+8613800000002,,,,,,,,',
].join('\r\n');
const DEVICES = ['id,kind,resident_ref', ',pendant,R-1', ',door_sensor,R-1', 'imp-pull-2,pull_cord,R-2', 'imp-wrist-1,wearable,'].join('\n');
const CAREGIVERS = [
  'ref,name,phone,role,grids',
  'C-1,Zhao Min,+8613700000001,caregiver,Xicheng/Financial St/Jade Garden/Grid 1;Xicheng/Financial St/Jade Garden/Grid 2',
  ',Qian Bo,+8613700000002,supervisor,Xicheng/Financial St/Jade Garden',
].join('\n');
const GOOD = { residents: RESIDENTS, devices: DEVICES, caregivers: CAREGIVERS };

/**
 * How often the routing data was re-read because of what `fn` did: the directory's `changed()`
 * (called once a write request has succeeded) is watched, not replaced. The 15 s periodic
 * refresh may also run meanwhile; it is not the import's.
 */
async function reloadsDuring<T>(service: TestService, fn: () => Promise<T>): Promise<{ value: T; reloads: number }> {
  const directory = (service.dispatcher as unknown as { o: { directory: DispatchDirectory } }).o.directory;
  const changed = vi.spyOn(directory, 'changed');
  try {
    return { value: await fn(), reloads: changed.mock.calls.length };
  } finally {
    changed.mockRestore();
  }
}

const counts = (created: number, updated: number, unchanged: number) => ({ created, updated, unchanged });

describe.each(['embedded', 'postgres'] as const)('bulk import on %s', (kind) => {
  const { f, track } = useService({}, kind);

  it('imports residents with contacts, their devices and caregivers with grids; the secrets come back once and connect over MQTT', async () => {
    const dry = await f.api.post('/api/import', { ...GOOD, dryRun: true });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, residents: counts(2, 0, 0), devices: counts(4, 0, 0), secretsCsv: null });
    expect((await f.api.get('/api/residents')).body).toEqual([]);

    const { value: r, reloads } = await reloadsDuring(f.service, () => f.api.post('/api/import', GOOD));
    expect(r.status, r.text).toBe(200);
    expect(reloads).toBe(1);
    expect(r.body).toMatchObject({ dryRun: false, residents: counts(2, 0, 0), devices: counts(4, 0, 0), caregivers: counts(2, 0, 0) });
    expect(r.body.areasCreated).toEqual([
      'Xicheng',
      'Xicheng/Financial St',
      'Xicheng/Financial St/Jade Garden',
      'Xicheng/Financial St/Jade Garden/Grid 1',
      'Xicheng/Financial St/Jade Garden/Grid 2',
    ]);

    const residents = (await f.api.get('/api/residents')).body as any[];
    const wang = residents.find((x) => x.name === 'Wang Li');
    expect(wang).toMatchObject({
      address: '12 Jade Lane, Flat 3',
      phone: '+8613800000001',
      notes: 'diabetic\r\nkey safe 4711, code "A"',
      accessInfo: 'key safe by the door, code 4711',
      contacts: [
        { name: 'Wang Jun', phone: '+8613900000001', relation: 'son' },
        { name: 'Wang Mei', phone: '+8613900000002', relation: 'daughter' },
      ],
    });
    const grids = (await f.api.get('/api/areas?kind=grid')).body as any[];
    const grid1 = grids.find((g) => g.name === 'Grid 1');
    expect(wang.areaId).toBe(grid1.id);
    const caregivers = (await f.api.get('/api/caregivers')).body as any[];
    expect(caregivers.find((c) => c.name === 'Zhao Min').areaIds).toHaveLength(2);
    expect(caregivers.find((c) => c.name === 'Qian Bo')).toMatchObject({ role: 'supervisor', areaIds: [expect.any(String)] });

    const [header, ...secrets] = parseCsv(r.body.secretsCsv).map((x) => x.fields);
    expect(header).toEqual(['id', 'kind', 'resident_ref', 'secret']);
    expect(secrets.map((s) => [s[1], s[2]]).sort()).toEqual([
      ['door_sensor', 'R-1'],
      ['pendant', 'R-1'],
      ['pull_cord', 'R-2'],
      ['wearable', ''],
    ]);
    const devices = (await f.api.get(`/api/devices?residentId=${wang.id}`)).body as any[];
    expect(devices.map((d) => d.kind).sort()).toEqual(['door_sensor', 'pendant']);
    // the secret in the file is the device's MQTT password; a wrong one is refused
    const pendant = secrets.find((s) => s[1] === 'pendant')!;
    const client = track(await connect(f.service.mqttUrl, { username: pendant[0], password: pendant[3], clientId: pendant[0] }));
    expect(client.connected).toBe(true);
    await expect(connect(f.service.mqttUrl, { username: pendant[0], password: 'not-the-secret', clientId: `${pendant[0]}-x` })).rejects.toThrow();

    // the same files again: nothing changes, no new secret
    const again = await f.api.post('/api/import', GOOD);
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual({
      dryRun: false,
      residents: counts(0, 0, 2),
      devices: counts(0, 0, 4),
      caregivers: counts(0, 0, 2),
      areasCreated: [],
      secretsCsv: null,
    });
    expect((await f.api.get('/api/devices')).body).toHaveLength(4);

    // a changed phone is an update of that resident alone
    const changed = await f.api.post('/api/import', { residents: RESIDENTS.replace('+8613800000002', '+8613800000099') });
    expect(changed.body).toMatchObject({ residents: counts(0, 1, 1), secretsCsv: null });
    expect(((await f.api.get('/api/residents')).body as any[]).find((x) => x.name === 'Li Na').phone).toBe('+8613800000099');

    // a device given another kind is updated, and its connection (carrying the old kind) dropped
    const pull = secrets.find((s) => s[0] === 'imp-pull-2')!;
    const pullClient = track(await connect(f.service.mqttUrl, { username: pull[0], password: pull[3], clientId: pull[0] }));
    const closed = new Promise<void>((resolve) => pullClient.once('close', () => resolve()));
    const moved = await f.api.post('/api/import', { devices: DEVICES.replace('imp-pull-2,pull_cord,R-2', 'imp-pull-2,button,R-2') });
    expect(moved.body).toMatchObject({ devices: counts(0, 1, 3), secretsCsv: null });
    await closed;
    expect((await f.api.get('/api/devices/imp-pull-2')).body.kind).toBe('button');

    // the import is in the audit trail (written in batches: wait for the line)
    const audit = await waitFor(async () => ((await f.api.get(`/api/audit?from=${new Date(Date.now() - 3600_000).toISOString()}`)).body as any[]).find((l) => l.route === '/api/import'), 10_000);
    expect(audit).toMatchObject({ route: '/api/import', action: 'create', resource: 'resident', status: 200 });
  });

  it('reports every bad row with its line and reason, and writes nothing', async () => {
    const before = await snapshot(f.api);
    const residents = [
      'ref,name,grid,phone,notes',
      'B-1,,Xicheng/Financial St/Jade Garden/Grid 1,,', // 2: missing name
      'B-2,Bad Phone,Xicheng/Financial St/Jade Garden/Grid 1,call me,', // 3: bad phone
      'B-3,Good One,Xicheng/Financial St/Jade Garden/Grid 9,,"a, b\nc"', // 4-5 in text, line 4: fine (new grid)
      'B-2,Twice,Xicheng/Financial St/Jade Garden/Grid 1,,', // 5: duplicate ref
      'B-5,Short Path,Xicheng/Financial St,,', // 6: not a grid path
    ].join('\n');
    const devices = ['id,kind,resident_ref', ',pendant,NOPE', ',toaster,B-3', 'w-1,wearable,B-3', ',pendant,B-3'].join('\n');
    const caregivers = ['ref,name,phone,role,grids', 'C-9,Sun,+8613700000009,boss,'].join('\n');
    const r = await f.api.post('/api/import', { residents, devices, caregivers });
    expect(r.status, r.text).toBe(400);
    // two areas of one name under one parent: a path through them cannot say which
    const street = ((await f.api.get('/api/areas?kind=street')).body as any[]).find((a) => a.name === 'Financial St');
    for (let i = 0; i < 2; i++) await f.api.create('/api/areas', { name: 'Twin Court', kind: 'community', parentId: street.id });
    const twin = await f.api.post('/api/import', { residents: 'ref,name,grid\nT-1,Twin,Xicheng/Financial St/Twin Court/Grid 1\n' });
    expect(twin.body.details).toEqual([{ file: 'residents', line: 2, field: 'grid', reason: '"Xicheng/Financial St/Twin Court" is ambiguous: 2 areas have that name there' }]);
    expect(r.body.code).toBe('validation_failed');
    const got = (r.body.details as any[]).map((i) => `${i.file}:${i.line}:${i.field}`);
    expect(got).toEqual([
      'residents:2:name',
      'residents:3:phone',
      'residents:5:ref',
      'residents:6:grid',
      'devices:2:resident_ref',
      'devices:3:kind',
      'devices:4:resident_ref',
      'caregivers:2:role',
    ]);
    for (const i of r.body.details) expect(i.reason).toEqual(expect.any(String));
    expect((r.body.details as any[]).find((i) => i.line === 5).reason).toMatch(/already on line 3/);
    const after = await snapshot(f.api);
    expect({ ...after, areas: after.areas.filter((a: any) => a.name !== 'Twin Court') }).toEqual(before);
  });

  it("keeps an area-bound login inside its own subtree", async () => {
    const communities = ((await f.api.get('/api/areas?kind=community')).body as any[]).filter((a) => a.name === 'Jade Garden');
    await f.api.create('/api/users', { username: 'op-jade', password: 'Jade-Operator-Passw0rd', role: 'operator', areaId: communities[0].id });
    const op = apiClient(f.service.httpUrl);
    await op.login('op-jade', 'Jade-Operator-Passw0rd');
    const residents = [
      'ref,name,grid',
      'S-1,Inside,Xicheng/Financial St/Jade Garden/Grid 3', // a new grid under the login's community: fine
      'S-2,Outside,Xicheng/Other St/Elm Court/Grid 1', // outside
      'S-3,Elsewhere,Dongcheng/A/B/C', // a new district: outside
    ].join('\n');
    const r = await op.post('/api/import', { residents });
    expect(r.status, r.text).toBe(400);
    expect((r.body.details as any[]).map((i) => [i.line, i.field, i.reason])).toEqual([
      [3, 'grid', 'the path is outside your area'],
      [4, 'grid', 'the path is outside your area'],
    ]);
    const ok = await op.post('/api/import', { residents: residents.split('\n').slice(0, 2).join('\n') });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.areasCreated).toEqual(['Xicheng/Financial St/Jade Garden/Grid 3']);
  });

  it('imports 1,000 residents with 3 devices each in one go, with one routing reload', async () => {
    const files = centreFiles(1000);
    const started = performance.now();
    const { value: r, reloads } = await reloadsDuring(f.service, () => f.api.post('/api/import', files));
    const seconds = (performance.now() - started) / 1000;
    expect(r.status, r.text.slice(0, 500)).toBe(200);
    expect(r.body).toMatchObject({ residents: counts(1000, 0, 0), devices: counts(3000, 0, 0) });
    expect(parseCsv(r.body.secretsCsv)).toHaveLength(3001);
    expect(reloads).toBe(1);
    // loose: the figure itself comes from bench/import-1000.ts
    expect(seconds).toBeLessThan(120);
    const again = await f.api.post('/api/import', files);
    expect(again.body).toMatchObject({ residents: counts(0, 0, 1000), devices: counts(0, 0, 3000), secretsCsv: null });
  }, 300_000);
});

async function snapshot(api: ReturnType<typeof apiClient>) {
  const [residents, devices, caregivers, areas] = await Promise.all(['/api/residents', '/api/devices', '/api/caregivers', '/api/areas'].map((p) => api.get(p)));
  return { residents: residents!.body, devices: devices!.body, caregivers: caregivers!.body, areas: areas!.body };
}
