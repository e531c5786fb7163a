import type { ApiClient, Json } from '../api-client.ts';
import { ScenarioFailure } from './scenario-failure.ts';

/** An alarm as GET /api/alarms/:id answers it, read loosely (a newer service may add fields). */
export interface WatchedAlarm {
  id: string;
  status: string;
  priority: string;
  kind: string;
  outcome: string | null;
  residentId: string | null;
  deviceId: string;
  timeline: Array<{ id: number; at: string; code: string; actorKind: string; actorName: string | null; detail: Json }>;
}

const POLL_MS = 300;
const ACTIVE = new Set(['open', 'accepted', 'on_site']);
const short = (id: string) => id.slice(0, 8);
const num = (v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : '?');

/** One timeline row in words. */
export function describeRow(code: string, d: Json, actor: string | null): string {
  const by = actor ? ` by ${actor}` : '';
  switch (code) {
    case 'alarm.raised':
      return `alarm raised: ${String(d.priority)} ${String(d.type)} (device ${String(d.deviceId)})`;
    case 'event.joined':
      return `${String(d.type)} joins the alarm`;
    case 'priority.raised':
      return `priority raised ${String(d.from)} → ${String(d.to)} (${String(d.type)})`;
    case 'step.started':
      return `escalation step ${String(d.step)}: ${String(d.kind)}${d.repeated ? ' (again)' : ''}`;
    case 'step.skipped':
      return `step ${String(d.step)} ${String(d.kind)} skipped: ${String(d.reason)}`;
    case 'notification.sent':
      return `${String(d.channel)} alert to ${String(d.to ?? d.target ?? '?')}`;
    case 'alarm.accepted':
      return `accepted${by} after ${num(d.seconds)} s${d.withinLimit === false ? ' (over the accept limit)' : ''}`;
    case 'alarm.arrived':
      return `on site${by} after ${num(d.seconds)} s${d.withinLimit === false ? ' (over the arrive limit)' : ''}`;
    case 'alarm.resolved':
      return `resolved${by}: ${String(d.outcome)}`;
    case 'alarm.cancelled':
      return `cancelled${by}: ${String(d.outcome)}`;
    case 'alarm.declined':
      return `declined${by}${d.reopened ? ' (open again)' : ''}`;
    case 'console.called':
      return `operators called${d.reason ? `: ${String(d.reason)}` : ''}`;
    case 'arrival.overdue':
      return `arrival overdue (limit ${String(d.limitS)} s)`;
    case 'arrival.redispatched':
      return `not arrived within ${String(d.limitS)} s of the accept: sent out again${Array.isArray(d.to) ? ` to ${d.to.length} more` : ''}`;
    case 'alarm.restored':
      return `cause gone by itself: ${String(d.reason)}`;
    default:
      return `${code}${Object.keys(d).length ? ` ${JSON.stringify(d).slice(0, 120)}` : ''}`;
  }
}

/**
 * Follows every alarm of one grid (the scenario's resident and the grid itself) through the
 * console API, printing each new timeline row as it appears.
 */
export class AlarmWatcher {
  readonly alarms = new Map<string, WatchedAlarm>();
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private lastError: unknown;

  constructor(
    private readonly api: ApiClient,
    private readonly areaId: string,
    private readonly print: (at: Date, line: string) => void,
  ) {}

  start(): void {
    const tick = () => {
      this.polling = this.poll().then(
        () => undefined,
        (err: unknown) => void (this.lastError = err),
      );
      void this.polling.then(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, POLL_MS);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.poll().catch(() => undefined); // the last rows, so the printed story is complete
  }

  private async poll(): Promise<void> {
    const list = await this.api.list(`/api/alarms?areaId=${this.areaId}&status=all&limit=50`);
    for (const row of [...list].reverse()) {
      const id = String(row.id);
      const known = this.alarms.get(id);
      // an active alarm is read again each time (its timeline grows); a closed one once more after it closed
      const closed = !ACTIVE.has(String(row.status));
      if (known && closed && !ACTIVE.has(known.status)) continue;
      const detail = await this.api.get<WatchedAlarm>(`/api/alarms/${id}`);
      this.alarms.set(id, detail);
      for (const entry of [...detail.timeline].sort((a, b) => a.id - b.id)) {
        const key = `${id}#${entry.id}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.print(new Date(entry.at), `[alarm ${short(id)}] ${describeRow(entry.code, entry.detail ?? {}, entry.actorName)}`);
      }
    }
  }

  /** Resolves with the first alarm that `match` accepts, or fails with `what` after `ms`. */
  async waitFor(what: string, match: (a: WatchedAlarm) => boolean, ms: number): Promise<WatchedAlarm> {
    let found: WatchedAlarm | undefined;
    await this.until(what, () => (found = [...this.alarms.values()].find(match)) !== undefined, ms);
    return found!;
  }

  /** Waits until `cond` holds (re-checked at each poll), or fails with `what` after `ms`. */
  async until(what: string, cond: () => boolean, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > until) {
        const why = this.lastError instanceof Error ? ` (last API error: ${this.lastError.message})` : '';
        throw new ScenarioFailure(`${what} was not seen within ${Math.round(ms / 1000)} s${why}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Holds for `ms` and fails if `match` accepts any alarm meanwhile (something that must NOT happen). */
  async never(what: string, match: (a: WatchedAlarm) => boolean, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const a of this.alarms.values()) if (match(a)) throw new ScenarioFailure(`${what} (alarm ${short(a.id)}: ${a.status})`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

export const hasRow = (a: WatchedAlarm, code: string) => a.timeline.some((t) => t.code === code);
