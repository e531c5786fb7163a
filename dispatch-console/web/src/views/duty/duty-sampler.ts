import { api } from '../../api/http.ts';
import type { GridOnDuty } from './duty-types.ts';

/**
 * GET /api/on-duty?at= for many instants: answers cached by instant (a week is 168 of them; going
 * back to a day seen a moment ago asks nothing) and at most `limit` requests in flight, so a
 * week does not queue 168 sockets ahead of the page's other requests. `clear()` after an edit.
 */
export class DutySampler {
  private readonly cache = new Map<number, Promise<GridOnDuty[]>>();
  /** The answers already in, to draw them at once (without waiting a microtask for the promise). */
  private readonly done = new Map<number, GridOnDuty[]>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit = 6) {}

  at(instant: Date): Promise<GridOnDuty[]> {
    const key = instant.getTime();
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.fetch(instant);
      answer.then((a) => this.cache.get(key) === answer && this.done.set(key, a), () => undefined);
      // a failure is not kept: the next look asks again
      answer.catch(() => this.cache.get(key) === answer && this.cache.delete(key));
      this.cache.set(key, answer);
    }
    return answer;
  }

  /** The answer at `instant` if it is already in. */
  peek(instant: Date): GridOnDuty[] | undefined {
    return this.done.get(instant.getTime());
  }

  clear(): void {
    this.cache.clear();
    this.done.clear();
  }

  private async fetch(instant: Date): Promise<GridOnDuty[]> {
    // a finished request hands its slot straight to the next in line, so the limit holds
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await api<GridOnDuty[]>(`/api/on-duty?at=${encodeURIComponent(instant.toISOString())}`);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
