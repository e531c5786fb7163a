import { describe, expect, it } from 'vitest';
import { ADMIN, apiClient } from './helpers/api-client.ts';
import { provisionCentre } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

interface Line {
  userId: string | null;
  username: string | null;
  action: string;
  resource: string;
  resourceId: string | null;
  residentId: string | null;
  method: string;
  route: string;
  status: number;
  ip: string | null;
}

/**
 * The audit trail: who read or changed which record, when and from where, logins included;
 * admins read it at GET /api/audit; the table takes inserts only. Real service, real sockets.
 */
describe.each(['embedded', 'postgres'] as const)('audit trail on %s', (kind) => {
  const { f } = useService({}, kind);

  it("records reads and changes of a resident's records, logins and failed logins, from where; only admins read it; the table is append-only", async () => {
    const api = f.api;
    const wrong = await apiClient(f.service.httpUrl).call('POST', '/api/login', { username: ADMIN.username, password: 'not-the-password-at-all' });
    expect(wrong.status).toBe(401);
    const centre = await provisionCentre(api);
    expect((await api.get(`/api/residents/${centre.resident.id}`)).status).toBe(200);
    expect((await api.get(`/api/devices/${centre.pendant.id}`)).status).toBe(200);

    const about = await waitFor(async () => {
      const r = await api.get(`/api/audit?residentId=${centre.resident.id}`);
      const lines = r.body as Line[];
      return lines.some((l) => l.resource === 'device' && l.action === 'read') && lines;
    });
    expect(about.find((l) => l.resource === 'resident' && l.action === 'read')).toMatchObject({
      username: ADMIN.username,
      resourceId: centre.resident.id,
      residentId: centre.resident.id,
      method: 'GET',
      route: '/api/residents/:id',
      status: 200,
      ip: '127.0.0.1',
    });
    // a device's line names its resident, though the request named only the device
    expect(about.find((l) => l.resource === 'device' && l.action === 'read')).toMatchObject({ resourceId: centre.pendant.id, residentId: centre.resident.id });
    expect(about.some((l) => l.resource === 'resident' && l.action === 'create')).toBe(true);
    expect(about.every((l) => l.userId !== null && l.username === ADMIN.username)).toBe(true);

    const all = (await api.get('/api/audit?limit=1000')).body as Line[];
    expect(all.find((l) => l.action === 'login_failed')).toMatchObject({ userId: null, username: ADMIN.username, resource: 'session', status: 401, ip: '127.0.0.1' });
    expect(all.some((l) => l.action === 'login' && l.username === ADMIN.username)).toBe(true);
    expect(JSON.stringify(all)).not.toContain('not-the-password-at-all');
    const adminId = about.find((l) => l.resource === 'resident' && l.action === 'read')!.userId!;
    const mine = (await api.get(`/api/audit?userId=${adminId}&limit=1000`)).body as Line[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((l) => l.username === ADMIN.username)).toBe(true);
    expect((await api.get('/api/audit?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).status).toBe(400);

    // operators do not read the trail
    const password = 'Operator-Audit-Passw0rd!';
    await api.create('/api/users', { username: `op-${kind}`, password, role: 'operator' });
    const op = apiClient(f.service.httpUrl);
    await op.login(`op-${kind}`, password);
    expect((await op.get('/api/audit')).status).toBe(403);

    // append-only, whoever asks
    for (const sql of ['UPDATE audit_log SET username = NULL', 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      await expect(f.service.db.query(sql)).rejects.toThrow(/append-only/);
    }
    expect(((await api.get('/api/audit?limit=1000')).body as Line[]).length).toBeGreaterThanOrEqual(all.length);
  });
});
