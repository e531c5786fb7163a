import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The shape of the tree, held by a test so it outlives whoever drew it:
//   contract/ ← everyone;  core/ imports only contract/ (pure: no node:, no db/, no I/O);
//   db/ imports no gateway/ or dispatch-console/;  gateway/ imports no dispatch-console/;
//   dispatcher/ imports no console/;  the web page imports only contract/ types and itself.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every module a file imports: repository paths for relative ones, the bare name otherwise. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), s)) : s));
}

function violations(dir: string, allowed: (target: string) => boolean): string[] {
  return sources(dir).flatMap((f) => importsOf(f).filter((t) => !allowed(t)).map((t) => `${f} → ${t}`));
}

const under = (t: string, ...dirs: string[]) => dirs.some((d) => t === d || t.startsWith(`${d}/`));

describe('import directions', () => {
  it('the alarm core imports only the contract (and zod through it): no node:, db/, gateway/, Fastify, error classes', () => {
    expect(violations('dispatch-console/core', (t) => under(t, 'contract', 'dispatch-console/core'))).toEqual([]);
  });

  it('db/ imports no dispatcher, console or gateway', () => {
    expect(violations('db', (t) => !under(t, 'dispatch-console', 'gateway', 'runtime', 'device-sim'))).toEqual([]);
  });

  it('the gateway imports no dispatcher or console', () => {
    expect(violations('gateway', (t) => !under(t, 'dispatch-console', 'runtime'))).toEqual([]);
  });

  it('the contract imports only itself and zod', () => {
    expect(violations('contract', (t) => under(t, 'contract') || t === 'zod')).toEqual([]);
  });

  it('the dispatcher does not reach up into the console; the web page only into contract/', () => {
    expect(violations('dispatch-console/dispatcher', (t) => !under(t, 'dispatch-console/console', 'dispatch-console/web', 'runtime'))).toEqual([]);
    const server = ['dispatch-console/core', 'dispatch-console/dispatcher', 'dispatch-console/console', 'common', 'db', 'gateway', 'runtime', 'device-sim'];
    expect(violations('dispatch-console/web/src', (t) => !under(t, ...server))).toEqual([]);
  });
});
