import { z } from 'zod';
import type { Queryable } from '../types.ts';

/** What the broker needs to authenticate a connection. */
export interface DeviceAuth {
  id: string;
  kind: string;
  residentId: string | null;
  secretHash: string;
  /** Taken out of service: refused whatever its secret. */
  disabled: boolean;
}

export async function getDeviceAuth(q: Queryable, id: string): Promise<DeviceAuth | undefined> {
  const res = await q.query<{ id: string; kind: string; resident_id: string | null; secret_hash: string; disabled: boolean }>(
    'SELECT id, kind, resident_id, secret_hash, disabled FROM devices WHERE id = $1',
    [id],
  );
  const r = res.rows[0];
  return r && { id: r.id, kind: r.kind, residentId: r.resident_id, secretHash: r.secret_hash, disabled: r.disabled };
}

export interface PresenceUpdate {
  online: boolean;
  battery?: number | undefined;
  rssi?: number | undefined;
  fw?: string | undefined;
  at: Date;
}

/**
 * Applies a status report or a connect/disconnect. Older reports never overwrite newer ones
 * (status_at guards against reordering); absent fields keep their last known value.
 */
export async function updateDevicePresence(q: Queryable, id: string, u: PresenceUpdate): Promise<boolean> {
  const res = await q.query(
    `UPDATE devices SET
       online = $2,
       battery = COALESCE($3, battery),
       rssi = COALESCE($4, rssi),
       fw = COALESCE($5, fw),
       status_at = $6::timestamptz,
       last_seen_at = CASE WHEN $2 THEN GREATEST(last_seen_at, $6::timestamptz) ELSE last_seen_at END,
       updated_at = now()
     WHERE id = $1 AND (status_at IS NULL OR status_at <= $6::timestamptz)`,
    [id, u.online, u.battery ?? null, u.rssi ?? null, u.fw ?? null, u.at.toISOString()],
  );
  return res.rowCount > 0;
}

export interface DevicePresence {
  id: string;
  online: boolean;
  battery: number | null;
  rssi: number | null;
  fw: string | null;
  lastSeenAt: Date | null;
  statusAt: Date | null;
}

export async function getDevicePresence(q: Queryable, id: string): Promise<DevicePresence | undefined> {
  const res = await q.query<{
    id: string;
    online: boolean;
    battery: number | null;
    rssi: number | null;
    fw: string | null;
    last_seen_at: Date | null;
    status_at: Date | null;
  }>('SELECT id, online, battery, rssi, fw, last_seen_at, status_at FROM devices WHERE id = $1', [id]);
  const r = res.rows[0];
  return (
    r && {
      id: r.id,
      online: r.online,
      battery: r.battery,
      rssi: r.rssi,
      fw: r.fw,
      lastSeenAt: r.last_seen_at,
      statusAt: r.status_at,
    }
  );
}

/**
 * At start-up nothing is connected yet: whatever the last run left "online" is stale. Answers
 * the wearables that were online (the wrists a restart expects back; see Dispatcher.start).
 */
export async function markAllDevicesOffline(q: Queryable, at: Date): Promise<string[]> {
  const res = await q.query(
    `UPDATE devices SET online = false, status_at = $1::timestamptz, updated_at = now() WHERE online RETURNING id, kind`,
    [at.toISOString()],
  );
  return res.rows.map((r) => wasOnline.parse(r)).filter((r) => r.kind === 'wearable').map((r) => r.id);
}
const wasOnline = z.object({ id: z.string(), kind: z.string() });
