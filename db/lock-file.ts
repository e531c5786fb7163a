import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per embedded data dir: PGlite has no locking of its own and two writers
 * corrupt it. A stale lock (its pid is gone) is taken over.
 */
export function acquireDirLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'homecare.lock');
  if (heldHere.has(path)) throw new Error(`DATA_DIR ${dir} is already open in this process`);
  // written whole under a private name, then linked into place: link() is atomic and fails if
  // the lock exists, so nobody ever reads a lock file without its pid
  const tmp = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, String(process.pid), { mode: 0o600 });
  try {
    return takeLock(path, tmp, dir);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function takeLock(path: string, tmp: string, dir: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(tmp, path);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(
          `DATA_DIR ${dir} is in use by process ${pid}; stop it, or set DATA_DIR to another folder (or DATABASE_URL)`,
        );
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`DATA_DIR ${dir}: could not take the lock file ${path}`);
}
