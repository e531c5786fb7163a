import { eventCountSchema, type EventCount } from '../../contract/service-info.ts';
import type { Queryable } from '../types.ts';
import { deviceInScope, type Scope } from '../scope.ts';

export interface EventRow {
  deviceId: string;
  eventId: string;
  /** Digest of the content: a retransmission repeats it, a reused id does not. */
  fingerprint: string;
  type: string;
  deviceTs: string | undefined;
  receivedAt: Date;
  data: Record<string, unknown>;
}

/**
 * Stores a batch in one statement (one commit for many events: group commit).
 * Keys already in event_keys (retransmissions) are skipped; returns the keys stored now.
 * Arrays travel as text[] and are cast in SQL, which both pg and PGlite serialise the same.
 */
export async function insertEvents(q: Queryable, rows: readonly EventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const res = await q.query<{ device_id: string; event_id: string; fingerprint: string }>(
    `WITH input AS (
       SELECT DISTINCT ON (device_id, event_id, fingerprint)
              device_id, event_id, fingerprint, type, device_ts::timestamptz AS device_ts,
              received_at::timestamptz AS received_at, data::jsonb AS data
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS t(device_id, event_id, fingerprint, type, device_ts, received_at, data)
       ORDER BY device_id, event_id, fingerprint, received_at
     ),
     fresh AS (
       INSERT INTO event_keys (device_id, event_id, fingerprint, received_at)
       SELECT device_id, event_id, fingerprint, received_at FROM input
       ON CONFLICT DO NOTHING
       RETURNING device_id, event_id, fingerprint
     ),
     stored AS (
       INSERT INTO events (received_at, device_id, resident_id, event_id, type, device_ts, data)
       SELECT i.received_at, i.device_id, d.resident_id, i.event_id, i.type, i.device_ts, i.data
       FROM input i
       JOIN fresh f ON f.device_id = i.device_id AND f.event_id = i.event_id AND f.fingerprint = i.fingerprint
       LEFT JOIN devices d ON d.id = i.device_id
     ),
     seen AS (
       UPDATE devices d SET last_seen_at = GREATEST(d.last_seen_at, s.at)
       FROM (SELECT device_id, max(received_at) AS at FROM input GROUP BY device_id) s
       WHERE d.id = s.device_id
     )
     -- every data-modifying CTE runs; \`fresh\` is exactly what \`stored\` inserted
     SELECT device_id, event_id, fingerprint FROM fresh`,
    [
      rows.map((r) => r.deviceId),
      rows.map((r) => r.eventId),
      rows.map((r) => r.fingerprint),
      rows.map((r) => r.type),
      rows.map((r) => r.deviceTs ?? null),
      rows.map((r) => r.receivedAt.toISOString()),
      rows.map((r) => JSON.stringify(r.data)),
    ],
  );
  return new Set(res.rows.map((r) => eventKey(r.device_id, r.event_id, r.fingerprint)));
}

export function eventKey(deviceId: string, eventId: string, fingerprint: string): string {
  return `${deviceId}\u0000${eventId}\u0000${fingerprint}`;
}

export interface StoredEvent {
  receivedAt: Date;
  deviceId: string;
  residentId: string | null;
  eventId: string;
  type: string;
  deviceTs: Date | null;
  data: Record<string, unknown>;
}

export async function listDeviceEvents(q: Queryable, deviceId: string, limit = 100): Promise<StoredEvent[]> {
  const res = await q.query<{
    received_at: Date;
    device_id: string;
    resident_id: string | null;
    event_id: string;
    type: string;
    device_ts: Date | null;
    data: Record<string, unknown>;
  }>(
    `SELECT received_at, device_id, resident_id, event_id, type, device_ts, data
     FROM events WHERE device_id = $1 ORDER BY received_at DESC LIMIT $2`,
    [deviceId, limit],
  );
  return res.rows.map((r) => ({
    receivedAt: r.received_at,
    deviceId: r.device_id,
    residentId: r.resident_id,
    eventId: r.event_id,
    type: r.type,
    deviceTs: r.device_ts,
    data: r.data,
  }));
}

export async function countEvents(q: Queryable): Promise<number> {
  const res = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return res.rows[0]?.n ?? 0;
}

/** Events stored per device, received in `[from, to)` (the service's clock), busiest first. */
export async function countEventsByDevice(q: Queryable, scope: Scope, from: Date, to: Date): Promise<EventCount[]> {
  const params: unknown[] = [from, to];
  const res = await q.query(
    `SELECT e.device_id AS "deviceId", count(*)::int AS events FROM events e
      WHERE e.received_at >= $1 AND e.received_at < $2
        AND (${scope.areaId === null ? 'TRUE' : `EXISTS (SELECT 1 FROM devices d WHERE d.id = e.device_id AND ${deviceInScope(scope, 'd', params)})`})
      GROUP BY e.device_id ORDER BY events DESC, e.device_id`,
    params,
  );
  return res.rows.map((r) => eventCountSchema.parse(r));
}
