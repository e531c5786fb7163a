import type { Logger } from '../common/logger.ts';
import { openEmbedded } from './embedded.ts';
import { applyMigrations } from './migrate.ts';
import { openPostgres } from './postgres.ts';
import type { Db, Queryable } from './types.ts';

export type { Db, Queryable, Row, QueryResult, DbKind } from './types.ts';
export { DbError } from './db-error.ts';

export interface DbOptions {
  /** PostgreSQL/TimescaleDB URL; unset → embedded PGlite in dataDir. */
  url: string | undefined;
  dataDir: string;
  /** The database is gone for good (the embedded worker died): the process should exit. */
  onFatal?: (err: Error) => void;
}

// Any constant works: it only has to be the same for every instance sharing the database.
const MIGRATION_LOCK_KEY = 727_100_001;

async function hasTimescale(q: Queryable): Promise<boolean> {
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'timescaledb'`);
  return (r.rows[0]?.n ?? 0) > 0;
}

/** Opens the configured database and brings its schema up to date. */
export async function openDb(options: DbOptions, logger: Logger): Promise<Db> {
  if (!options.url) {
    const db = await openEmbedded(options.dataDir, logger, options.onFatal);
    try {
      await applyMigrations(db, logger);
      db.timescale = await hasTimescale(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    logger.info({ timescale: db.timescale }, 'database ready (embedded)');
    return db;
  }
  const db = await openPostgres(options.url, logger);
  try {
    await db.withClient(async (client) => {
      // several dispatcher instances may start together: one migrates, the others wait
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await applyMigrations(client, logger);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    });
    db.timescale = await hasTimescale(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  logger.info({ timescale: db.timescale }, 'database ready (postgres)');
  return db;
}
