import type { Clock, Timer } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';

/**
 * At start-up nobody is connected yet, and a step that fell due while the service was down
 * would see every wrist offline, or (trusting the last run's presence) alert sockets that are
 * gone. Steps wait until the wrists that were online have reconnected, or the grace has passed
 * since the broker began listening, whichever comes first; then whoever is still offline gets
 * an SMS as at any step.
 */
export class ReconnectGrace {
  readonly ready: Promise<void>;
  private readonly waiting: Set<string>;
  private readonly expected: number;
  private release!: () => void;
  private timer: Timer | undefined;
  private listeningAt: number | undefined;
  private done = false;

  constructor(
    expected: readonly string[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly graceMs: number,
  ) {
    this.waiting = new Set(expected);
    this.expected = this.waiting.size;
    this.ready = new Promise((r) => (this.release = r));
    if (this.waiting.size === 0) this.finish('nobody to wait for');
  }

  /** The broker listens: the grace runs from now. */
  begin(): void {
    if (this.done || this.listeningAt !== undefined) return;
    this.listeningAt = this.clock.now().getTime();
    this.timer = this.clock.setTimer(new Date(this.listeningAt + this.graceMs), () => this.finish('grace over'));
  }

  /** A wrist is back. */
  online(wearableId: string): void {
    if (this.done) return;
    if (this.waiting.delete(wearableId) && this.waiting.size === 0) this.finish('every wrist that was online is back');
  }

  get holding(): boolean {
    return !this.done;
  }

  private finish(why: string): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    const waitedMs = this.listeningAt === undefined ? 0 : this.clock.now().getTime() - this.listeningAt;
    this.logger.info({ why, expected: this.expected, stillOffline: this.waiting.size, waitedMs }, 'start-up: escalation steps run now');
    this.release();
  }
}
