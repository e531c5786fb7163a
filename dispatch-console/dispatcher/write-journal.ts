import type { Logger } from '../../common/logger.ts';
import { untilStored } from './db-retry.ts';

/**
 * Writes that must reach the database in order and whole, however long it is away: the jobs
 * of one key (an alarm) run one after another, different keys side by side. A job is retried
 * with full-jitter backoff while its failure is transient (see untilStored); a job that fails
 * for good (a bug, bad data) is logged loudly and the ones after it still run.
 */
export class WriteJournal {
  private readonly chains = new Map<string, { tail: Promise<void>; pending: number }>();
  private total = 0;

  constructor(
    private readonly logger: Logger,
    private readonly stopped: () => boolean,
    /** Every queued write has reached the database. */
    private readonly onIdle: () => void,
  ) {}

  /** Writes queued and not yet stored. */
  get size(): number {
    return this.total;
  }

  pendingFor(key: string): boolean {
    return (this.chains.get(key)?.pending ?? 0) > 0;
  }

  /** Runs `fn` after every earlier job of `key`, until stored; resolves with its result. */
  push<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
    let chain = this.chains.get(key);
    if (!chain) this.chains.set(key, (chain = { tail: Promise.resolve(), pending: 0 }));
    const c = chain;
    c.pending++;
    this.total++;
    const run = c.tail.then(() => untilStored(fn, this.logger, what, this.stopped));
    c.tail = run.then(
      () => undefined,
      (err: unknown) => this.logger.error({ err, key, what }, 'queued write failed for good; the writes after it go on'),
    );
    void c.tail.then(() => {
      c.pending--;
      this.total--;
      if (c.pending === 0 && this.chains.get(key) === c) this.chains.delete(key);
      if (this.total === 0) this.onIdle();
    });
    return run;
  }

  /** Resolves when everything queued so far is stored (or `timeoutMs` passed): true when stored. */
  async settle(timeoutMs: number): Promise<boolean> {
    const all = Promise.all([...this.chains.values()].map((c) => c.tail)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    return Promise.race([all, late]).finally(() => clearTimeout(timer));
  }
}
