import { randomBytes, randomUUID } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { connect, provisionDevice, provisionResident, publish, startGateway, type RunningGateway } from './helpers/gateway-harness.ts';
import { createTestDb } from './helpers/test-db.ts';

/** Writes raw bytes and resolves when the broker closes the socket (or rejects after ms). */
function rawSession(port: number, bytes: Buffer, ms = 5_000): Promise<'closed'> {
  return new Promise((resolve, reject) => {
    const s: Socket = tcpConnect(port, '127.0.0.1', () => s.write(bytes));
    const timer = setTimeout(() => (s.destroy(), reject(new Error('broker kept the garbage connection open'))), ms);
    s.on('error', () => undefined);
    s.on('close', () => (clearTimeout(timer), resolve('closed')));
  });
}

// Protocol-level abuse: whatever arrives, the broker drops that connection and serves others.
describe('gateway under hostile MQTT traffic', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let gw: RunningGateway;
  let port: number;

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb('postgres'));
    gw = await startGateway(db);
    port = gw.listeners.port;
  });
  afterAll(async () => {
    await gw?.close();
    await cleanup?.();
  });

  it.each([
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: broker\r\n\r\n')],
    ['a reserved packet type', Buffer.concat([Buffer.from([0x00, 0x10]), randomBytes(16)])],
    ['a PUBLISH before CONNECT', Buffer.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x68, 0x69])],
    ['a CONNECT with a bad protocol name', Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x58, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00])],
    ['a remaining length announcing 200 MB', Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])],
    ['a malformed 5-byte remaining length', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])],
  ])('drops %s', async (_name, bytes) => {
    expect(await rawSession(port, bytes)).toBe('closed');
  });

  it('drops a device that publishes with a wildcard or to $SYS, and keeps serving others', async () => {
    const { devices } = await provisionResident(db, ['pendant', 'door_sensor']);
    const [dev, other] = [devices[0]!, devices[1]!];
    for (const topic of [`homecare/devices/${dev.id}/+`, '$SYS/broker/x', `homecare/devices/${dev.id}/events/extra`]) {
      const c = await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id });
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      (c as unknown as { stream: Socket }).stream.write(
        // hand-built PUBLISH QoS 0: mqtt.js itself refuses to send wildcard topics
        Buffer.concat([Buffer.from([0x30, topic.length + 2 + 2, 0x00, topic.length]), Buffer.from(topic), Buffer.from('{}')]),
      );
      await closed;
      c.end(true);
    }
    const o = await connect(gw.url, { username: other.id, password: other.secret, clientId: other.id });
    await publish(o, topics.deviceEvents(other.id), JSON.stringify({ id: randomUUID(), type: 'door.opened' }));
    expect(await listDeviceEvents(db, other.id)).toHaveLength(1);
    o.end(true);
  });

  it('accepts the longest device id as its clientId', async () => {
    const dev = await provisionDevice(db, `d${'x'.repeat(55)}${randomUUID().slice(0, 8)}`, 'pendant', null);
    expect(dev.id).toHaveLength(64);
    const c = await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id });
    expect(c.connected).toBe(true);
    c.end(true);
  });

  it('survives a storm of bad logins and of bad payloads from many connections', async () => {
    const { devices } = await provisionResident(db, ['pendant']);
    const dev = devices[0]!;
    const bad = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => connect(gw.url, { username: i % 2 ? dev.id : `ghost-${i}`, password: 'nope', clientId: `storm-${i}` })),
    );
    expect(bad.every((r) => r.status === 'rejected')).toBe(true);
    const c = await connect(gw.url, { username: dev.id, password: dev.secret, clientId: dev.id });
    const junk = [
      '',
      'null',
      '[]',
      '"x"',
      '{"id":{},"type":"motion"}',
      '{"id":"1","type":"motion","ts":"yesterday"}',
      '{"id":"2","type":"motion","ts":"0000-01-01T00:00:00Z"}',
      '{"id":"3","type":"motion","data":{"x":"a\\u0000b"}}', // NUL: PostgreSQL cannot store it
      '{"id":"4\\u0000","type":"motion"}',
      '{"id":"5","type":"motion","data":{"x":"\\ud800"}}', // a lone surrogate
      `{"id":"6","type":"motion","data":${'{"a":'.repeat(50)}1${'}'.repeat(50)}}`, // deep nesting traps PGlite
      '\u0000\u0001',
      'x'.repeat(17_000),
    ];
    await Promise.all(junk.map((p) => publish(c, topics.deviceEvents(dev.id), p)));
    await publish(c, topics.deviceEvents(dev.id), JSON.stringify({ id: 'good', type: 'button.pressed' }));
    expect((await listDeviceEvents(db, dev.id)).map((e) => e.eventId)).toEqual(['good']);
    const rejected = (await gw.metrics.messagesRejected.get()).values.reduce((n, v) => n + v.value, 0);
    expect(rejected).toBeGreaterThanOrEqual(junk.length);
    c.end(true);
  });
});
