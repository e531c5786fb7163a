import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../common/logger.ts';
import type { Queryable } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** `NNN_name.sql` files, in order; a gap or a repeated number is a packaging error. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const migrations = files.map((file) => {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} is not named NNN_name.sql`);
    return { version: Number(match[1]), name: match[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.version}_${m.name}: expected number ${i + 1}`);
  });
  return migrations;
}

type Conn = Queryable & { exec(sql: string): Promise<void> };

/**
 * Applies what is missing, each file in its own transaction, recorded in schema_migrations.
 * The caller holds whatever lock keeps two processes from migrating at once.
 */
export async function applyMigrations(conn: Conn, logger: Logger, migrations = loadMigrations()): Promise<number[]> {
  await conn.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const done = new Set(
    (await conn.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    const started = Date.now();
    await conn.exec('BEGIN');
    try {
      await conn.exec(m.sql);
      await conn.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      await conn.exec('COMMIT');
    } catch (err) {
      await conn.exec('ROLLBACK').catch(() => undefined);
      throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    logger.info({ version: m.version, name: m.name, ms: Date.now() - started }, 'migration applied');
    applied.push(m.version);
  }
  return applied;
}
