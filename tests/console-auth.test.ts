import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock.ts';
import { ConfigError } from '../common/config.ts';
import { firstAdmin } from '../db/queries/users.ts';
import { buildApp } from '../dispatch-console/console/app.ts';
import { ensureFirstAdmin } from '../dispatch-console/console/auth.ts';
import { listen } from '../dispatch-console/console/server.ts';
import { createLogger } from '../common/logger.ts';
import { startConsole, type ConsoleHarness } from './helpers/console-app.ts';
import { apiClient, type ApiClient, ADMIN } from './helpers/api-client.ts';
import { createTestDb, dbKinds } from './helpers/test-db.ts';

describe.each(dbKinds)('console auth, errors and ops endpoints (%s database)', (kind) => {
  let h: ConsoleHarness;
  let api: ApiClient;
  // sessions issue and expire by the service's clock: the expiry case moves it on a day
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    h = await startConsole(kind, { clock });
    api = apiClient(h.app, h.adminToken);
  });
  afterAll(async () => {
    await h?.close();
  });
  describe('login and tokens', () => {
    it('logs in with the right password', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.role).toBe('admin');
      expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const ttl = new Date(body.expiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(h.config.tokenTtlMs - 60_000);
      expect(ttl).toBeLessThanOrEqual(h.config.tokenTtlMs);
      expect((await apiClient(h.app, body.token).get('/api/me')).body).toMatchObject({ username: ADMIN.username, role: 'admin' });
    });

    it('answers 401 with one message for a wrong password and an unknown user', async () => {
      const wrong = await h.app.inject({ method: 'POST', url: '/api/login', payload: { username: ADMIN.username, password: 'nope' } });
      const unknown = await h.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'ghost', password: 'nope' } });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json().error).toBe(unknown.json().error);
      // issue 9: the English text stays (the contract), a stable reason lets the page translate
      expect(wrong.json()).toMatchObject({ error: 'invalid username or password', code: 'unauthorized', reason: 'bad_credentials' });
      expect(unknown.json().reason).toBe('bad_credentials');
      expect(wrong.json().token).toBeUndefined();
    });

    it('answers 401 without a token, with a bad token, and with an expired one', async () => {
      const none = await apiClient(h.app, undefined).get('/api/areas');
      expect(none.status).toBe(401);
      expect(none.body.error).toMatch(/Bearer/);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.body).toMatchObject({ code: 'unauthorized', reason: 'auth_required' });

      expect((await apiClient(h.app, 'made-up-token').get('/api/areas')).status).toBe(401);
      const basic = await h.app.inject({ method: 'GET', url: '/api/areas', headers: { authorization: 'Basic cm9vdDpyb290' } });
      expect(basic.statusCode).toBe(401);

      const token = await apiClient(h.app).login(ADMIN.username, ADMIN.password);
      const fresh = apiClient(h.app, token);
      expect((await fresh.get('/api/areas')).status).toBe(200);
      const sessions = async () => (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;
      const before = await sessions();
      await clock.advance(h.config.tokenTtlMs + 1000);
      const expired = await fresh.get('/api/areas');
      expect(expired.status).toBe(401);
      expect(expired.body.error).toMatch(/expired/);
      expect(expired.body).toMatchObject({ code: 'unauthorized', reason: 'session_expired' });
      // the expired session is gone for good: deleted, not only refused while the clock is ahead
      expect(await sessions()).toBe(before - 1);
      expect((await fresh.get('/api/areas')).status).toBe(401);
      // the admin's own session of beforeAll expired too: the cases after this one log in again
      h.adminToken = await apiClient(h.app).login(ADMIN.username, ADMIN.password);
      api = apiClient(h.app, h.adminToken);
    });

    it('checks auth before parsing the body: anonymous garbage gets 401, not 400', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/areas',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":',
      });
      expect(res.statusCode).toBe(401);
    });

    it('logs out', async () => {
      const token = await apiClient(h.app).login(ADMIN.username, ADMIN.password);
      const c = apiClient(h.app, token);
      expect((await c.post('/api/logout')).status).toBe(204);
      expect((await c.get('/api/areas')).status).toBe(401);
    });
  });

  describe('users (admin only)', () => {
    it('creates, lists and deletes logins; operators get 403', async () => {
      const created = await api.post('/api/users', { username: 'op-anna', password: 'anna-secret-1', role: 'operator' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username: 'op-anna', role: 'operator', caregiverId: null, disabled: false });
      expect(created.text).not.toMatch(/password|scrypt/i);

      const list = await api.get('/api/users');
      expect(list.body.map((u: { username: string }) => u.username).sort()).toEqual([ADMIN.username, 'op-anna'].sort());
      expect(list.text).not.toMatch(/scrypt/);

      const op = apiClient(h.app, await apiClient(h.app).login('op-anna', 'anna-secret-1'));
      const forbidden = await op.get('/api/users');
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error).toMatch(/admin/);
      expect((await op.post('/api/users', { username: 'x', password: 'xxxxxxxx', role: 'admin' })).status).toBe(403);
      expect((await op.get('/api/areas')).status).toBe(200);

      expect((await api.post('/api/users', { username: 'op-anna', password: 'other-pass', role: 'operator' })).status).toBe(409);
      expect((await api.post('/api/users', { username: 'cg', password: 'caregiver-1', role: 'caregiver' })).status).toBe(400);
      expect((await api.post('/api/users', { username: 'short', password: 'short', role: 'operator' })).status).toBe(400);

      expect((await api.del(`/api/users/${created.body.id}`)).status).toBe(204);
      // her session died with her login
      expect((await op.get('/api/areas')).status).toBe(401);
    });

    it('refuses to delete the last admin', async () => {
      const admin = await firstAdmin(h.db);
      const res = await api.del(`/api/users/${admin!.id}`);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/last admin/);
      expect((await api.get('/api/users')).body.some((u: { id: string }) => u.id === admin!.id)).toBe(true);
    });
  });

  describe('error answers', () => {
    it('answers malformed JSON with 400 and an error body', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/areas',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminToken}` },
        payload: '{"name": "x", ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: expect.stringMatching(/JSON/) });
    });

    it('answers a validation failure with details naming the field', async () => {
      const res = await api.post('/api/areas', { name: '', kind: 'grid', colour: 'red' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      const paths = res.body.details.map((d: { path: string }) => d.path);
      expect(paths).toContain('name');
      expect(res.body.error).toMatch(/^invalid body/);
    });

    it('answers unknown routes with 404 JSON', async () => {
      const res = await api.get('/api/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'no route GET /api/nothing-here', code: 'not_found' });
    });

    it('answers an oversized body with 413', async () => {
      const res = await api.post('/api/areas', { name: 'x'.repeat(200_000), kind: 'district' });
      expect(res.status).toBe(413);
      expect(typeof res.body.error).toBe('string');
    });

    it('hides internal failures behind 500 {"error":"internal error"}', async () => {
      const app = await buildApp({
        config: h.config,
        db: h.db,
        logger: createLogger('silent'),
        metrics: h.metrics,
        health: async () => {
          throw new Error('boom: secret internals');
        },
      });
      app.get('/boom', async () => {
        throw new Error('password=hunter2 at db.ts:12');
      });
      const res = await app.inject({ method: 'GET', url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'internal error', code: 'internal' });
      // a throwing health probe is "degraded", not a crash
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.body).not.toContain('secret internals');
      await app.close();
    });

    it('refuses to build when an /api route forgets requireRole', async () => {
      const app = await buildApp({ config: h.config, db: h.db, logger: createLogger('silent'), metrics: h.metrics, health: async () => h.health });
      expect(() => app.get('/api/leaky', async () => 'data')).toThrow(/requireRole/);
      // the decorator is how later features protect their routes
      app.get('/api/guarded', { onRequest: app.requireRole('admin') }, async () => ({ ok: true }));
      expect((await app.inject({ method: 'GET', url: '/api/guarded' })).statusCode).toBe(401);
      const ok = await app.inject({ method: 'GET', url: '/api/guarded', headers: { authorization: `Bearer ${h.adminToken}` } });
      expect(ok.json()).toEqual({ ok: true });
      await app.close();
    });
  });

  describe('health and metrics', () => {
    it('reports ok / degraded from deps.health()', async () => {
      h.health = { ok: true, checks: { database: { ok: true }, broker: { ok: true } } };
      const ok = await apiClient(h.app, undefined).get('/healthz');
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ status: 'ok', checks: h.health.checks });

      h.health = { ok: false, checks: { database: { ok: false, detail: 'connection refused' } } };
      const bad = await apiClient(h.app, undefined).get('/healthz');
      expect(bad.status).toBe(503);
      expect(bad.body).toEqual({ status: 'degraded', checks: h.health.checks });
      h.health = { ok: true, checks: {} };
    });

    it('exposes Prometheus text with per-route request counts', async () => {
      await api.get('/api/areas');
      await api.get('/api/areas/00000000-0000-4000-8000-000000000000');
      const res = await h.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.body).toContain('homecare_http_requests_total');
      expect(res.body).toMatch(/homecare_http_requests_total\{route="\/api\/areas",method="GET",status="200"\} [1-9]/);
      expect(res.body).toMatch(/homecare_http_requests_total\{route="\/api\/areas\/:id",method="GET",status="404"\} [1-9]/);
      expect(res.body).toMatch(/homecare_http_requests_total\{route="unmatched",method="GET",status="404"\} [1-9]/);
    });
  });

  describe('real socket', () => {
    it('serves over TCP, and a taken port is an error naming HTTP_PORT', async () => {
      const bound = await listen(h.app, '127.0.0.1', 0);
      expect(bound.port).toBeGreaterThan(0);
      const health = await fetch(`${bound.url}/healthz`);
      expect(health.status).toBe(200);
      const loginRes = await fetch(`${bound.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      expect(loginRes.status).toBe(200);
      const { token } = (await loginRes.json()) as { token: string };
      const areas = await fetch(`${bound.url}/api/areas`, { headers: { authorization: `Bearer ${token}` } });
      expect(areas.status).toBe(200);
      expect(Array.isArray(await areas.json())).toBe(true);

      const second = await buildApp({ config: h.config, db: h.db, logger: createLogger('silent'), metrics: h.metrics, health: async () => h.health });
      const err = await listen(second, '127.0.0.1', bound.port).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe('HTTP_PORT');
      expect((err as Error).message).toMatch(new RegExp(`HTTP_PORT.*${bound.port}.*in use`));
      await second.close();
    });
  });
});

describe('ensureFirstAdmin', () => {
  it('generates a password once when ADMIN_PASSWORD is unset (returned for the terminal, never logged), then leaves the admin alone', async () => {
    const { db, cleanup } = await createTestDb('postgres');
    try {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const logger = pino({ level: 'info' }, sink);

      const first = await ensureFirstAdmin(db, { username: 'admin', password: undefined }, logger);
      expect(first.created).toBe(true);
      expect(first.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
      // the log says an admin was created, not its password (runtime/main.ts prints that as a plain line)
      expect(lines.filter((l) => l.includes(first.password!))).toEqual([]);
      const warned = lines.filter((l) => l.includes('generated password'));
      expect(warned).toHaveLength(1);
      expect(JSON.parse(warned[0]!).level).toBe(40); // warn

      const again = await ensureFirstAdmin(db, { username: 'admin', password: 'something-else' }, logger);
      expect(again).toEqual({ username: 'admin', created: false });
      expect(lines.filter((l) => l.includes('generated password'))).toHaveLength(1);

      // the generated password works
      const app = await buildApp({
        config: (await import('../common/config.ts')).loadConfig({}),
        db,
        logger: createLogger('silent'),
        metrics: (await import('../common/metrics.ts')).createMetrics(),
        health: async () => ({ ok: true, checks: {} }),
      });
      expect(await apiClient(app).login('admin', first.password!)).toBeTruthy();
      await app.close();
    } finally {
      await cleanup();
    }
  });
});
