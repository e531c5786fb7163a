import type { WebSocket } from 'ws';
import type { Logger } from '../../../common/logger.ts';
import type { Metrics } from '../../../common/metrics.ts';
import { clientMessageSchema, WS_CLOSE, type ServerMessage } from '../../../contract/console-stream.ts';
import type { AuthUser } from '../auth.ts';

export interface HubLimits {
  /** A console with more than this queued is skipped (messages dropped) until it catches up. */
  highWaterBytes: number;
  /** Caught up again: it gets a fresh snapshot. */
  lowWaterBytes: number;
  /** Behind for longer than this: closed (4008); the page reconnects and starts afresh. */
  maxBehindMs: number;
  /** How often laggards are looked at. */
  checkEveryMs: number;
  /** WebSocket ping interval; a console that missed the last pong is dropped (dead TCP). */
  heartbeatMs: number;
  /** How often each console's session is checked again (logged out, expired, login disabled). */
  sessionCheckMs: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = { highWaterBytes: 1 << 20, lowWaterBytes: 64 << 10, maxBehindMs: 30_000, checkEveryMs: 500, heartbeatMs: 30_000, sessionCheckMs: 60_000 };

interface Client {
  socket: WebSocket;
  user: AuthUser;
  /** Re-checks the session the console connected with: false once it has ended. */
  stillValid: () => Promise<boolean>;
  /** Live messages wait here while the first snapshot is read, so none falls between. */
  pending: string[] | null;
  behindSince: number | null;
  alive: boolean;
  lastResyncAt: number;
}

const OPEN = 1;
const MAX_PENDING = 10_000;
const MIN_RESYNC_INTERVAL_MS = 2_000;

/**
 * The consoles connected to this instance. A broadcast is serialised once; each console gets it
 * unless it has fallen behind, so a slow or dead console never holds the dispatcher up: its
 * messages are dropped and, once it drains, it is sent a fresh snapshot instead.
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
  }

  get size(): number {
    return this.clients.size;
  }

  /** A signed-in console connected: snapshot first, then live messages. */
  async add(socket: WebSocket, user: AuthUser, stillValid: () => Promise<boolean>): Promise<void> {
    const c: Client = { socket, user, stillValid, pending: [], behindSince: null, alive: true, lastResyncAt: Date.now() };
    this.clients.add(c);
    this.o.metrics.consoleClients.set(this.clients.size);
    socket.on('close', () => {
      this.clients.delete(c);
      this.o.metrics.consoleClients.set(this.clients.size);
    });
    socket.on('pong', () => (c.alive = true));
    socket.on('message', (data, isBinary) => this.onMessage(c, data.toString(), isBinary));
    try {
      this.write(c, JSON.stringify(await this.o.snapshot(user, false)));
    } catch (err) {
      this.o.logger.error({ err, username: user.username }, 'console snapshot failed; closing so the page reconnects');
      socket.close(1011, 'snapshot failed');
      return;
    }
    const held = c.pending ?? [];
    c.pending = null;
    for (const text of held) this.send(c, text);
  }

  /** To every console that may see it (`visible` filters per staff member). */
  broadcast(message: ServerMessage, visible?: (user: AuthUser) => boolean): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of this.clients) if (!visible || visible(c.user)) this.send(c, text);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const c of this.clients) c.socket.close(1001, 'server shutting down');
  }

  private send(c: Client, text: string): void {
    if (c.pending) {
      if (c.pending.length < MAX_PENDING) c.pending.push(text);
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
    this.write(c, text);
  }

  private write(c: Client, text: string): void {
    if (c.socket.readyState === OPEN) c.socket.send(text);
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
      this.write(c, JSON.stringify({ type: 'error', data: { code: 'bad_message', message } } satisfies ServerMessage));
      return;
    }
    if (m.data.type === 'ping') this.send(c, JSON.stringify({ type: 'pong', data: { serverTime: new Date() } } satisfies ServerMessage));
    else if (Date.now() - c.lastResyncAt < MIN_RESYNC_INTERVAL_MS) {
      // each snapshot reads the database: a page stuck in a loop must not turn into a load test
      const message = `a fresh snapshot at most every ${MIN_RESYNC_INTERVAL_MS / 1000} s; live messages keep coming meanwhile`;
      this.write(c, JSON.stringify({ type: 'error', data: { code: 'resync_too_soon', message } } satisfies ServerMessage));
    } else void this.resync(c);
  }

  private checkLaggards(): void {
    const now = Date.now();
    const l = this.limits;
    for (const c of this.clients) {
      if (c.behindSince === null || c.pending) continue;
      if (c.socket.bufferedAmount <= l.lowWaterBytes) void this.resync(c);
      else if (now - c.behindSince > l.maxBehindMs) {
        this.o.metrics.consoleResyncs.inc({ result: 'closed' });
        this.o.logger.warn({ username: c.user.username, bufferedBytes: c.socket.bufferedAmount }, 'console stayed behind; closing it');
        c.socket.close(WS_CLOSE.tooSlow, 'too far behind; reconnect');
        // a peer that does not read will not complete the closing handshake either
        setTimeout(() => c.socket.terminate(), 2_000).unref();
        this.clients.delete(c);
        this.o.metrics.consoleClients.set(this.clients.size);
      }
    }
  }

  /** A fresh snapshot replaces whatever the console missed. */
  private async resync(c: Client): Promise<void> {
    if (c.pending) return;
    c.pending = [];
    c.lastResyncAt = Date.now();
    try {
      const snapshot = await this.o.snapshot(c.user, true);
      c.behindSince = null;
      this.write(c, JSON.stringify(snapshot));
      this.o.metrics.consoleResyncs.inc({ result: 'sent' });
    } catch (err) {
      this.o.logger.error({ err, username: c.user.username }, 'console resync failed; closing so the page reconnects');
      c.socket.close(1011, 'resync failed');
    }
    const held = c.pending ?? [];
    c.pending = null;
    for (const text of held) this.send(c, text);
  }

  /** A console whose session ended (logout, expiry, disabled login) stops receiving: closed with 4001. */
  private async checkSessions(): Promise<void> {
    for (const c of [...this.clients]) {
      let valid: boolean;
      try {
        valid = await c.stillValid();
      } catch (err) {
        this.o.logger.warn({ err, username: c.user.username }, 'console session not checked; trying again later');
        continue;
      }
      if (valid) continue;
      this.o.logger.info({ username: c.user.username }, 'console session ended; closing its live stream');
      c.socket.close(WS_CLOSE.unauthorized, 'session ended; log in again');
      this.clients.delete(c);
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
