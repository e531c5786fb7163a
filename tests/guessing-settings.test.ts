import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { apiClient } from './helpers/api-client.ts';
import { connectPacket } from './helpers/raw-mqtt.ts';
import { useService } from './helpers/service-fixture.ts';

/** One raw CONNECT: CONNACK's return code. */
function connack(port: number, id: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ port, host: '127.0.0.1' }, () => s.write(connectPacket(id, secret)));
    const timer = setTimeout(() => (s.destroy(), reject(new Error('no CONNACK within 10 s'))), 10_000);
    s.once('data', (b: Buffer) => {
      clearTimeout(timer);
      s.destroy();
      resolve(b[3]!);
    });
    s.once('error', (err) => (clearTimeout(timer), reject(err)));
  });
}

/**
 * The guessing limits and the event retention set through the environment reach the parts that
 * use them (common/config.ts → runtime/service.ts → gateway, console auth, maintenance).
 */
describe('guessing limits and retention from the environment, in the running service', () => {
  const { f } = useService({ MQTT_AUTH_FAIL_BURST: '3', MQTT_AUTH_FAIL_PER_S: '0.01', LOGIN_LOCK_AFTER: '2', LOGIN_LOCK_BASE_S: '60', EVENT_RETENTION_DAYS: '30' });

  it('MQTT_AUTH_FAIL_BURST: after 3 wrong secrets from one address the rest are refused unchecked', async () => {
    const port = Number(new URL(f.service.mqttUrl).port);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push(await connack(port, `no-such-device-${i}`, 'wrong secret'));
    expect(codes.every((c) => c === 5)).toBe(true); // not authorised, either way
    const refused = (await f.service.metrics.mqttConnectRefused.get()).values;
    const count = (reason: string) => refused.find((v) => v.labels.reason === reason)?.value ?? 0;
    expect(count('unknown_device') + count('bad_secret')).toBe(3);
    expect(count('rate_limited')).toBe(3);
  });

  it('LOGIN_LOCK_AFTER / LOGIN_LOCK_BASE_S: two failures lock the username for a minute, the right password included', async () => {
    const password = 'Locked-Out-Passw0rd';
    await f.api.create('/api/users', { username: 'lock-me', password, role: 'operator' });
    const client = apiClient(f.service.httpUrl);
    expect((await client.post('/api/login', { username: 'lock-me', password: 'wrong-1' })).status).toBe(401);
    expect((await client.post('/api/login', { username: 'lock-me', password: 'wrong-2' })).status).toBe(401);
    const locked = await client.post('/api/login', { username: 'lock-me', password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(30);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('EVENT_RETENTION_DAYS: the TimescaleDB retention policy drops events after 30 days', async () => {
    const db = f.service.db;
    expect(db.timescale).toBe(true);
    const dropAfter = async () =>
      (await db.query<{ drop_after: string }>(`SELECT config->>'drop_after' AS drop_after FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' AND hypertable_name = 'events'`)).rows[0]?.drop_after;
    await expect.poll(dropAfter, { timeout: 10_000 }).toBe('30 days');
  });
});
