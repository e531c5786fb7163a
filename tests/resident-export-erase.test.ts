import { describe, expect, it } from 'vitest';
import type { Queryable } from '../db/types.ts';
import { apiClient } from './helpers/api-client.ts';
import { connectDevice, press, provisionCentre } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

// Extreme heat is urgent, and urgent alarms text the family first: the family SMS (kept in the
// outbox: no SMS provider) is written at once, with the resident's name in its body.
const POLICY = JSON.stringify({ urgent: { steps: [{ kind: 'sms_family', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] } });

// what provisionHome registers (tests/helpers/care-centre.ts), in every form a copy may take
const PERSONAL = ['Huang Xueying', '12 Jade Lane', '+8613800000000', '8613800000000', 'diabetic', 'key safe 4711', 'Huang Wei', '+8613900000009', '8613900000009'];

/** Every row of every table, as text: where a copy of someone's data would be. */
async function dumpDatabase(db: Queryable): Promise<string> {
  const tables = await db.query<{ name: string }>(
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const r = await db.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    parts.push(`${name}: ${r.rows.map((x) => x.row).join('\n')}`);
  }
  return parts.join('\n');
}

/**
 * Issue 11 "data lifecycle": GET /api/residents/:id/export hands over everything held about one
 * resident; POST /api/residents/:id/erase removes their personal fields from every table they
 * were copied into, while the response-time report still counts their alarm. Real service.
 */
describe.each(['embedded', 'postgres'] as const)("one resident's data on %s", (kind) => {
  const { f, track } = useService({ ALARM_POLICY: POLICY }, kind);

  it('exports everything about a resident, erases it on request (confirmed, admins only, once) and keeps the reports true', async () => {
    const { api, service } = f;
    const db = service.db;
    const centre = await provisionCentre(api);
    const rid = centre.resident.id as string;
    const sensor = (await api.create('/api/devices', { kind: 'temperature_sensor', residentId: rid })) as { id: string; secret: string };
    const client = track(await connectDevice(service.mqttUrl, sensor));
    await press(client, sensor.id, 'temperature', { celsius: 41, room: 'Huang Xueying bedroom' });
    const alarm = await waitFor(async () => {
      const list = (await api.get('/api/alarms?status=all')).body as { id: string; residentId: string }[];
      const a = list.find((x) => x.residentId === rid);
      const d = a && (await api.get(`/api/alarms/${a.id}`)).body;
      return d?.notifications.some((n: { audience: string }) => n.audience === 'family') && d;
    });
    // the family contact texted back (the webhook needs a provider: the rows it writes, as it writes them)
    await db.query(`INSERT INTO sms_replies (message_sid, from_digits, outcome, received_at, answered_at) VALUES ($1, $2, $3::jsonb, now(), now())`, [
      'SM-erase-test',
      '8613900000009',
      JSON.stringify({ kind: 'accepted', resident: 'Huang Xueying', address: '12 Jade Lane' }),
    ]);
    await db.query(
      `INSERT INTO alarm_timeline (alarm_id, at, code, actor_kind, actor_name, detail) VALUES ($1, now(), 'sms.reply', 'contact', 'Huang Wei', $2::jsonb)`,
      [alarm.id, JSON.stringify({ from: '+8613900000009', body: `${alarm.replyCode} ok`, messageSid: 'SM-erase-test' })],
    );
    await api.post(`/api/alarms/${alarm.id}/note`, { note: 'Called Huang Wei on +8613900000009; 12 Jade Lane door locked' });
    for (const action of ['accept', 'arrive']) expect((await api.post(`/api/alarms/${alarm.id}/${action}`, {})).status).toBe(200);
    expect((await api.post(`/api/alarms/${alarm.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
    // as a contact's acceptance by SMS leaves it (sms-replies.ts): their name as the one who accepted
    await db.query(`UPDATE alarms SET accepted_by_name = 'Huang Wei' WHERE id = $1`, [alarm.id]);
    const report = async () => (await api.get('/api/reports/response-times?groupBy=kind')).body;
    const before = await report();
    expect(JSON.stringify(before)).toContain('"alarms":1');

    // ---- export
    const password = 'Operator-Erase-Passw0rd!';
    await api.create('/api/users', { username: `op-erase-${kind}`, password, role: 'operator' });
    const op = apiClient(service.httpUrl);
    await op.login(`op-erase-${kind}`, password);
    const exp = await op.get(`/api/residents/${rid}/export`);
    expect(exp.status).toBe(200);
    expect(exp.headers['content-disposition']).toBe(`attachment; filename="resident-${rid}.json"`);
    const doc = exp.body;
    expect(doc.resident).toMatchObject({ id: rid, name: 'Huang Xueying', address: '12 Jade Lane', phone: '+8613800000000', erasedAt: null });
    expect(doc.resident.contacts).toEqual([{ name: 'Huang Wei', phone: '+8613900000009', relation: 'son' }]);
    expect(doc.devices.map((d: { id: string }) => d.id).sort()).toEqual([centre.pendant.id, sensor.id].sort());
    expect(JSON.stringify(doc.devices)).not.toMatch(/secret|hash/i);
    expect(doc.events).toEqual([expect.objectContaining({ deviceId: sensor.id, type: 'temperature', data: { celsius: 41, room: 'Huang Xueying bedroom' } })]);
    expect(doc.alarms).toHaveLength(1);
    expect(doc.alarms[0]).toMatchObject({ id: alarm.id, status: 'resolved', resident: { name: 'Huang Xueying', address: '12 Jade Lane' } });
    expect(doc.alarms[0]).not.toHaveProperty('replyCode');
    const family = doc.alarms[0].notifications.find((n: { audience: string }) => n.audience === 'family');
    expect(family).toMatchObject({ channel: 'sms', recipientName: 'Huang Wei', target: '+8613900000009' });
    expect(family.body).toContain('Huang Xueying');
    expect(doc.alarms[0].timeline.map((t: { code: string }) => t.code)).toEqual(expect.arrayContaining(['alarm.raised', 'sms.reply', 'note.added', 'alarm.resolved']));
    expect(doc.smsReplies).toEqual([expect.objectContaining({ messageSid: 'SM-erase-test', fromDigits: '8613900000009' })]);
    const audited = await waitFor(async () => {
      const lines = (await api.get(`/api/audit?residentId=${rid}&limit=1000`)).body as { action: string; route: string; username: string }[];
      return lines.some((l) => l.action === 'export') && lines;
    });
    expect(audited.find((l) => l.action === 'export')).toMatchObject({ route: '/api/residents/:id/export', username: `op-erase-${kind}` });
    expect((await api.get(`/api/residents/${rid}/export`)).body.audit.length).toBeGreaterThan(0);
    expect((await api.get('/api/residents/00000000-0000-4000-8000-000000000000/export')).status).toBe(404);

    // staff bound to another area: the resident does not exist for them (users.area_id, 011_area_scope.sql)
    const elsewhere = await api.create('/api/areas', { name: 'Other district', kind: 'district', parentId: null });
    const outsider = apiClient(service.httpUrl);
    await api.create('/api/users', { username: `outsider-${kind}`, password, role: 'admin' });
    await db.query('UPDATE users SET area_id = $1 WHERE username = $2', [elsewhere.id, `outsider-${kind}`]);
    await outsider.login(`outsider-${kind}`, password);
    expect((await outsider.get(`/api/residents/${rid}/export`)).status).toBe(404);
    expect((await outsider.post(`/api/residents/${rid}/erase`, { confirm: rid })).status).toBe(404);

    // ---- erasure: operators may not; a confirmation that is not this id changes nothing
    expect((await op.post(`/api/residents/${rid}/erase`, { confirm: rid })).status).toBe(403);
    const typo = await api.post(`/api/residents/${rid}/erase`, { confirm: centre.caregivers[0]!.id });
    expect(typo.status).toBe(400);
    expect((await api.post(`/api/residents/${rid}/erase`, {})).status).toBe(400);
    const untouched = await dumpDatabase(db);
    for (const value of PERSONAL) expect(untouched).toContain(value);

    if (db.timescale) {
      // old sensor events are compressed (the compression policy): erasure reaches them too
      await db.query(`SELECT compress_chunk(c, true) FROM show_chunks('events') c`);
      const chunks = await db.query(`SELECT is_compressed FROM timescaledb_information.chunks WHERE hypertable_name = 'events'`);
      expect(chunks.rows).toContainEqual({ is_compressed: true });
    }
    const erased = await api.post(`/api/residents/${rid}/erase`, { confirm: rid });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ id: rid, changed: { residents: 1, alarms: 1, devices: 2, events: 1, smsReplies: 1, alarmResponses: 1 } });
    expect(erased.body.changed.notifications).toBeGreaterThanOrEqual(1);
    expect(erased.body.changed.alarmTimeline).toBeGreaterThanOrEqual(3);

    const after = await dumpDatabase(db);
    for (const value of PERSONAL) expect(after, value).not.toContain(value);
    expect(after).toContain('Li Na'); // the caregivers are not the resident: untouched
    expect(await report()).toEqual(before);
    const audit = await waitFor(async () => {
      const lines = (await api.get(`/api/audit?residentId=${rid}&limit=1000`)).body as { route: string; action: string; status: number }[];
      return lines.some((l) => l.route === '/api/residents/:id/erase' && l.status === 200) && lines;
    });
    expect(audit.find((l) => l.route === '/api/residents/:id/erase' && l.status === 200)).toMatchObject({ action: 'delete' });

    // what is left, as the export shows it; a second erasure is refused
    const left = (await api.get(`/api/residents/${rid}/export`)).body;
    expect(left.resident).toMatchObject({ name: 'Erased resident', address: null, phone: null, notes: null, contacts: [] });
    expect(left.resident.erasedAt).toEqual(erased.body.erasedAt);
    expect(left.devices).toEqual([]);
    expect(left.events).toEqual([expect.objectContaining({ type: 'temperature', data: {} })]);
    expect(left.alarms[0]).toMatchObject({ status: 'resolved', outcome: 'assisted', priority: 'urgent', resident: { name: 'Erased resident', address: null } });
    expect(left.alarms[0].notifications.find((n: { audience: string }) => n.audience === 'family')).toMatchObject({ body: '[erased]', target: null });
    expect((await api.get(`/api/alarms/${alarm.id}`)).status).toBe(200);
    expect((await api.post(`/api/residents/${rid}/erase`, { confirm: rid })).status).toBe(409);
  });
});
