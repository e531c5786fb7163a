import type { WebSocket } from 'ws';
import type { Logger } from '../../../common/logger.ts';
import type { Metrics } from '../../../common/metrics.ts';
import { clientMessageSchema, WS_CLOSE, type ServerMessage } from '../../../contract/console-stream.ts';
import type { AuthUser } from '../auth-user.ts';

export interface HubLimits {
  /** A console with more than this queued is skipped (messages dropped) until it catches up. */
  highWaterBytes: number;
  /** Caught up again: it gets a fresh snapshot. */
  lowWaterBytes: number;
  /** Behind for longer than this: closed (4008); the page reconnects and starts afresh. */
  maxBehindMs: number;
  /** Bytes queued and none of them leaving the socket for this long: closed (4008). */
  maxStalledMs: number;
  /** More than this queued when anything (a snapshot, a reply) is about to be written: closed (4008) at once. */
  maxBufferedBytes: number;
  /** How often laggards are looked at. */
  checkEveryMs: number;
  /** WebSocket ping interval; a console that missed the last pong is dropped (dead TCP). */
  heartbeatMs: number;
  /** How often each console's session is checked again (logged out, expired, login disabled). */
  sessionCheckMs: number;
}

// A console that cannot take the stream for a few seconds is better off reconnecting (a fresh
// snapshot) than being fed what it missed: seconds, not the heartbeat's minute, bound what it holds.
export const DEFAULT_HUB_LIMITS: HubLimits = {
  highWaterBytes: 1 << 20,
  lowWaterBytes: 64 << 10,
  maxBehindMs: 5_000,
  maxStalledMs: 5_000,
  maxBufferedBytes: 4 << 20,
  checkEveryMs: 500,
  heartbeatMs: 30_000,
  sessionCheckMs: 60_000,
};

interface Client {
  socket: WebSocket;
  user: AuthUser;
  /** Re-checks the session the console connected with: false once it has ended. */
  stillValid: () => Promise<boolean>;
  /** Live messages wait here while the first snapshot is read, so none falls between. */
  pending: Buffer[] | null;
  behindSince: number | null;
  /** Bytes handed to the socket, and the most of them seen to have left it, and when. */
  sentBytes: number;
  flushedBytes: number;
  flowingAt: number;
  alive: boolean;
  lastResyncAt: number;
}

const OPEN = 1;
const MAX_PENDING = 10_000;
const MIN_RESYNC_INTERVAL_MS = 2_000;
/** How long a closing console has to answer the close before its connection is dropped. */
const CLOSE_GRACE_MS = 2_000;
/** Serialised and UTF-8 encoded once, whoever it goes to (sent as a text frame). */
const encode = (message: ServerMessage) => Buffer.from(JSON.stringify(message));

/** The hubs of this process, so a session ended over HTTP reaches its live streams at once. */
const liveHubs = new Set<ConsoleHub>();

/**
 * A login's sessions ended (logout, login disabled or deleted): every live stream of that login
 * whose session is no longer valid is closed now (4001), not at the next periodic check. Login
 * ids are UUIDs, so hubs of other apps in the same process (tests) are never touched wrongly.
 */
export async function recheckLiveStreamsOf(userId: string): Promise<void> {
  await Promise.all([...liveHubs].map((h) => h.recheckUser(userId)));
}

/**
 * The consoles connected to this instance. A broadcast is serialised and encoded once (every
 * console's queue holds the same bytes); each console gets it unless it has fallen behind.
 * Consoles are isolated from each other: a write is handed to that console's own socket and never
 * awaited, so a slow or dead console never holds the dispatcher or another console up; its
 * messages are dropped and, once it drains, it is sent a fresh snapshot instead. One that does
 * not drain within seconds, or whose queue passes a hard bound, is closed (4008): what a console
 * that stopped reading can make the server hold stays bounded.
 */
export class ConsoleHub {
  private readonly clients = new Set<Client>();
  private readonly timers: NodeJS.Timeout[];
  readonly limits: HubLimits;

  constructor(
    private readonly o: {
      snapshot: (user: AuthUser, resync: boolean) => Promise<ServerMessage>;
      logger: Logger;
      metrics: Metrics;
      limits?: Partial<HubLimits>;
    },
  ) {
    const l = (this.limits = { ...DEFAULT_HUB_LIMITS, ...o.limits });
    this.timers = [
      setInterval(() => this.checkLaggards(), l.checkEveryMs),
      setInterval(() => this.heartbeat(), l.heartbeatMs),
      setInterval(() => void this.checkSessions(), l.sessionCheckMs),
    ];
    for (const t of this.timers) t.unref();
    liveHubs.add(this);
  }

  get size(): number {
    return this.clients.size;
  }

  /** A signed-in console connected: snapshot first, then live messages. */
  async add(socket: WebSocket, user: AuthUser, stillValid: () => Promise<boolean>): Promise<void> {
    const now = Date.now();
    const c: Client = { socket, user, stillValid, pending: [], behindSince: null, sentBytes: 0, flushedBytes: 0, flowingAt: now, alive: true, lastResyncAt: now };
    this.clients.add(c);
    this.o.metrics.consoleClients.set(this.clients.size);
    socket.on('close', () => {
      this.clients.delete(c);
      this.o.metrics.consoleClients.set(this.clients.size);
    });
    socket.on('pong', () => (c.alive = true));
    socket.on('message', (data, isBinary) => this.onMessage(c, data.toString(), isBinary));
    try {
      this.write(c, encode(await this.o.snapshot(user, false)));
    } catch (err) {
      this.o.logger.error({ err, username: user.username }, 'console snapshot failed; closing so the page reconnects');
      socket.close(1011, 'snapshot failed');
      return;
    }
    const held = c.pending ?? [];
    c.pending = null;
    for (const data of held) this.send(c, data);
  }

  /** To every console that may see it (`visible` filters per staff member). */
  broadcast(message: ServerMessage, visible?: (user: AuthUser) => boolean): void {
    if (this.clients.size === 0) return;
    const data = encode(message);
    for (const c of this.clients) if (!visible || visible(c.user)) this.send(c, data);
  }

  close(): void {
    liveHubs.delete(this);
    for (const t of this.timers) clearInterval(t);
    for (const c of this.clients) {
      c.socket.close(1001, 'server shutting down');
      // a console that is not reading never answers the close: the server's own close would wait ws's 30 s for it
      setTimeout(() => c.socket.terminate(), CLOSE_GRACE_MS).unref();
    }
  }

  private send(c: Client, data: Buffer): void {
    if (c.pending) {
      if (c.pending.length < MAX_PENDING) c.pending.push(data);
      else c.behindSince ??= Date.now(); // the snapshot read is stuck: resync once it is sent
      return;
    }
    if (c.behindSince !== null) {
      this.o.metrics.consoleDropped.inc();
      return;
    }
    if (c.socket.bufferedAmount > this.limits.highWaterBytes) {
      c.behindSince = Date.now();
      this.o.metrics.consoleDropped.inc();
      this.o.logger.warn({ username: c.user.username, bufferedBytes: c.socket.bufferedAmount }, 'console fell behind; dropping its live messages until it catches up');
      return;
    }
    this.write(c, data);
  }

  /** Hands the bytes to this console's socket, without waiting for them to leave. */
  private write(c: Client, data: Buffer): void {
    if (c.socket.readyState !== OPEN) return;
    if (c.socket.bufferedAmount > this.limits.maxBufferedBytes) return this.closeSlow(c, 'its queue passed the bound');
    c.sentBytes += data.length;
    c.socket.send(data, { binary: false });
  }

  private onMessage(c: Client, text: string, isBinary: boolean): void {
    let parsed: unknown;
    try {
      parsed = isBinary ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const m = clientMessageSchema.safeParse(parsed);
    if (!m.success) {
      const message = 'expected a JSON text message {"type":"ping"} or {"type":"resync"}';
      this.write(c, encode({ type: 'error', data: { code: 'bad_message', message } }));
      return;
    }
    if (m.data.type === 'ping') this.send(c, encode({ type: 'pong', data: { serverTime: new Date() } }));
    else if (Date.now() - c.lastResyncAt < MIN_RESYNC_INTERVAL_MS) {
      // each snapshot reads the database: a page stuck in a loop must not turn into a load test
      const message = `a fresh snapshot at most every ${MIN_RESYNC_INTERVAL_MS / 1000} s; live messages keep coming meanwhile`;
      this.write(c, encode({ type: 'error', data: { code: 'resync_too_soon', message } }));
    } else void this.resync(c);
  }

  private checkLaggards(): void {
    const now = Date.now();
    const l = this.limits;
    for (const c of [...this.clients]) {
      const buffered = c.socket.bufferedAmount;
      // bytes handed over minus bytes still queued: what has left; a new frame's header makes it dip, hence the most seen
      const flushed = c.sentBytes - buffered;
      if (buffered === 0 || flushed > c.flushedBytes) {
        c.flowingAt = now;
        c.flushedBytes = Math.max(c.flushedBytes, flushed);
      } else if (now - c.flowingAt > l.maxStalledMs) {
        this.closeSlow(c, `nothing it was sent left its socket for ${l.maxStalledMs} ms`);
        continue;
      }
      if (c.behindSince === null || c.pending) continue;
      if (buffered <= l.lowWaterBytes) void this.resync(c);
      else if (now - c.behindSince > l.maxBehindMs) this.closeSlow(c, `still behind after ${l.maxBehindMs} ms`);
    }
  }

  /** Lets a console go that cannot take the stream; the page reconnects and starts from a snapshot. */
  private closeSlow(c: Client, why: string): void {
    if (!this.clients.delete(c)) return;
    this.o.metrics.consoleClients.set(this.clients.size);
    this.o.metrics.consoleResyncs.inc({ result: 'closed' });
    this.o.logger.warn({ username: c.user.username, bufferedBytes: c.socket.bufferedAmount, why }, 'console too slow for the live stream; closing it');
    c.socket.close(WS_CLOSE.tooSlow, 'too far behind; reconnect');
    // a peer that does not read will not complete the closing handshake either: what is queued for it goes
    setTimeout(() => c.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** A fresh snapshot replaces whatever the console missed. */
  private async resync(c: Client): Promise<void> {
    if (c.pending) return;
    c.pending = [];
    c.lastResyncAt = Date.now();
    try {
      const snapshot = await this.o.snapshot(c.user, true);
      c.behindSince = null;
      this.write(c, encode(snapshot));
      this.o.metrics.consoleResyncs.inc({ result: 'sent' });
    } catch (err) {
      this.o.logger.error({ err, username: c.user.username }, 'console resync failed; closing so the page reconnects');
      c.socket.close(1011, 'resync failed');
    }
    const held = c.pending ?? [];
    c.pending = null;
    for (const data of held) this.send(c, data);
  }

  /**
   * A login's sessions ended (logout, login disabled or deleted): its consoles' sessions are
   * checked now rather than at the next round, and those that ended are closed (4001).
   */
  async recheckUser(userId: string): Promise<void> {
    await this.checkSessions((c) => c.user.id === userId);
  }

  /** A console whose session ended (logout, expiry, disabled login) stops receiving: closed with 4001. */
  private async checkSessions(which: (c: Client) => boolean = () => true): Promise<void> {
    for (const c of [...this.clients].filter(which)) {
      let valid: boolean;
      try {
        valid = await c.stillValid();
      } catch (err) {
        this.o.logger.warn({ err, username: c.user.username }, 'console session not checked; trying again later');
        continue;
      }
      if (valid) continue;
      this.o.logger.info({ username: c.user.username }, 'console session ended; closing its live stream');
      if (!this.clients.delete(c)) continue; // already let go meanwhile
      c.socket.close(WS_CLOSE.unauthorized, 'session ended; log in again');
      setTimeout(() => c.socket.terminate(), CLOSE_GRACE_MS).unref();
      this.o.metrics.consoleClients.set(this.clients.size);
    }
  }

  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}
