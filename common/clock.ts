/**
 * The one way time reaches the service: what time it is, and "call me at". Production uses
 * the system clock; tests drive a ManualClock, so hours of escalation run in milliseconds and
 * a busy machine cannot make a timer late.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): Date;
  /** Calls `fn` once `at` has passed (at once when it already has). */
  setTimer(at: Date, fn: () => void): Timer;
}

// setTimeout caps at 2^31-1 ms (~24.8 days): a longer wait re-arms itself when that fires
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(at, fn) {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const ms = at.getTime() - Date.now();
      // Node may run a timer a millisecond early: never call back before `at`
      if (ms <= 0) return fn();
      handle = setTimeout(arm, Math.min(ms, MAX_TIMEOUT_MS));
      handle.unref();
    };
    handle = setTimeout(arm, Math.min(Math.max(0, at.getTime() - Date.now()), MAX_TIMEOUT_MS));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when told to; timers due run in time order. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(start: Date | string = '2026-11-22T08:00:00.000Z') {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimer(at: Date, fn: () => void): Timer {
    const p: Pending = { at: at.getTime(), seq: this.seq++, fn };
    this.pending.add(p);
    // like the system clock: a time already passed fires soon, without waiting for advance()
    if (p.at <= this.t) {
      setImmediate(() => {
        if (this.pending.delete(p)) p.fn();
      });
    }
    return { cancel: () => void this.pending.delete(p) };
  }

  /** Timers armed and not yet run. */
  get timers(): number {
    return this.pending.size;
  }

  /** The next timer's time, if any. */
  get nextAt(): Date | undefined {
    const next = this.due(Number.POSITIVE_INFINITY)[0];
    return next && new Date(next.at);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way, each at its
   * own time, letting the promises it starts settle before the next (I/O included).
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(new Date(this.t + ms));
  }

  async advanceTo(target: Date): Promise<void> {
    const end = target.getTime();
    for (;;) {
      await settle();
      const next = this.due(end)[0];
      if (!next) break;
      this.pending.delete(next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = Math.max(this.t, end);
    await settle();
  }

  private due(until: number): Pending[] {
    return [...this.pending].filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

/** Lets already-started work (promise chains, I/O callbacks) run. */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
