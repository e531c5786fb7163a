import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { fullJitterDelay } from '../common/backoff.ts';
import { eventKey, type EventRow } from '../db/queries/events.ts';

export type StoreBatch = (rows: readonly EventRow[]) => Promise<Set<string>>;

export interface IngestResult {
  /** false when the event was already stored earlier (a retransmission). */
  stored: boolean;
  /** The database refused this very row (bad data that validation let through). */
  refused?: string;
}

/**
 * A write failed because of a row's content (SQLSTATE classes 22, 23) or our own code, not
 * because the database is unreachable: retrying the same batch would fail forever.
 */
export function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code.startsWith('22') || code.startsWith('23');
  return !(err instanceof Error && err.name === 'DbError'); // a DbError without SQLSTATE is a lost connection
}

interface Entry {
  row: EventRow;
  waiters: Array<(r: IngestResult) => void>;
  enqueuedAt: number;
}

export interface IngestQueueOptions {
  store: StoreBatch;
  logger: Logger;
  metrics: Metrics;
  maxBatch?: number;
  /** Above this many uncommitted events new ones are refused (the device keeps them and retries). */
  maxPending?: number;
  /** Keys recently committed, to answer retransmissions without a round trip. */
  recentKeys?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
}

export class IngestBackpressureError extends Error {
  readonly code = 'ingest_backpressure';
}

/**
 * Group commit: while one batch is being written, new events gather; when it commits, all
 * of them go in the next statement. Idle → written at once (no added latency); busy → one
 * commit per batch instead of per event. A failed write is retried with backoff, forever:
 * these events are not acknowledged yet, so the only way to lose them would be to give up.
 */
export class IngestQueue {
  private readonly pending = new Map<string, Entry>();
  private readonly recent = new Map<string, true>();
  private writing = false;
  private attempt = 0;
  /** After a row error: write this many next events one by one to find the bad one. */
  private isolate = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly recentKeys: number;

  constructor(private readonly opts: IngestQueueOptions) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.maxPending = opts.maxPending ?? 50_000;
    this.recentKeys = opts.recentKeys ?? 20_000;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once the event is durable (or known to be stored already). */
  enqueue(row: EventRow): Promise<IngestResult> {
    const key = eventKey(row.deviceId, row.eventId, row.fingerprint);
    if (this.recent.has(key)) {
      this.opts.metrics.eventsDuplicate.inc();
      return Promise.resolve({ stored: false });
    }
    const existing = this.pending.get(key);
    if (existing) {
      // the same event again before its first copy committed: answer both with that commit
      return new Promise((resolve) => existing.waiters.push((r) => resolve({ ...r, stored: false })));
    }
    if (this.pending.size >= this.maxPending) {
      return Promise.reject(new IngestBackpressureError(`ingest backlog full (${this.maxPending} events)`));
    }
    return new Promise((resolve) => {
      this.pending.set(key, { row, waiters: [resolve], enqueuedAt: performance.now() });
      this.opts.metrics.ingestPending.set(this.pending.size);
      this.kick();
    });
  }

  /** Waits until everything enqueued so far is committed, or the timeout passes. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.pending.size === 0 && !this.writing) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<boolean>((resolve) => this.drainWaiters.push(() => resolve(true)));
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    if (this.retryTimer) {
      // shutting down: retry now rather than after a long backoff
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.kick();
    }
    const ok = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    return ok;
  }

  private kick(): void {
    if (this.writing || this.retryTimer || this.pending.size === 0) return;
    this.writing = true;
    void this.writeBatch();
  }

  private async writeBatch(): Promise<void> {
    const batch: Array<[string, Entry]> = [];
    const limit = this.isolate > 0 ? 1 : this.maxBatch;
    for (const item of this.pending) {
      batch.push(item);
      if (batch.length >= limit) break;
    }
    if (this.isolate > 0) this.isolate--;
    let storedKeys: Set<string>;
    try {
      storedKeys = await this.opts.store(batch.map(([, e]) => e.row));
    } catch (err) {
      this.writing = false;
      if (isRowError(err)) {
        this.handleRowError(batch, err);
        return;
      }
      this.opts.metrics.ingestFailures.inc();
      const delay = fullJitterDelay(this.attempt++, this.opts.retryBaseMs ?? 100, this.opts.retryCapMs ?? 5_000);
      this.opts.logger.error({ err, events: batch.length, pending: this.pending.size, retryInMs: delay }, 'event commit failed; retrying');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, delay);
      return;
    }
    this.attempt = 0;
    const now = performance.now();
    this.opts.metrics.ingestBatchSize.observe(batch.length);
    for (const [key, entry] of batch) {
      this.pending.delete(key);
      this.remember(key);
      const stored = storedKeys.has(key);
      if (stored) this.opts.metrics.eventsStored.inc();
      else this.opts.metrics.eventsDuplicate.inc();
      this.opts.metrics.ingestCommitSeconds.observe((now - entry.enqueuedAt) / 1000);
      entry.waiters[0]?.({ stored });
      for (const w of entry.waiters.slice(1)) w({ stored: false });
    }
    this.opts.metrics.ingestPending.set(this.pending.size);
    this.writing = false;
    if (this.pending.size > 0) this.kick();
    else this.flushDrainWaiters();
  }

  /** One bad row must not hold every other device's events hostage. */
  private handleRowError(batch: Array<[string, Entry]>, err: unknown): void {
    if (batch.length > 1) {
      this.opts.logger.warn({ err, events: batch.length }, 'a batch was refused; writing its events one by one');
      this.isolate = batch.length;
    } else {
      const [key, entry] = batch[0]!;
      this.pending.delete(key);
      this.opts.metrics.messagesRejected.inc({ code: 'refused_by_database' });
      this.opts.logger.error({ err, deviceId: entry.row.deviceId, eventId: entry.row.eventId }, 'event refused by the database; discarded');
      const refused = (err as Error).message;
      for (const w of entry.waiters) w({ stored: false, refused });
    }
    this.opts.metrics.ingestPending.set(this.pending.size);
    this.kick();
    if (this.pending.size === 0 && !this.writing) this.flushDrainWaiters();
  }

  private remember(key: string): void {
    this.recent.set(key, true);
    if (this.recent.size > this.recentKeys) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  private flushDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
