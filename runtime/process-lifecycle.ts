import { ConfigError } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';

/** Start-up failures end in one line that names what to change, and exit status 2. */
export function stopWithOneLine(err: unknown): never {
  const line =
    err instanceof ConfigError ? `cannot start: ${err.message}` : `cannot start: ${(err as Error)?.message ?? String(err)}`;
  process.stderr.write(`homecare: ${line}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}

/**
 * SIGTERM/SIGINT close everything in order (broker first, so no new event is accepted;
 * then pending commits; then HTTP and the database). A second signal forces the exit.
 * Anything unexpected crashes loudly: the supervisor restarts us and open state is in the DB.
 */
export function runUntilSignal(close: () => Promise<void>, logger: Logger, timeoutMs = 20_000): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        logger.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; crashing');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection; crashing');
    process.exit(1);
  });
}
