import { mkdtempSync, rmSync } from 'node:fs';
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

/** A fresh, migrated database of the given kind, and how to throw it away. */
export async function createTestDb(kind: TestDbKind): Promise<{ db: Db; url?: string; dataDir?: string; cleanup(): Promise<void> }> {
  const logger = createLogger('silent');
  if (kind === 'embedded') {
    const dir = tempDir('homecare-db-');
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
