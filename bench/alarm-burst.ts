// Phase 4 of bench/alarm-latency.ts, the burst: every resident of one grid presses at the same
// instant (the power comes back and every pendant reports). The probe (bench/alarm-probe.ts)
// presses and measures, per resident, PUBLISH → first `alarm.alert` naming them at any of the
// grid's wearables, which stay silent. Then the console closes every burst alarm over the HTTP
// API, as an operator would, and the grid's alarms are counted: one per resident, none open.
import { ApiError, type ApiClient, type Json } from '../device-sim/api-client.ts';
import type { Helper } from './line-channel.ts';

export interface BurstGroup {
  pendants: Array<{ id: string; secret: string; residentId: string }>;
  wearables: Array<{ id: string; secret: string }>;
}

interface ProbeBurst {
  ms: number[];
  timeouts: number;
  publishErrors: number;
  unacked: number;
  pubackMs: number[];
  spreadMs: number;
  alarms: number;
  laterStep: number;
  perWearable: number[];
}

export interface BurstResult extends ProbeBurst {
  /** Alarms the grid holds after the burst (any status), and how many residents they name. */
  opened: number;
  residents: number;
  statuses: Record<string, number>;
  resolved: number;
  resolveErrors: string[];
  /** Still active after resolving. */
  leftOpen: number;
}

const RESOLVERS = 4; // console requests in flight at once

/** Every alarm of the grid with this status filter, newest first, paged past the API's limit of 1,000. */
async function listGrid(api: ApiClient, status: 'open' | 'all', gridId: string): Promise<Json[]> {
  const byId = new Map<string, Json>();
  let to = '';
  for (;;) {
    const page = await api.list(`/api/alarms?status=${status}&areaId=${gridId}&limit=1000${to}`);
    const before = byId.size;
    for (const a of page) byId.set(String(a.id), a);
    if (page.length < 1000 || byId.size === before) return [...byId.values()];
    // `to` is exclusive: a millisecond past the oldest, so alarms raised in that millisecond come again
    const oldest = Math.min(...page.map((a) => Date.parse(String(a.raisedAt))));
    to = `&to=${encodeURIComponent(new Date(oldest + 1).toISOString())}`;
  }
}

/** Resolves every active alarm of the grid through the console API until none is left. */
async function resolveGrid(api: ApiClient, gridId: string, expected: number) {
  const done = new Set<string>();
  const errors: string[] = [];
  for (let pass = 0; pass < 3 + Math.ceil(expected / 1000); pass++) {
    const open = await api.list(`/api/alarms?status=open&areaId=${gridId}&limit=1000`);
    const queue = open.filter((a) => !done.has(String(a.id)));
    if (queue.length === 0) break;
    const worker = async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        const id = String(a.id);
        try {
          await api.post(`/api/alarms/${id}/resolve`, { outcome: 'assisted' });
          done.add(id);
        } catch (err) {
          errors.push(err instanceof ApiError ? `${err.status} ${err.error}` : (err as Error).message);
          done.add(id); // once: a refused alarm is reported, not retried forever
        }
      }
    };
    await Promise.all(Array.from({ length: RESOLVERS }, worker));
  }
  return { attempted: done.size, errors, leftOpen: (await listGrid(api, 'open', gridId)).length };
}

export async function runBurst(api: ApiClient, probe: Helper, gridId: string, group: BurstGroup, say: (line: string) => void): Promise<BurstResult> {
  const connected = await probe.request<{ pendants: number; wearables: number }>({ cmd: 'burst-connect', burst: group });
  say(`phase 4: burst, ${connected.pendants} pendants press at once, ${connected.wearables} silent wearables`);
  const r = await probe.request<ProbeBurst>({ cmd: 'burst' });
  const closed = await resolveGrid(api, gridId, group.pendants.length);
  const all = await listGrid(api, 'all', gridId);
  const statuses: Record<string, number> = {};
  for (const a of all) statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
  return {
    ...r,
    opened: all.length,
    residents: new Set(all.map((a) => a.residentId)).size,
    statuses,
    resolved: closed.attempted - closed.errors.length,
    resolveErrors: closed.errors,
    leftOpen: closed.leftOpen,
  };
}

/** The lines under the tables: how simultaneous the presses were, what the service stored, whether it all closed. */
export function describeBurst(b: BurstResult, n: number, summary: (values: number[]) => Record<string, string>): string {
  const ack = summary(b.pubackMs);
  const ok = b.opened === n && b.residents === n && b.leftOpen === 0 && b.resolveErrors.length === 0;
  const errors = b.resolveErrors.length ? `; resolve refused ${b.resolveErrors.length} (${[...new Set(b.resolveErrors)].slice(0, 3).join('; ')})` : '';
  return (
    `burst: ${n} presses PUBLISHed within ${b.spreadMs.toFixed(1)} ms; PUBACK (event and alarm committed) p50 ${ack['p50 ms']} ms, p99 ${ack['p99 ms']} ms, ` +
    `max ${ack['max ms']} ms; publish errors ${b.publishErrors}, unacked ${b.unacked}\n` +
    `  first alerts per wearable ${b.perWearable.join('/')}; first alert past step 1: ${b.laterStep}; distinct alarms in first alerts ${b.alarms}\n` +
    `  grid alarms ${b.opened} for ${b.residents} residents (${Object.entries(b.statuses).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
    `resolved over the API ${b.resolved}${errors}; left open ${b.leftOpen} — ${ok ? 'one alarm per resident, all closed' : 'CHECK FAILED'}\n`
  );
}
