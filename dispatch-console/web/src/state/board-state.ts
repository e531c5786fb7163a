import { isActive } from '../lib/active-queue.ts';
import type { Alarm, Area, Caregiver, Device, ServerMsg, SmsStatus, StreamUser, TimelineRow } from '../types.ts';

/** Everything the board shows, built from the stream's snapshot and the changes after it. */
export interface BoardState {
  /** A snapshot has arrived (until then, the on-duty and device panels have nothing to say). */
  synced: boolean;
  /** Counts snapshots: views that fetched something refetch after a resync. */
  snapshotSeq: number;
  user: StreamUser | null;
  alarms: ReadonlyMap<string, Alarm>;
  /** Timeline rows received on the stream, per alarm (the detail panel merges them). */
  timelines: ReadonlyMap<string, readonly TimelineRow[]>;
  /** Alarms raised on the stream since the page loaded: highlighted once as they appear. */
  fresh: ReadonlySet<string>;
  areas: readonly Area[];
  caregivers: ReadonlyMap<string, Caregiver>;
  devices: ReadonlyMap<string, Device>;
  /** Latest SMS status per notification id. */
  sms: ReadonlyMap<string, SmsStatus>;
  /** Server clock minus local clock, ms: clocks count from the server's raisedAt. */
  skewMs: number;
}

export const emptyBoard: BoardState = {
  synced: false,
  snapshotSeq: 0,
  user: null,
  alarms: new Map(),
  timelines: new Map(),
  fresh: new Set(),
  areas: [],
  caregivers: new Map(),
  devices: new Map(),
  sms: new Map(),
  skewMs: 0,
};

// Closed alarms stay a while so a detail panel or a late update still finds them; past this
// many, the oldest closed ones go (a console left open for a week must not grow forever).
const KEEP_CLOSED = 200;

const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((i) => [i.id, i]));

/** The state after one server message; `receivedAt` is the local clock when it arrived. */
export function applyMessage(s: BoardState, msg: ServerMsg, receivedAt: number): BoardState {
  switch (msg.type) {
    case 'snapshot': {
      const d = msg.data;
      // a snapshot (first or resync) replaces everything: what it lacks is gone
      return {
        ...emptyBoard,
        synced: true,
        snapshotSeq: s.snapshotSeq + 1,
        user: d.user,
        alarms: byId(d.alarms),
        areas: d.areas,
        caregivers: byId(d.caregivers),
        devices: byId(d.devices),
        skewMs: Date.parse(d.serverTime) - receivedAt,
      };
    }
    case 'alarm.raised':
    case 'alarm.updated': {
      const { timeline, ...alarm } = msg.data;
      const alarms = new Map(s.alarms).set(alarm.id, alarm);
      const timelines = new Map(s.timelines);
      if (timeline.length > 0) timelines.set(alarm.id, mergeTimeline(timelines.get(alarm.id) ?? [], timeline));
      const fresh = msg.type === 'alarm.raised' && !s.alarms.has(alarm.id) ? new Set(s.fresh).add(alarm.id) : s.fresh;
      return prune({ ...s, alarms, timelines, fresh });
    }
    case 'device.status':
      return { ...s, devices: new Map(s.devices).set(msg.data.id, msg.data) };
    case 'caregiver.status':
      return { ...s, caregivers: new Map(s.caregivers).set(msg.data.id, msg.data) };
    case 'sms.status':
      return { ...s, sms: new Map(s.sms).set(msg.data.notificationId, msg.data) };
    case 'pong':
    case 'error':
      return s;
  }
}

/** Timeline rows in order, each once (the same row can arrive by HTTP and on the stream). */
export function mergeTimeline(a: readonly TimelineRow[], b: readonly TimelineRow[]): TimelineRow[] {
  const rows = new Map<number, TimelineRow>();
  for (const r of a) rows.set(r.id, r);
  for (const r of b) rows.set(r.id, r);
  return [...rows.values()].sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.id - y.id);
}

function prune(s: BoardState): BoardState {
  const closed = [...s.alarms.values()].filter((a) => !isActive(a));
  if (closed.length <= KEEP_CLOSED) return s;
  const drop = closed.sort((a, b) => Date.parse(a.closedAt ?? a.raisedAt) - Date.parse(b.closedAt ?? b.raisedAt)).slice(0, closed.length - KEEP_CLOSED);
  const alarms = new Map(s.alarms);
  const timelines = new Map(s.timelines);
  const fresh = new Set(s.fresh);
  for (const a of drop) {
    alarms.delete(a.id);
    timelines.delete(a.id);
    fresh.delete(a.id);
  }
  // SMS statuses go with their alarm (and those of alarms the board never held, e.g. receipts
  // for one closed before the last snapshot), or the map grows with every text ever sent
  const sms = new Map([...s.sms].filter(([, m]) => alarms.has(m.alarmId)));
  return { ...s, alarms, timelines, fresh, sms };
}

/** Alarms fetched over HTTP while the stream is down: the active set is replaced, the rest kept. */
export function applyPolledAlarms(s: BoardState, active: readonly Alarm[]): BoardState {
  const alarms = new Map([...s.alarms].filter(([, a]) => !isActive(a)));
  for (const a of active) alarms.set(a.id, a);
  return { ...s, alarms };
}

/** A refined skew from a ping's round trip: the server answered about half-way through it. */
export function withPongSkew(s: BoardState, serverTime: string, sentAt: number, receivedAt: number): BoardState {
  const skewMs = Date.parse(serverTime) - (sentAt + receivedAt) / 2;
  return Math.abs(skewMs - s.skewMs) < 250 ? s : { ...s, skewMs };
}
