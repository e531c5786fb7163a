import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildService {
  proc: ChildProcess;
  httpUrl: string;
  mqttUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start`'s entry point in a child process; resolves once it prints its addresses. */
export function spawnService(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildService> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'runtime/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /console (\S+)\s+mqtt (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stderr!.off('data', check);
        resolve({ proc, httpUrl: m[1]!, mqttUrl: m[2]!, output: () => out, exited });
      }
    };
    proc.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before starting:\n${out}`));
    });
  });
}

/** Runs the entry point expecting it to refuse to start; returns exit code and output. */
export async function runToFailure(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'runtime/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { code, output };
}
