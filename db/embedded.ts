import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import type { Logger } from '../common/logger.ts';
import { DbError } from './db-error.ts';
import { acquireDirLock } from './lock-file.ts';
import type { Db, Queryable, QueryResult, Row } from './types.ts';

type Reply = { id: number; result?: unknown; error?: { message: string; code?: string; detail?: string; constraint?: string } };
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Serialises access: PGlite is one connection, so a transaction owns it until it ends. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export interface EmbeddedDb extends Db {
  timescale: boolean;
  /** Multi-statement SQL (migrations); not for user input. */
  exec(sql: string): Promise<void>;
}

export async function openEmbedded(dataDir: string, logger: Logger, onFatal?: (err: Error) => void): Promise<EmbeddedDb> {
  const dir = resolve(dataDir);
  const release = acquireDirLock(dir);
  const worker = new Worker(new URL('./embedded-worker.js', import.meta.url), {
    workerData: { dataDir: join(dir, 'pg') },
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  const mutex = new Mutex();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error) p.reject(new DbError(reply.error));
    else p.resolve(reply.result);
  });
  worker.on('error', (err) => {
    logger.fatal({ err }, 'embedded database worker crashed');
    failAll(new DbError({ message: `embedded database crashed: ${err.message}` }));
  });
  worker.on('exit', (code) => {
    release();
    if (!closed) {
      closed = true;
      logger.fatal({ code }, 'embedded database worker exited');
      const err = new DbError({ message: 'embedded database is gone' });
      failAll(err);
      // a WASM abort cannot be recovered in-process: let the supervisor restart us
      onFatal?.(err);
    }
  });

  const call = <T>(op: string, sql?: string, params?: readonly unknown[]): Promise<T> => {
    if (closed) return Promise.reject(new DbError({ message: 'database is closed' }));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, sql, params: params ? normaliseParams(params) : undefined });
    });
  };

  const started = Date.now();
  try {
    await call('open');
  } catch (err) {
    closed = true;
    await worker.terminate();
    throw err;
  }
  logger.info({ dataDir: dir, ms: Date.now() - started }, 'embedded database open');

  const raw = <R extends Row>(sql: string, params?: readonly unknown[]) => call<QueryResult<R>>('query', sql, params);
  const tx: Queryable = { query: raw };

  const db: EmbeddedDb = {
    kind: 'embedded',
    timescale: false, // set by openDb once migrations have run
    query: (sql, params) => mutex.run(() => raw(sql, params)),
    exec: (sql) => mutex.run(() => call<void>('exec', sql)),
    withTransaction: (fn) =>
      mutex.run(async () => {
        await raw('BEGIN');
        try {
          const result = await fn(tx);
          await raw('COMMIT');
          return result;
        } catch (err) {
          await raw('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: async () => {
      if (closed) return;
      await mutex.run(() => call('close')).catch((err) => logger.error({ err }, 'embedded database close failed'));
      closed = true;
      await worker.terminate();
    },
  };
  return db;
}

/** Structured clone cannot carry everything pg accepts; give PGlite plain values. */
function normaliseParams(params: readonly unknown[]): unknown[] {
  return params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
}
