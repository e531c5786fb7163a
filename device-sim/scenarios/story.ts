/**
 * The printed timeline of one run. What the devices and wrists hear is known at once; the
 * alarm's own rows arrive with the next poll of the API. Lines are held for a moment and
 * written in the order they happened, so "alarm raised" comes before the wrist that vibrates.
 */
export class Story {
  private readonly pending: Array<{ at: number; seq: number; line: string }> = [];
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  t0 = Date.now();

  constructor(
    private readonly out: (line: string) => void,
    private readonly holdMs = 1_200,
  ) {
    this.timer = setInterval(() => this.flush(Date.now() - this.holdMs), 200);
  }

  add(at: Date | number, line: string): void {
    this.pending.push({ at: +at, seq: this.seq++, line });
  }

  private flush(upTo: number): void {
    this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
    while (this.pending.length > 0 && this.pending[0]!.at <= upTo) {
      const { at, line } = this.pending.shift()!;
      this.out(`+${((at - this.t0) / 1000).toFixed(1).padStart(5)}s  ${line}`);
    }
  }

  /** Writes what is left, in order, and stops. */
  end(): void {
    clearInterval(this.timer);
    this.flush(Infinity);
  }
}
