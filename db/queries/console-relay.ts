import type { Queryable } from '../types.ts';

/** Live-console changes made on one instance, for the consoles connected to the others. */
export const CONSOLE_CHANNEL = 'homecare_console';

// NOTIFY payloads must stay under 8000 bytes: ids only, the receiver reads the rest
export async function announceConsoleChange(q: Queryable, payload: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [CONSOLE_CHANNEL, payload]);
}
