import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest globalSetup: builds the operators' page (dispatch-console/web) once per run when
 * dist/ is missing or older than its sources, so tests that load `/` (and the browser tests)
 * find the current page.
 */

const WEB_DIR = fileURLToPath(new URL('../../dispatch-console/web/', import.meta.url));
export const WEB_DIST = join(WEB_DIR, 'dist');
const TMP = join(WEB_DIR, '.tmp');
const SOURCES = ['src', 'index.html', 'vite.config.ts'].map((p) => join(WEB_DIR, p));

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function webBuildIsStale(): boolean {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((p) => existsSync(p) && newestMtime(p) > built);
}

/** Runs the production build into `outDir` (default: the real dist/). */
export async function buildWeb(outDir = WEB_DIST): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(WEB_DIR, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export default async function setup(): Promise<void> {
  if (!webBuildIsStale()) return;
  // Build beside dist/ and swap it in: a test run (or a running service) reading dist/ at the
  // same moment never sees an index.html whose assets have already been deleted.
  // (under .tmp/, which git ignores, and on dist's own file system, so rename works)
  const fresh = join(TMP, `build-${process.pid}`);
  const old = join(TMP, `old-${process.pid}`);
  try {
    await buildWeb(fresh);
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(fresh, WEB_DIST);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
    if (existsSync(TMP) && readdirSync(TMP).length === 0) rmSync(TMP, { recursive: true });
  }
}
