import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { listDeviceEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { CONNECT_LIMIT_DEFAULTS, FailureBuckets, GateFullError, WorkGate, sourceAddress } from '../gateway/connect-limiter.ts';
import { connect, provisionResident, publish, startGateway, type RunningGateway } from './helpers/gateway-harness.ts';
import { connectFrom, connectPacket } from './helpers/raw-mqtt.ts';
import { createTestDb } from './helpers/test-db.ts';

/** One raw CONNECT from `localAddress` (any 127/8 address is ours on Linux): CONNACK's return code and how long it took. */
function attempt(port: number, id: string, secret: string, localAddress = '127.0.0.1'): Promise<{ code: number; ms: number }> {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const s = tcpConnect({ port, host: '127.0.0.1', localAddress }, () => {
      t0 = performance.now();
      s.write(connectPacket(id, secret));
    });
    const timer = setTimeout(() => (s.destroy(), reject(new Error('no CONNACK within 10 s'))), 10_000);
    s.once('data', (b: Buffer) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      s.destroy();
      if (b[0] !== 0x20) return reject(new Error(`not a CONNACK: ${b.toString('hex')}`));
      resolve({ code: b[3]!, ms });
    });
    s.once('error', (err) => (clearTimeout(timer), reject(err)));
  });
}


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const refused = async (gw: RunningGateway, reason: string) =>
  (await gw.metrics.mqttConnectRefused.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
/** Every check that failed ran scrypt exactly once (against the device's hash or the dummy). */
const failedChecks = async (gw: RunningGateway) => (await refused(gw, 'bad_secret')) + (await refused(gw, 'unknown_device'));

describe('connect limiter parts', () => {
  it('a failure bucket spends only failures and refills', () => {
    let now = 0;
    const b = new FailureBuckets(3, 1, 10, () => now);
    expect([b.tryReserve('a'), b.tryReserve('a'), b.tryReserve('a'), b.tryReserve('a')]).toEqual([true, true, true, false]);
    expect(b.tryReserve('b')).toBe(true); // per source
    b.refund('a'); // a right secret gives its token back
    expect(b.tryReserve('a')).toBe(true);
    expect(b.tryReserve('a')).toBe(false);
    now += 1000;
    expect(b.tryReserve('a')).toBe(true);
    expect(b.tryReserve('a')).toBe(false);
  });

  it('a work gate runs a few at once, queues a few, refuses beyond', async () => {
    const gate = new WorkGate(2, 1);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let peak = 0;
    let running = 0;
    const job = () => gate.run(async () => (peak = Math.max(peak, ++running), await held, running--, 'done'));
    const jobs = [job(), job(), job()];
    await expect(job()).rejects.toBeInstanceOf(GateFullError);
    release();
    await Promise.all(jobs);
    expect(peak).toBe(2);
    await expect(job()).resolves.toBe('done'); // room again once the others finished
  });

  it('keys sources by address, IPv6 by its /64', () => {
    expect(sourceAddress({ conn: { socket: { remoteAddress: '::ffff:10.1.2.3' } } })).toBe('10.1.2.3');
    expect(sourceAddress({ req: { socket: { remoteAddress: '2001:db8:0:1:aaaa::1' } } })).toBe('2001:db8:0:1::/64');
    expect(sourceAddress({ conn: { socket: { remoteAddress: '2001:db8::1' } } })).toBe('2001:db8:0:0::/64');
    expect(sourceAddress({})).toBe('unknown');
  });
});

describe('gateway against secret guessing', () => {
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

  it('answers unknown and known device ids in the same time', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!;
    const ghost = `pendant-${'x'.repeat(dev.id.length - 8)}`; // same length, no such device
    const known: number[] = [];
    const unknown: number[] = [];
    const checksBefore = await failedChecks(gw);
    // each attempt from its own address, so no bucket runs out; alternated, after a warm-up
    for (let i = 0; i < 24; i++) {
      const k = await attempt(port, dev.id, 'wrong-secret', `127.0.10.${i + 1}`);
      const u = await attempt(port, ghost, 'wrong-secret', `127.0.11.${i + 1}`);
      expect([k.code, u.code]).toEqual([5, 5]);
      if (i >= 4) (known.push(k.ms), unknown.push(u.ms));
    }
    expect(await failedChecks(gw)).toBe(checksBefore + 48); // both kinds ran scrypt
    const [mk, mu] = [median(known), median(unknown)];
    expect(Math.max(mk, mu) / Math.min(mk, mu), `medians: known ${mk.toFixed(1)} ms, unknown ${mu.toFixed(1)} ms`).toBeLessThan(2);
  });

  it('throttles a flood of wrong secrets while a pendant keeps getting in and its events are acknowledged', async () => {
    const { devices } = await provisionResident(db, ['pendant', 'pendant']);
    const [natPendant, otherPendant] = [devices[0]!, devices[1]!];
    const flooder = '127.0.20.1';
    // the pendant behind the attacker's NAT address connected before the flood: its secret is verified
    (await connectFrom(port, flooder, natPendant)).end(true);

    const checksBefore = await failedChecks(gw);
    const limitedBefore = await refused(gw, 'rate_limited');
    let attempts = 0;
    const codes = new Map<number, number>();
    let flooding = true;
    const floodStart = performance.now();
    const flood = Promise.all(
      Array.from({ length: 64 }, async (_, n) => {
        while (flooding) {
          // half against the pendant's own id (a lockout attempt), half against invented ids
          const id = n % 2 ? natPendant.id : `ghost-${n}-${attempts}`;
          const { code } = await attempt(port, id, `guess-${attempts}`, flooder);
          attempts++;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 500)); // the bucket is spent by now
      for (let round = 0; round < 2; round++) {
        // the pendant behind the same address, connecting again and again during the flood
        const c = await connectFrom(port, flooder, natPendant);
        await publish(c, topics.deviceEvents(natPendant.id), JSON.stringify({ id: randomUUID(), type: 'button.pressed' }));
        c.end(true);
        await new Promise((r) => setTimeout(r, 300));
      }
      // a pendant this process has never verified, from an address of its own: checked and let in
      const o = await connectFrom(port, '127.0.21.1', otherPendant);
      await publish(o, topics.deviceEvents(otherPendant.id), JSON.stringify({ id: randomUUID(), type: 'button.pressed' }));
      o.end(true);
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      flooding = false;
      await flood;
    }
    const seconds = (performance.now() - floodStart) / 1000;
    const checks = (await failedChecks(gw)) - checksBefore;
    const limited = (await refused(gw, 'rate_limited')) - limitedBefore;
    expect(attempts).toBeGreaterThan(300);
    expect([...codes.keys()].every((c) => c === 5 || c === 3), JSON.stringify([...codes])).toBe(true);
    // scrypt ran for the burst and the refill, nothing more
    expect(checks).toBeLessThanOrEqual(CONNECT_LIMIT_DEFAULTS.failureBurst + Math.ceil(seconds * CONNECT_LIMIT_DEFAULTS.failureRefillPerSecond) + 1);
    expect(limited).toBeGreaterThanOrEqual(attempts - checks - (codes.get(3) ?? 0));
    expect(await listDeviceEvents(db, natPendant.id)).toHaveLength(2);
    expect(await listDeviceEvents(db, otherPendant.id)).toHaveLength(1);
    // the pendant is not locked out after the flood either
    (await connect(gw.url, { username: natPendant.id, password: natPendant.secret, clientId: natPendant.id })).end(true);
  });
});
