import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { ConfigError } from '../common/config.ts';
import { createMetrics } from '../common/metrics.ts';
import { listenMqtt } from '../gateway/listeners.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { topics } from '../contract/topics.ts';
import { openDb } from '../db/index.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import { connect } from './helpers/gateway-harness.ts';
import { runToFailure, spawnService } from './helpers/child-service.ts';
import { apiClient, ADMIN } from './helpers/api-client.ts';
import { provisionResidentDevice } from './helpers/care-centre.ts';
import { tempDir } from './helpers/test-db.ts';

const dirs: Array<{ remove(): void }> = [];
afterAll(() => dirs.forEach((d) => d.remove()));

const baseEnv = { MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: ADMIN.password };

describe('start-up and shutdown of npm start', () => {
  it('loses no acknowledged event when SIGTERM arrives mid-stream, and frees the data dir', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const svc = await spawnService({ ...baseEnv, DATA_DIR: dir.path });
    const api = apiClient(svc.httpUrl);
    await api.login();
    const { device } = await provisionResidentDevice(api);
    const client = await connect(svc.mqttUrl, { username: device.id, password: device.secret, clientId: device.id });
    client.on('error', () => undefined);

    // keep 20 publishes in flight; SIGTERM lands once some are acknowledged and more are on the wire
    const acked: string[] = [];
    let stopped = false;
    const lane = async () => {
      while (!stopped && client.connected) {
        const id = randomUUID();
        const ok = await new Promise<boolean>((resolve) =>
          client.publish(topics.deviceEvents(device.id), JSON.stringify({ id, type: 'motion', data: {} }), { qos: 1 }, (err) => resolve(!err)),
        );
        if (!ok) break; // the broker is going away (an error can come back at once: do not spin)
        acked.push(id);
        if (acked.length === 100) svc.proc.kill('SIGTERM');
      }
    };
    client.once('close', () => (stopped = true));
    const lanes = Promise.all(Array.from({ length: 20 }, lane));
    expect(await svc.exited).toBe(0);
    stopped = true;
    client.end(true);
    await Promise.race([lanes, new Promise((r) => setTimeout(r, 1000))]);
    expect(acked.length).toBeGreaterThanOrEqual(100);

    // the lock is released, and every acknowledged event is in the database
    const db = await openDb({ url: undefined, dataDir: dir.path }, createLogger('silent'));
    try {
      const stored = new Set((await listDeviceEvents(db, device.id, 1000)).map((e) => e.eventId));
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('refuses to start with one line naming the variable: bad value, port in use, second process on a data dir', async () => {
    const bad = await runToFailure({ MQTT_PORT: 'eighteen' });
    expect(bad.code).toBe(2);
    expect(bad.output.trim()).toMatch(/^homecare: cannot start: MQTT_PORT: must be a port number/);

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDir();
    dirs.push(dir);
    const busy = await runToFailure({ ...baseEnv, DATA_DIR: dir.path, HTTP_PORT: String(port) });
    blocker.close();
    expect(busy.code).toBe(2);
    expect(busy.output.trim().split('\n').at(-1)).toMatch(/HTTP_PORT: port \d+ .*already in use/);

    const svc = await spawnService({ ...baseEnv, DATA_DIR: dir.path });
    const second = await runToFailure({ ...baseEnv, DATA_DIR: dir.path });
    expect(second.code).toBe(2);
    expect(second.output).toMatch(/DATA_DIR: .* is in use by process \d+/);
    svc.proc.kill('SIGTERM');
    expect(await svc.exited).toBe(0);

    const unreachable = await runToFailure({ ...baseEnv, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(unreachable.code).toBe(2);
    expect(unreachable.output).toMatch(/DATABASE_URL: cannot use the database/);
  });

  const blockPort = async (): Promise<{ port: number; server: Server }> => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
    return { port: (server.address() as { port: number }).port, server };
  };

  it('a taken MQTT_WS_PORT or MQTT_PORT stops a first start with one line and exit 2, before anything is created; the next start prints the generated password', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const noAdminPassword = { MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', DATA_DIR: dir.path };
    for (const variable of ['MQTT_WS_PORT', 'MQTT_PORT'] as const) {
      const blocker = await blockPort();
      const busy = await runToFailure({ ...noAdminPassword, [variable]: String(blocker.port) });
      blocker.server.close();
      expect(busy.code).toBe(2); // was 1, with an unhandled EADDRINUSE stack, for MQTT_WS_PORT
      const lines = busy.output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^homecare: cannot start: ${variable}: port ${blocker.port} .*already in use`));
      // no database, no first admin: the generated password cannot be used up by a failed start
      expect(readdirSync(dir.path)).toEqual([]);
    }

    const svc = await spawnService(noAdminPassword);
    const m = /first admin created\. Log in as admin with password (\S+)\n/.exec(svc.output());
    expect(m).not.toBeNull();
    const api = apiClient(svc.httpUrl);
    await api.login('admin', m![1]!);
    svc.proc.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    // the password is on the terminal as a plain line, never inside a JSON log line
    expect(svc.output().split('\n').filter((l) => l.startsWith('{') && l.includes(m![1]!))).toEqual([]);
  });

  it('the broker listeners map a port taken after the start-up check to a ConfigError, not a crash', async () => {
    const aedes = new Aedes();
    await aedes.listen();
    const blocker = await blockPort();
    try {
      const opts = { host: '127.0.0.1', port: 0, wsPort: blocker.port, maxPacketBytes: 65536, logger: createLogger('silent'), metrics: createMetrics() };
      const err = await listenMqtt(aedes, opts).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/MQTT_WS_PORT/);
    } finally {
      blocker.server.close();
      await new Promise<void>((r) => aedes.close(() => r()));
    }
  });
});
