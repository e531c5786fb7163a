import { isIPv6 } from 'node:net';

/**
 * Limits for unverified MQTT CONNECTs (see DeviceAuthenticator for how they combine).
 * The defaults; the environment variable that sets each (common/config.ts) is named in its comment.
 */
export const CONNECT_LIMIT_DEFAULTS = {
  /**
   * MQTT_AUTH_FAIL_BURST: failed secret checks one source address may spend at once.
   * Device secrets are 256 random bits: no rate makes guessing one feasible, so the bucket is
   * about the CPU one address may take (50 × ~15 ms of scrypt, then one check a second), and
   * a care home's devices behind one NAT address, a few with stale secrets, share it. 50, not
   * 10: a burst of 40 failures followed at once by a device's first connect with its right
   * secret (tests/gateway-hostile.test.ts) must still let that device in.
   */
  failureBurst: 50,
  /** MQTT_AUTH_FAIL_PER_S: and then per second. */
  failureRefillPerSecond: 1,
  /** MQTT_AUTH_CONCURRENCY: secret checks (scrypt) running at once, process-wide. */
  scryptConcurrency: 2,
  /**
   * MQTT_AUTH_QUEUE: checks waiting for a slot; beyond, "server unavailable" at once.
   * Room for a reconnect storm of uncached devices (after a restart) to wait rather than be
   * refused; at 2 checks of ~15 ms at once, the last of 128 waits ~1 s.
   */
  scryptQueue: 128,
  /** Source addresses tracked; full buckets are forgotten first (an absent one is full). */
  maxTrackedSources: 100_000,
} as const;

export type ConnectLimitOptions = { [K in keyof typeof CONNECT_LIMIT_DEFAULTS]?: number };

/**
 * Token buckets of failed secret checks, one per source address. A check reserves a token
 * before it runs and gets it back if the secret was right (or if the check never ran), so
 * only failures cost: devices that connect fine never use up their address's allowance.
 */
export class FailureBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly refillPerSecond: number,
    private readonly maxTracked: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token if one is there; false means "over the limit, refuse without checking". */
  tryReserve(source: string): boolean {
    const b = this.refilled(source);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    this.buckets.set(source, b);
    this.prune();
    return true;
  }

  /** The reserved token back: the secret was right, or no check ran. */
  refund(source: string): void {
    const b = this.buckets.get(source);
    if (b) b.tokens = Math.min(this.burst, b.tokens + 1);
  }

  private refilled(source: string): { tokens: number; at: number } {
    const t = this.now();
    const b = this.buckets.get(source);
    if (!b) return { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.refillPerSecond);
    b.at = t;
    return b;
  }

  private prune(): void {
    if (this.buckets.size <= this.maxTracked) return;
    for (const [key] of this.buckets) {
      if (this.refilled(key).tokens >= this.burst) this.buckets.delete(key);
    }
    // still too many (a spread-out flood): forget the oldest; that only ever gives them tokens back
    for (const [key] of this.buckets) {
      if (this.buckets.size <= this.maxTracked) break;
      this.buckets.delete(key);
    }
  }
}

export class GateFullError extends Error {
  constructor() {
    super('secret checks saturated');
  }
}

/**
 * At most `concurrency` secret checks at once, `maxQueued` more waiting. scrypt runs on the
 * libuv pool (4 threads by default, shared with DNS and file I/O): a flood left unbounded
 * took ~2 cores and delayed every other connect. Beyond the queue: refused at once.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Whether a new job would be taken now (run or queued). */
  get hasRoom(): boolean {
    return this.running < this.concurrency || this.waiting.length < this.maxQueued;
  }

  /** Runs fn when a slot is free; rejects with GateFullError at once when there is no room. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) throw new GateFullError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight on
      else this.running--;
    }
  }
}

/**
 * The address a CONNECT came from: the TCP peer, or the WebSocket upgrade's peer. IPv6 is
 * taken by its /64 (one host usually holds the whole prefix); IPv4-mapped IPv6 as IPv4.
 */
export function sourceAddress(client: unknown): string {
  const c = client as {
    req?: { socket?: { remoteAddress?: string } };
    conn?: { remoteAddress?: string; socket?: { remoteAddress?: string } };
  };
  const raw = c.req?.socket?.remoteAddress ?? c.conn?.remoteAddress ?? c.conn?.socket?.remoteAddress;
  if (!raw) return 'unknown';
  if (raw.startsWith('::ffff:') && raw.includes('.')) return raw.slice(7);
  if (!isIPv6(raw)) return raw;
  return ipv6Prefix64(raw);
}

function ipv6Prefix64(addr: string): string {
  const [head = '', tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
