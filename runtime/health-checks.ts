import type { Db } from '../db/types.ts';
import type { HealthStatus } from '../dispatch-console/console/app.ts';
import { CHECK_DEADLINE_MS } from '../dispatch-console/console/routes/health.ts';
import type { Dispatcher } from '../dispatch-console/dispatcher/dispatcher.ts';
import type { DeviceLink } from '../gateway/message-intake.ts';

type Check = HealthStatus['checks'][string];

export interface HealthParts {
  db: Db;
  /** The device transport: the embedded broker or the external one. */
  link: DeviceLink;
  dispatcher: Dispatcher;
  /** The SMS provider's name, or undefined when SMS only go to the outbox. */
  smsProvider: string | undefined;
}

/**
 * One check with its own deadline: a part that does not answer in time fails, named, instead of
 * holding up the answer about every other part (a load balancer's probe gives up after a second or so).
 */
async function bounded(name: string, run: () => Check | Promise<Check>, deadlineMs: number): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `${name}: no answer within ${deadlineMs} ms` }), deadlineMs);
  });
  const answer = Promise.resolve()
    .then(run)
    .catch((err: unknown): Check => ({ ok: false, detail: `${name}: ${(err as Error).message}` }));
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What /healthz reports: database, broker, SMS provider and dispatcher, checked in parallel,
 * each within `deadlineMs`.
 */
export function healthChecks(p: HealthParts, deadlineMs = CHECK_DEADLINE_MS): () => Promise<HealthStatus> {
  // probes keep coming while the database does not answer: they share the ping in flight
  // rather than each parking another query (and a pool connection) on the dead link
  let pinging: Promise<void> | undefined;
  const ping = () =>
    (pinging ??= p.db.ping().finally(() => {
      pinging = undefined;
    }));
  const database = async (): Promise<Check> => {
    await ping();
    return { ok: true, detail: `${p.db.kind}${p.db.timescale ? ' + timescaledb' : ''}` };
  };
  const sms = (): Check => ({ ok: true, detail: p.smsProvider ?? 'no provider configured (outbox only)' });
  const dispatcher = (): Check => ({ ok: true, detail: `${p.dispatcher.activeCount} active alarms, ${p.dispatcher.openTimers} deadlines armed` });

  const parts: Record<string, () => Check | Promise<Check>> = { database, broker: () => p.link.health(), sms, dispatcher };

  return async () => {
    const entries = await Promise.all(Object.entries(parts).map(async ([name, run]) => [name, await bounded(name, run, deadlineMs)] as const));
    return { ok: entries.every(([, c]) => c.ok), checks: Object.fromEntries(entries) };
  };
}
