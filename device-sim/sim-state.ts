import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { deviceKindSchema } from '../contract/device-messages.ts';
import { SimError } from './types.ts';

/**
 * Device secrets are shown once by the API, so the simulator keeps them in a local file
 * (owner-only, like an SSH key) to reconnect the same devices on the next run.
 */
const stateSchema = z.object({
  version: z.literal(1),
  httpUrl: z.string(),
  savedAt: z.string(),
  devices: z.record(z.string(), z.object({ secret: z.string().min(1), kind: deviceKindSchema })),
});
export type SimState = z.infer<typeof stateSchema>;

export function emptyState(httpUrl: string): SimState {
  return { version: 1, httpUrl, savedAt: new Date().toISOString(), devices: {} };
}

/** undefined when there is no file yet; a corrupt file is an error (it may hold the only copy). */
export async function loadState(path: string): Promise<SimState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SimError(`cannot read the simulator state ${path}: ${(err as Error).message}`, err);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SimError(`simulator state ${path} is not valid JSON; move it away to start fresh`, err);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SimError(`simulator state ${path} has an unexpected shape; move it away to start fresh`);
  }
  return parsed.data;
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file of secrets. */
export async function saveState(path: string, state: SimState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const body = JSON.stringify({ ...state, savedAt: new Date().toISOString() }, null, 2);
  await writeFile(tmp, `${body}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600); // `mode` applies only on creation; a leftover temp file keeps its old one
  await rename(tmp, path);
}
