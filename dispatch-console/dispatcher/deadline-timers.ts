import type { Clock, Timer } from '../../common/clock.ts';

/**
 * One timer (through the clock port) per open alarm's deadline. Each carries the token it was armed with;
 * the escalation step re-checks that token under the row lock, so a stale timer is harmless.
 */
export class DeadlineTimers {
  private readonly timers = new Map<string, { token: number; timer: Timer }>();
  private stopped = false;

  constructor(
    private readonly fire: (alarmId: string, token: number) => void,
    private readonly clock: Clock,
  ) {}

  arm(alarmId: string, token: number, deadline: Date | null): void {
    this.clear(alarmId);
    if (deadline === null || this.stopped) return;
    const timer = this.clock.setTimer(deadline, () => {
      // a deadline is never served before it passes, whatever the clock's timer did
      if (deadline.getTime() > this.clock.now().getTime()) return this.arm(alarmId, token, deadline);
      this.timers.delete(alarmId);
      this.fire(alarmId, token);
    });
    this.timers.set(alarmId, { token, timer });
  }

  clear(alarmId: string): void {
    const t = this.timers.get(alarmId);
    if (t) t.timer.cancel();
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
    for (const t of this.timers.values()) t.timer.cancel();
    this.timers.clear();
  }
}
