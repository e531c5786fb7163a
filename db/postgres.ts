import pg from 'pg';
import { fullJitterDelay } from '../common/backoff.ts';
import type { Logger } from '../common/logger.ts';
import { DbError } from './db-error.ts';
import type { Db, Queryable, QueryResult, Row } from './types.ts';

const INT8_OID = 20;

// Per-pool parsers (not pg's global ones): int8 as a number, as PGlite returns it.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PostgresDb extends Db {
  timescale: boolean;
  exec(sql: string): Promise<void>;
  /** Runs fn on one dedicated connection (advisory locks, migrations). */
  withClient<T>(fn: (client: Queryable & { exec(sql: string): Promise<void> }) => Promise<T>): Promise<T>;
}

function wrapError(err: unknown): Error {
  if (err instanceof Error && typeof (err as { code?: unknown }).code === 'string') {
    const e = err as Error & { code: string; detail?: string; constraint?: string };
    return new DbError({ message: e.message, code: e.code, detail: e.detail, constraint: e.constraint });
  }
  return err instanceof Error ? new DbError({ message: err.message }) : new DbError({ message: String(err) });
}

export async function openPostgres(url: string, logger: Logger): Promise<PostgresDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // a silently dead network must fail queries (and be retried) rather than hang for the
    // kernel's 15-minute TCP timeout with events waiting behind it
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    query_timeout: 30_000,
    statement_timeout: 30_000,
    types,
    application_name: 'homecare',
  });
  // An idle client's error (server restart, network) must not crash the process; the pool
  // discards that client and the next query reconnects.
  pool.on('error', (err) => logger.error({ err }, 'postgres idle client error'));

  const query = async <R extends Row>(q: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    try {
      const out = (await q.query(sql, params as unknown[] | undefined)) as pg.QueryResult | pg.QueryResult[];
      const res = Array.isArray(out) ? out[out.length - 1]! : out; // multi-statement scripts
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length } satisfies QueryResult<R>;
    } catch (err) {
      throw wrapError(err);
    }
  };

  const withClient = async <T>(fn: (c: Queryable & { exec(sql: string): Promise<void> }) => Promise<T>) => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw wrapError(err);
    }
    let broken: Error | undefined;
    // a connection lost between two statements of a checked-out client is reported as an
    // 'error' event (pool.on('error') covers idle clients only): note it, do not crash
    const onError = (err: Error) => {
      broken = err;
      logger.warn({ err: err.message }, 'postgres connection lost while in use');
    };
    client.on('error', onError);
    try {
      return await fn({
        query: (sql, params) => query(client, sql, params),
        exec: async (sql) => {
          await query(client, sql);
        },
      });
    } catch (err) {
      broken ??= err instanceof DbError && err.code ? undefined : (err as Error);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  };

  // LISTEN needs a connection of its own for as long as we listen (not a pooled one)
  const listen = (channel: string, onNotify: (payload: string | undefined) => void) => {
    let client: pg.Client | undefined;
    let stopped = false;
    let connectedBefore = false;
    const connect = async (attempt: number): Promise<void> => {
      if (stopped) return;
      const c = new pg.Client({ connectionString: url, keepAlive: true, application_name: 'homecare-listen' });
      c.on('error', (err) => logger.warn({ err: err.message, channel }, 'postgres listener connection error'));
      try {
        await c.connect();
        await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
      } catch (err) {
        await c.end().catch(() => undefined);
        const delay = fullJitterDelay(attempt, 500, 10_000);
        logger.warn({ err: (err as Error).message, channel, retryInMs: delay }, 'postgres listener not connected; retrying');
        setTimeout(() => void connect(attempt + 1), delay).unref();
        return;
      }
      client = c;
      c.on('notification', (n) => {
        if (n.channel === channel) onNotify(n.payload);
      });
      c.once('end', () => {
        client = undefined;
        if (!stopped) setTimeout(() => void connect(0), 500).unref();
      });
      if (connectedBefore) onNotify(undefined); // back after a gap: whatever was said meanwhile is lost
      connectedBefore = true;
    };
    void connect(0);
    return async () => {
      stopped = true;
      await client?.end().catch(() => undefined);
    };
  };

  const db: PostgresDb = {
    listen,
    kind: 'postgres',
    timescale: false, // set by openDb once migrations have run
    query: (sql, params) => query(pool, sql, params),
    exec: async (sql) => {
      await query(pool, sql);
    },
    withClient,
    withTransaction: (fn) =>
      withClient(async (client) => {
        await client.query('BEGIN');
        try {
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    ping: async () => {
      await query(pool, 'SELECT 1');
    },
    close: () => pool.end(),
  };
  return db;
}
