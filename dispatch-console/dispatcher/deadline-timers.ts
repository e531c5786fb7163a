/**
 * One in-process timer per open alarm's deadline. Each carries the token it was armed with;
 * the escalation step re-checks that token under the row lock, so a stale timer is harmless.
 */
export class DeadlineTimers {
  private readonly timers = new Map<string, { token: number; timer: NodeJS.Timeout }>();
  private stopped = false;

  constructor(
    private readonly fire: (alarmId: string, token: number) => void,
    private readonly now: () => Date,
  ) {}

  arm(alarmId: string, token: number, deadline: Date | null): void {
    this.clear(alarmId);
    if (deadline === null || this.stopped) return;
    // setTimeout caps at 2^31-1 ms (~24.8 days): a longer wait re-arms itself when that fires
    const ms = Math.min(Math.max(0, deadline.getTime() - this.now().getTime()), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      // Node may run a timer a millisecond early: a deadline is never served before it passes
      if (deadline.getTime() > this.now().getTime()) return this.arm(alarmId, token, deadline);
      this.timers.delete(alarmId);
      this.fire(alarmId, token);
    }, ms);
    timer.unref();
    this.timers.set(alarmId, { token, timer });
  }

  clear(alarmId: string): void {
    const t = this.timers.get(alarmId);
    if (t) clearTimeout(t.timer);
    this.timers.delete(alarmId);
  }

  armedToken(alarmId: string): number | undefined {
    return this.timers.get(alarmId)?.token;
  }

  get size(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }
}
