import { fullJitterDelay } from '../../common/backoff.ts';
import { DbError } from '../../db/db-error.ts';
import type { Logger } from '../../common/logger.ts';

/**
 * A failure worth waiting out: the database is unreachable, restarting or busy (a DbError
 * without SQLSTATE is the connection itself). Bad data (SQLSTATE 22, 23), bad SQL (42) and
 * anything that is not a database error (our refusals, our bugs) are not.
 */
export function isTransientDbFailure(err: unknown): boolean {
  if (!(err instanceof DbError)) return false;
  const code = err.code;
  if (code === undefined) return true;
  return !(code.startsWith('22') || code.startsWith('23') || code.startsWith('42'));
}

/**
 * Runs `fn` until it succeeds, waiting with full-jitter backoff between transient failures:
 * an alarm that has been raised must reach the database, however long that takes.
 */
export async function untilStored<T>(fn: () => Promise<T>, logger: Logger, what: string, stopped: () => boolean = () => false): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (stopped()) {
        // shutting down: not committed, so not acknowledged either; the sender resends to the next run
        logger.warn({ err: (err as Error).message }, `${what}: left uncommitted at shutdown`);
        return new Promise<never>(() => undefined);
      }
      if (!isTransientDbFailure(err)) throw err;
      const delay = fullJitterDelay(attempt, 100, 5_000);
      logger.warn({ err: (err as Error).message, attempt, retryInMs: delay }, `${what}: database unavailable; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
