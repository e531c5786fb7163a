// JSON lines between a benchmark and its helper processes: one command per line on the
// helper's stdin, one answer per line on its stdout (stderr is passed through). Helpers run in
// their own processes so that the service under test does not share an event loop with them.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Helper {
  /** Sends one command and resolves with the helper's answer (commands are answered in order). */
  request<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T>;
  /** Ends its stdin and waits for it to exit (killed after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** Starts `node --import tsx <file>` as a helper. */
export function startHelper(file: string, name: string): Helper {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const w of waiting.splice(0)) w.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
      resolve();
    }),
  );
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return void process.stderr.write(`[${name}] ${line}\n`);
    const w = waiting.shift();
    if (!w) return;
    try {
      const v = JSON.parse(line) as { error?: string };
      if (typeof v.error === 'string') w.reject(new Error(`${name}: ${v.error}`));
      else w.resolve(v);
    } catch (err) {
      w.reject(err as Error);
    }
  });
  return {
    request: <T>(command: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        if (exited) return reject(new Error(`${name} is not running`));
        waiting.push({ resolve: resolve as (v: unknown) => void, reject });
        child.stdin!.write(`${JSON.stringify(command)}\n`);
      }),
    close: async (graceMs = 10_000) => {
      if (exited) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The helper side: handles commands one at a time; exits when stdin closes. */
export async function serveCommands(handle: (command: Record<string, unknown>) => Promise<unknown>, onEnd?: () => Promise<void>): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    let answer: unknown;
    try {
      answer = await handle(JSON.parse(line) as Record<string, unknown>);
    } catch (err) {
      answer = { error: (err as Error).stack ?? String(err) };
    }
    process.stdout.write(`${JSON.stringify(answer ?? {})}\n`);
  }
  await onEnd?.();
}
