import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '../../common/logger.ts';
import { openDb, type Db } from '../../db/index.ts';

export type TestDbKind = 'embedded' | 'postgres';
export const dbKinds: TestDbKind[] = ['embedded', 'postgres'];

/** The local PostgreSQL server every machine (CI's included) runs. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgUrlFor(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `homecare_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect().catch((err: Error) => {
    throw new Error(`the tests need PostgreSQL at ${PG_ADMIN_URL} (set TEST_PG_URL for another server): ${err.message}`);
  });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: pgUrlFor(name),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function tempDir(prefix = 'homecare-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

let template: Promise<string> | undefined;

/**
 * A data dir holding a freshly migrated embedded database: a copy of one made once per test
 * worker (initdb and the migrations take ~4.5 s; copying 30 MB and opening it, ~1.7 s). Each
 * copy is the database as a first start leaves it, with nothing of any other test in it.
 */
export async function migratedEmbeddedDir(prefix = 'homecare-db-'): Promise<{ path: string; remove(): void }> {
  template ??= (async () => {
    const dir = tempDir('homecare-template-');
    process.once('exit', () => dir.remove());
    const db = await openDb({ url: undefined, dataDir: dir.path }, createLogger('silent'));
    await db.close();
    return dir.path;
  })();
  const from = await template;
  const dir = tempDir(prefix);
  cpSync(from, dir.path, { recursive: true, filter: (src) => !src.endsWith('homecare.lock') });
  if (existsSync(join(dir.path, 'homecare.lock'))) rmSync(join(dir.path, 'homecare.lock'));
  return dir;
}

/** A fresh, migrated database of the given kind, and how to throw it away. */
export async function createTestDb(kind: TestDbKind): Promise<{ db: Db; url?: string; dataDir?: string; cleanup(): Promise<void> }> {
  const logger = createLogger('silent');
  if (kind === 'embedded') {
    const dir = await migratedEmbeddedDir('homecare-db-');
    const db = await openDb({ url: undefined, dataDir: dir.path }, logger);
    return {
      db,
      dataDir: dir.path,
      cleanup: async () => {
        await db.close();
        dir.remove();
      },
    };
  }
  const database = await createPgDatabase();
  const db = await openDb({ url: database.url, dataDir: '' }, logger).catch(async (err) => {
    await database.drop();
    throw err;
  });
  return {
    db,
    url: database.url,
    cleanup: async () => {
      await db.close();
      await database.drop();
    },
  };
}
