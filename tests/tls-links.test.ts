import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { Server as NetServer } from 'node:net';
import { promisify } from 'node:util';
import type { IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ConfigError, loadConfig } from '../common/config.ts';
import { topics } from '../contract/topics.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import { ADMIN } from './helpers/api-client.ts';
import { connect, provisionResident, publish } from './helpers/gateway-harness.ts';
import { startTestService, type TestService } from './helpers/service-fixture.ts';
import { makeTestCa, type TestCa } from './helpers/test-ca.ts';

// TLS_CERT/TLS_KEY: MQTTS, MQTT over WSS and HTTPS, with real clients on real sockets and a
// throwaway CA; TLS_CLIENT_CA: the device's certificate must name it.

const run = promisify(execFile);
const event = () => JSON.stringify({ id: randomUUID(), type: 'button.pressed', ts: new Date().toISOString(), data: {} });
const portOf = (url: string | undefined) => Number(new URL(url!).port);

function httpsGetText(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, ca ? { ca } : {}, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

function httpsPostJson(url: string, body: unknown, ca: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Ports this process listens on (the service runs in it; vitest gives each file its own process). */
function listeningPorts(): number[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .filter((h): h is NetServer => h instanceof NetServer && h.listening)
    .map((s) => (s.address() as { port: number }).port)
    .sort((a, b) => a - b);
}

let ca: TestCa;
let stranger: TestCa;
beforeAll(() => {
  ca = makeTestCa();
  stranger = makeTestCa('Stranger CA', ca.dir);
});
afterAll(() => ca?.remove());

describe('TLS_CERT and TLS_KEY', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ TLS_CERT: ca.server.certPath, TLS_KEY: ca.server.keyPath, MQTTS_PORT: '0', MQTT_WSS_PORT: '0', MQTT_PORT: 'off' });
  });
  afterAll(async () => service?.close());

  it('MQTT_PORT=off leaves no plain MQTT listener: MQTTS, WSS, plain WS and HTTPS only', () => {
    expect(service.mqttUrl).toBe(service.mqttsUrl);
    expect(service.mqttsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(service.mqttWssUrl).toMatch(/^wss:\/\//);
    expect(service.mqttWsUrl).toMatch(/^ws:\/\//);
    expect(service.httpUrl).toMatch(/^https:\/\//);
    const expected = [service.mqttsUrl, service.mqttWssUrl, service.mqttWsUrl, service.httpUrl].map(portOf).sort((a, b) => a - b);
    expect(listeningPorts()).toEqual(expected);
  });

  it('mqtt.js over mqtts: and wss: with the CA connects, authenticates and gets a PUBACK for a stored event', async () => {
    const { devices } = await provisionResident(service.db, ['pendant']);
    const dev = devices[0]!;
    const auth: IClientOptions = { username: dev.id, password: dev.secret, ca: ca.ca };
    for (const url of [service.mqttsUrl!, service.mqttWssUrl!]) {
      const client = await connect(url, { ...auth, clientId: `c-${url.slice(0, 4)}` });
      try {
        await publish(client, topics.deviceEvents(dev.id), event());
      } finally {
        client.end(true);
      }
    }
    expect(await listDeviceEvents(service.db, dev.id)).toHaveLength(2);
  });

  it('mosquitto_pub --cafile publishes an event over MQTTS', async () => {
    const { devices } = await provisionResident(service.db, ['pendant']);
    const dev = devices[0]!;
    const port = String(portOf(service.mqttsUrl));
    await run('mosquitto_pub', ['--cafile', ca.caPath, '-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-q', '1', '-i', 'mosq',
      '-u', dev.id, '-P', dev.secret, '-t', topics.deviceEvents(dev.id), '-m', event()], { timeout: 10_000 });
    expect(await listDeviceEvents(service.db, dev.id)).toHaveLength(1);
  });

  it('the console answers HTTPS on HTTP_PORT', async () => {
    const health = await httpsGetText(`${service.httpUrl}/healthz`, ca.ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    // the console's live stream upgrades over the same HTTPS server
    const login = await httpsPostJson(`${service.httpUrl}/api/login`, ADMIN, ca.ca);
    expect(login.status).toBe(200);
    const ws = new WebSocket(`${service.httpUrl.replace('https:', 'wss:')}/ws?token=${login.body.token}`, { ca: ca.ca });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (m) => resolve(String(m)));
      ws.once('error', reject);
    });
    ws.terminate();
    expect(JSON.parse(first)).toBeTypeOf('object');
  });

  it('a client that does not trust the CA is refused, over MQTTS, WSS and HTTPS', async () => {
    const { devices } = await provisionResident(service.db, ['pendant']);
    const dev = devices[0]!;
    for (const url of [service.mqttsUrl!, service.mqttWssUrl!]) {
      await expect(connect(url, { username: dev.id, password: dev.secret, ca: stranger.ca })).rejects.toThrow(/certificate/i);
      await expect(connect(url, { username: dev.id, password: dev.secret })).rejects.toThrow(/certificate/i);
    }
    await expect(httpsGetText(`${service.httpUrl}/healthz`)).rejects.toThrow(/certificate/i);
  });
});

describe('TLS_CLIENT_CA', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      TLS_CERT: ca.server.certPath,
      TLS_KEY: ca.server.keyPath,
      TLS_CLIENT_CA: ca.caPath,
      MQTTS_PORT: '0',
      MQTT_WSS_PORT: '0',
      MQTT_PORT: 'off',
      MQTT_WS_PORT: 'off',
    });
  });
  afterAll(async () => service?.close());

  it('a device presents a certificate naming it: without one, with another device’s, or from another CA it is refused', async () => {
    const { devices } = await provisionResident(service.db, ['pendant', 'pendant']);
    const [a, b] = [devices[0]!, devices[1]!];
    const certA = ca.client(a.id);
    const certB = ca.client(b.id);
    const foreignA = stranger.client(a.id);
    const as = (cert?: { cert: string; key: string }): IClientOptions => ({ username: a.id, password: a.secret, ca: ca.ca, ...(cert ? { cert: cert.cert, key: cert.key } : {}) });
    for (const url of [service.mqttsUrl!, service.mqttWssUrl!]) {
      await expect(connect(url, as())).rejects.toThrow();
      await expect(connect(url, as(foreignA))).rejects.toThrow();
      // a valid certificate of device B, with device A's (correct) secret: CONNACK 5
      await expect(connect(url, as(certB))).rejects.toMatchObject({ code: 5 });
      const client = await connect(url, as(certA));
      try {
        await publish(client, topics.deviceEvents(a.id), event());
      } finally {
        client.end(true);
      }
    }
    expect(await listDeviceEvents(service.db, a.id)).toHaveLength(2);
    await expect(service.metrics.registry.getSingleMetricAsString('homecare_mqtt_connect_refused_total')).resolves.toMatch(/certificate_mismatch"\} 2/);
  });
});

describe('TLS settings', () => {
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).message;
    }
    throw new Error('accepted');
  };

  it('refuses half a pair, a missing or unreadable file, a key of another certificate, and a client CA alone', () => {
    const other = ca.client('x');
    expect(refused({ TLS_CERT: ca.server.certPath })).toMatch(/^TLS_KEY: set both TLS_CERT and TLS_KEY/);
    expect(refused({ TLS_KEY: ca.server.keyPath })).toMatch(/^TLS_CERT: set both/);
    expect(refused({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: ca.server.keyPath })).toMatch(/^TLS_CERT: cannot read the certificate file \/nonexistent\/cert.pem/);
    expect(refused({ TLS_CERT: ca.server.keyPath, TLS_KEY: ca.server.keyPath })).toMatch(/^TLS_CERT: .* is not a PEM certificate/);
    expect(refused({ TLS_CERT: ca.server.certPath, TLS_KEY: ca.server.certPath })).toMatch(/^TLS_KEY: .* is not a PEM private key/);
    expect(refused({ TLS_CERT: ca.server.certPath, TLS_KEY: other.keyPath })).toMatch(/^TLS_KEY: cannot be used with the certificate/);
    expect(refused({ TLS_CLIENT_CA: ca.caPath })).toMatch(/^TLS_CLIENT_CA: needs TLS_CERT and TLS_KEY/);
    expect(refused({ TLS_CERT: ca.server.certPath, TLS_KEY: ca.server.keyPath, TLS_CLIENT_CA: ca.server.keyPath })).toMatch(/^TLS_CLIENT_CA: .* is not a PEM certificate/);
    expect(refused({ MQTT_PORT: 'nope' })).toMatch(/^MQTT_PORT: must be a port number from 0 to 65535, or off/);
    expect(refused({ MQTT_PORT: 'off', MQTT_WS_PORT: 'off' })).toMatch(/^MQTT_PORT: .*devices could not connect/);
  });

  it('defaults: no TLS, plain listeners on, MQTTS 8883 and WSS 8084 when TLS is set', () => {
    const plain = loadConfig({});
    expect(plain.tls).toBeUndefined();
    expect(plain.mqtt).toMatchObject({ port: 1883, wsPort: 8083, tcpOff: false, wsOff: false, tlsPort: 8883, wssPort: 8084 });
    const tls = loadConfig({ TLS_CERT: ca.server.certPath, TLS_KEY: ca.server.keyPath, MQTT_PORT: 'off', MQTT_WS_PORT: 'OFF' });
    expect(tls.tls).toMatchObject({ cert: ca.server.cert, key: ca.server.key, clientCa: undefined });
    expect(tls.mqtt).toMatchObject({ tcpOff: true, wsOff: true });
  });
});
