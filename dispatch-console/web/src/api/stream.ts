import type { ClientMsg, ServerMsg } from '../types.ts';
import { api } from './http.ts';

export type StreamState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  /** Lost (or never reached): the next attempt is at `retryAt` (local ms). */
  | { kind: 'reconnecting'; attempt: number; retryAt: number };

export interface StreamHandlers {
  message(msg: ServerMsg, receivedAt: number): void;
  state(s: StreamState): void;
  /** A pong came back: its server time and the round trip, for the clock skew. */
  pong?(serverTime: string, sentAt: number, receivedAt: number): void;
}

const PING_EVERY_MS = 20_000;
// three pings unanswered: the connection is half-open (a NAT or proxy dropped it silently)
const SILENCE_LIMIT_MS = 65_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
// close codes from contract/console-stream.ts (WS_CLOSE): the value import would bundle zod
const CLOSE_UNAUTHORIZED = 4001;

/**
 * The console's live stream (`/ws?token=…`, contract/console-stream.ts): connects, pings every
 * 20 s, and reconnects with exponential backoff (with jitter, so a restarted server is not hit
 * by every console at once). Each new connection starts with a full snapshot from the server.
 */
export class ConsoleStream {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private retryTimer: number | undefined;
  private pingTimer: number | undefined;
  private lastHeard = 0;
  private pingSentAt = 0;

  constructor(
    private readonly token: string,
    private readonly on: StreamHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'logout');
  }

  send(msg: ClientMsg): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private connect(): void {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${proto}//${location.host}/ws?token=${encodeURIComponent(this.token)}`;
    this.on.state(this.attempt === 0 ? { kind: 'connecting' } : { kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() });
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.lastHeard = Date.now();
      this.pingTimer = window.setInterval(() => this.keepAlive(), PING_EVERY_MS);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return; // given up on (silent) or stopped
      const receivedAt = Date.now();
      this.lastHeard = receivedAt;
      const msg = parse(ev.data);
      if (!msg) return;
      if (msg.type === 'snapshot') {
        // a full state arrived: this connection works, so the next loss starts backoff afresh
        this.attempt = 0;
        this.on.state({ kind: 'live' });
      }
      if (msg.type === 'pong' && this.pingSentAt) this.on.pong?.(msg.data.serverTime, this.pingSentAt, receivedAt);
      this.on.message(msg, receivedAt);
    };
    ws.onclose = (ev: CloseEvent) => {
      // a socket already given up on may report its close late: the current one's timer stays
      if (this.ws !== ws || this.stopped) return;
      this.lost();
      if (ev.code === CLOSE_UNAUTHORIZED || !opened) void this.checkSession();
      this.scheduleRetry();
    };
  }

  private keepAlive(): void {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      // a half-open socket's close event can take another minute (the closing handshake
      // times out): reconnect now rather than show "live" over a dead connection
      const ws = this.ws;
      this.lost();
      ws?.close(4000, 'silent');
      this.scheduleRetry();
      return;
    }
    this.pingSentAt = Date.now();
    this.send({ type: 'ping' });
  }

  private lost(): void {
    window.clearInterval(this.pingTimer);
    this.ws = undefined;
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.attempt += 1;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.on.state({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay });
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  /**
   * A refused upgrade looks like any network failure to a browser: ask the API whether the
   * token still works (a 401 there logs the page out through http.ts).
   */
  private async checkSession(): Promise<void> {
    try {
      await api('/api/me');
    } catch {
      // unreachable or logged out: either way http.ts or the next retry deals with it
    }
  }
}

function parse(data: unknown): ServerMsg | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const msg = JSON.parse(data) as { type?: unknown; data?: unknown };
    return typeof msg.type === 'string' && typeof msg.data === 'object' && msg.data !== null ? (msg as ServerMsg) : undefined;
  } catch {
    return undefined;
  }
}
