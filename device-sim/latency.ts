/**
 * PUBACK latencies for percentiles. Long runs publish millions of messages, so it keeps a
 * uniform reservoir sample of fixed size instead of every value.
 */
export class LatencySampler {
  private readonly samples: number[] = [];
  private seen = 0;
  private max = 0;

  constructor(private readonly size = 10_000) {}

  record(ms: number): void {
    this.seen++;
    if (ms > this.max) this.max = ms;
    if (this.samples.length < this.size) {
      this.samples.push(ms);
      return;
    }
    const j = Math.floor(Math.random() * this.seen);
    if (j < this.size) this.samples[j] = ms;
  }

  summary(): { count: number; p50: number | null; p99: number | null; max: number | null } {
    if (this.samples.length === 0) return { count: 0, p50: null, p99: null, max: null };
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
    return { count: this.seen, p50: at(0.5), p99: at(0.99), max: round(this.max) };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
