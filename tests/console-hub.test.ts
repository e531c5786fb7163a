import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import type { ServerMessage } from '../contract/console-stream.ts';
import { ConsoleHub } from '../dispatch-console/console/live/console-hub.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { openConsole, type ConsoleSocket } from './helpers/console-socket.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

const operator = { id: 'u1', username: 'op', role: 'operator' as const, caregiverId: null, areaId: null, scope: CENTRE_WIDE };
const snapshotOf = (resync: boolean): ServerMessage => ({
  type: 'snapshot',
  data: { serverTime: new Date(), user: { username: 'op', role: 'operator', caregiverId: null }, resync, alarms: [], areas: [], caregivers: [], devices: [] },
});
// a big message, so a console that stops reading falls behind within a few hundred of them
const bulky = (i: number): ServerMessage => ({ type: 'error', data: { code: `n${i}`, message: 'x'.repeat(64 * 1024) } });

/** The real hub behind a real WebSocket server on a free port. */
async function hubOnServer(limits: ConstructorParameters<typeof ConsoleHub>[0]['limits'], session = { valid: true }) {
  const metrics = createMetrics();
  const hub = new ConsoleHub({ snapshot: async (_u, resync) => snapshotOf(resync), logger: createLogger('silent'), metrics, limits });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wss.on('connection', (socket) => void hub.add(socket, operator, async () => session.valid));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  return { hub, metrics, url, close: () => (hub.close(), new Promise((r) => wss.close(r))) };
}

const dropped = async (m: ReturnType<typeof createMetrics>) => (await m.consoleDropped.get()).values[0]?.value ?? 0;
const pauseReading = (c: ConsoleSocket) => (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

describe('a slow console never holds the others up (real sockets)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('drops a stalled console\'s messages while a reading one gets all of them; once drained the stalled one gets a fresh snapshot', async () => {
    const s = await hubOnServer({ highWaterBytes: 256 * 1024, lowWaterBytes: 16 * 1024, checkEveryMs: 50, maxBehindMs: 60_000, maxStalledMs: 60_000 });
    cleanups.push(s.close);
    const fast = await openConsole(s.url);
    const slow = await openConsole(s.url);
    cleanups.push(() => fast.close(), () => slow.close());
    await fast.next((m) => m.type === 'snapshot');
    await slow.next((m) => m.type === 'snapshot');
    pauseReading(slow).pause();

    const t0 = performance.now();
    const N = 400; // 25 MB each: more than loopback's socket buffers hold
    for (let i = 0; i < N; i++) {
      s.hub.broadcast(bulky(i));
      if (i % 20 === 0) await new Promise((r) => setImmediate(r)); // let the fast one drain, as real traffic would
    }
    const broadcastMs = performance.now() - t0;
    await fast.next((m) => m.type === 'error' && m.data.code === `n${N - 1}`, 20_000);
    expect(fast.messages.filter((m) => m.type === 'error')).toHaveLength(N);
    expect(await dropped(s.metrics)).toBeGreaterThan(0);
    expect(broadcastMs).toBeLessThan(10_000); // never waits on the stalled peer

    pauseReading(slow).resume();
    const fresh = await slow.next((m) => m.type === 'snapshot' && m.data.resync === true, 20_000);
    expect(fresh.data.alarms).toEqual([]);
    const got = slow.messages.filter((m) => m.type === 'error').length;
    expect(got).toBeLessThan(N);
    // and it is live again afterwards
    s.hub.broadcast({ type: 'error', data: { code: 'after', message: 'live again' } });
    await slow.next((m) => m.data?.code === 'after');
  }, 60_000);

  it('closes a console that stays behind (4008) so the page reconnects', async () => {
    const s = await hubOnServer({ highWaterBytes: 64 * 1024, lowWaterBytes: 1024, checkEveryMs: 50, maxBehindMs: 300 });
    cleanups.push(s.close);
    const slow = await openConsole(s.url);
    cleanups.push(() => slow.close());
    await slow.next((m) => m.type === 'snapshot');
    pauseReading(slow).pause();
    for (let i = 0; i < 400; i++) {
      s.hub.broadcast(bulky(i));
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(async () => s.hub.size === 0, 5_000);
    pauseReading(slow).resume();
    const [code] = (await once(slow.ws, 'close')) as [number];
    // 4008 when the close frame got through, 1006 when the peer was cut off unread
    expect([4008, 1006]).toContain(code);
  }, 30_000);

  it('closes a console whose queue stops moving, even below the high water mark', async () => {
    // the drop-and-resync rule never starts (64 MB high water): only the stall rule can let it go
    const s = await hubOnServer({ highWaterBytes: 64 << 20, maxBufferedBytes: 256 << 20, maxBehindMs: 60_000, maxStalledMs: 300, checkEveryMs: 50 });
    cleanups.push(s.close);
    const slow = await openConsole(s.url);
    cleanups.push(() => slow.close());
    await slow.next((m) => m.type === 'snapshot');
    pauseReading(slow).pause();
    for (let i = 0; i < 400; i++) s.hub.broadcast(bulky(i)); // 25 MB: more than loopback's socket buffers hold
    expect(s.hub.size).toBe(1);
    await waitFor(async () => s.hub.size === 0, 5_000);
    expect(await dropped(s.metrics)).toBe(0);
    pauseReading(slow).resume();
    const [code] = (await once(slow.ws, 'close')) as [number];
    expect([4008, 1006]).toContain(code);
  }, 30_000);

  it('closes a console at once when its queue passes the hard bound', async () => {
    // neither timed rule can fire within the test (a minute), nor the high water one
    const s = await hubOnServer({ highWaterBytes: 64 << 20, maxBufferedBytes: 1 << 20, maxBehindMs: 60_000, maxStalledMs: 60_000, checkEveryMs: 60_000 });
    cleanups.push(s.close);
    const slow = await openConsole(s.url);
    const other = await openConsole(s.url);
    cleanups.push(() => slow.close(), () => other.close());
    await slow.next((m) => m.type === 'snapshot');
    await other.next((m) => m.type === 'snapshot');
    pauseReading(slow).pause();
    let sent = 0;
    while (s.hub.size === 2 && sent < 1_000) {
      s.hub.broadcast(bulky(sent++));
      if (sent % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(s.hub.size).toBe(1);
    expect(sent).toBeLessThan(1_000); // 64 MB would have been queued otherwise
    await other.next((m) => m.type === 'error' && m.data.code === `n${sent - 1}`, 20_000);
    pauseReading(slow).resume();
    const [code] = (await once(slow.ws, 'close')) as [number];
    expect([4008, 1006]).toContain(code);
  }, 30_000);

  it('shuts down within seconds with a console that stopped reading (not the 30 s ws waits for a close answer)', async () => {
    const s = await hubOnServer({});
    const slow = await openConsole(s.url);
    cleanups.push(() => slow.ws.terminate());
    await slow.next((m) => m.type === 'snapshot');
    pauseReading(slow).pause();
    for (let i = 0; i < 200; i++) s.hub.broadcast(bulky(i)); // its buffers full: the close frame cannot get through
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(15_000);
  }, 60_000);

  it('closes a console whose session ended (logout, expiry) with 4001', async () => {
    const session = { valid: true };
    const s = await hubOnServer({ sessionCheckMs: 50 }, session);
    cleanups.push(s.close);
    const c = await openConsole(s.url);
    await c.next((m) => m.type === 'snapshot');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.hub.size).toBe(1); // still valid: kept
    session.valid = false;
    const [code] = (await once(c.ws, 'close')) as [number];
    expect(code).toBe(4001);
    expect(s.hub.size).toBe(0);
  });

  it('a console that vanished without closing is dropped by the heartbeat', async () => {
    const s = await hubOnServer({ heartbeatMs: 100 });
    cleanups.push(s.close);
    const c = new WebSocket(s.url, { autoPong: false });
    await once(c, 'open');
    await waitFor(async () => s.hub.size === 1);
    await waitFor(async () => s.hub.size === 0, 3_000);
    c.terminate();
  });
});
