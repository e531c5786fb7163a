import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../common/config.ts';
import { ADMIN, apiClient } from './helpers/api-client.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { startTestService, type TestService } from './helpers/service-fixture.ts';

interface Line { action: string; username: string | null; ip: string | null }

/** The client address behind a reverse proxy: believed only from the proxies TRUST_PROXY lists. */
describe('TRUST_PROXY', () => {
  it('takes addresses and CIDRs, and refuses anything else naming the variable', () => {
    expect(loadConfig({}).http.trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 192.168.0.0/16,::1' }).http.trustProxy).toEqual(['10.0.0.5', '192.168.0.0/16', '::1']);
    for (const bad of ['true', 'proxy.local', '10.0.0.0/33', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  const services: TestService[] = [];
  beforeAll(async () => {
    services.push(await startTestService({ TRUST_PROXY: '127.0.0.1' }), await startTestService({}));
  });
  afterAll(async () => Promise.all(services.map((s) => s.close())));

  const failedLoginFrom = async (s: TestService, forwardedFor: string): Promise<Line> => {
    const username = `ghost-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${s.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ username, password: 'wrong-password-here' }),
    });
    expect(res.status).toBe(401);
    const admin = apiClient(s.httpUrl);
    await admin.login(ADMIN.username, ADMIN.password);
    return waitFor(async () => ((await admin.get('/api/audit?limit=1000')).body as Line[]).find((l) => l.action === 'login_failed' && l.username === username));
  };

  it("records the forwarded client address when the proxy is trusted, and the socket's address when not", async () => {
    expect((await failedLoginFrom(services[0]!, '203.0.113.7')).ip).toBe('203.0.113.7');
    // anyone can send the header: without TRUST_PROXY it changes nothing
    expect((await failedLoginFrom(services[1]!, '203.0.113.7')).ip).toBe('127.0.0.1');
  });
});
