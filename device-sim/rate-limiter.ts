/**
 * Hard cap on how many messages may go out: never more than `capacity` within any `windowMs`
 * (a sliding window over the last send times, kept in a ring buffer). Rates of 1/s or more
 * use a 1 s window with floor(rate) slots; slower rates use one slot per 1/rate seconds.
 * The traffic loop paces sends evenly on its own; this limiter is the guarantee that a
 * catch-up after a stall (GC pause, slow broker) cannot burst past the requested rate.
 */
export class RateLimiter {
  readonly capacity: number;
  readonly windowMs: number;
  private readonly sentAt: Float64Array;
  private count = 0;
  private head = 0; // index of the oldest send time once the ring is full

  constructor(readonly ratePerSecond: number) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
    }
    this.capacity = ratePerSecond >= 1 ? Math.floor(ratePerSecond) : 1;
    this.windowMs = ratePerSecond >= 1 ? 1000 : 1000 / ratePerSecond;
    this.sentAt = new Float64Array(this.capacity);
  }

  /** Takes a slot at time `now` (ms, monotonic) if one is free. */
  tryAcquire(now: number): boolean {
    if (this.count < this.capacity) {
      this.sentAt[(this.head + this.count) % this.capacity] = now;
      this.count++;
      return true;
    }
    if (now - (this.sentAt[this.head] as number) < this.windowMs) return false;
    this.sentAt[this.head] = now;
    this.head = (this.head + 1) % this.capacity;
    return true;
  }

  /** Milliseconds until tryAcquire can succeed (0 when it can now). */
  waitMs(now: number): number {
    if (this.count < this.capacity) return 0;
    return Math.max(0, (this.sentAt[this.head] as number) + this.windowMs - now);
  }
}
