import { z } from 'zod';
import { deviceKindSchema, type DeviceKind } from '../../contract/device-messages.ts';
import { activeStatusSql } from './alarms.ts';
import type { Queryable } from '../types.ts';

/** What the supervision sweep reads of every device (disabled ones are out of service: not supervised). */
export interface SupervisionRow {
  deviceId: string;
  kind: DeviceKind;
  residentId: string | null;
  /** As stored: null = the kind's default. */
  heartbeatS: number | null;
  disabled: boolean;
  online: boolean;
  lastHeardAt: Date | null;
  offlineSince: Date | null;
}

const row = z.object({
  deviceId: z.string(),
  kind: deviceKindSchema,
  residentId: z.string().nullable(),
  heartbeatS: z.number().int().nullable(),
  disabled: z.boolean(),
  online: z.boolean(),
  lastHeardAt: z.date().nullable(),
  offlineSince: z.date().nullable(),
});

export async function loadSupervisionRows(q: Queryable): Promise<SupervisionRow[]> {
  const r = await q.query(
    `SELECT id AS "deviceId", kind, resident_id AS "residentId", heartbeat_s AS "heartbeatS", disabled, online,
            last_heard_at AS "lastHeardAt", offline_since AS "offlineSince"
       FROM devices`,
  );
  return r.rows.map((x) => row.parse(x));
}

/** The active technical alarms (one per device, and the centre's outage): what supervision may resolve. */
export async function activeTechnicalAlarms(q: Queryable): Promise<Array<{ id: string; deviceId: string; kind: string; eventCount: number }>> {
  const r = await q.query<{ id: string; deviceId: string; kind: string; eventCount: number }>(
    `SELECT id, device_id AS "deviceId", kind, event_count AS "eventCount" FROM alarms WHERE lane = 'technical' AND ${activeStatusSql()}`,
  );
  return r.rows;
}

/**
 * Last heard for every device heard since the previous batch, in one statement: never moves
 * back (another instance, or an event's own write, may have a later time).
 */
export async function recordHeard(q: Queryable, heard: ReadonlyArray<{ id: string; at: Date }>): Promise<number> {
  if (heard.length === 0) return 0;
  const r = await q.query(
    `UPDATE devices d SET last_heard_at = h.at
       FROM jsonb_to_recordset($1::jsonb) AS h(id text, at timestamptz)
      WHERE d.id = h.id AND (d.last_heard_at IS NULL OR d.last_heard_at < h.at)`,
    [JSON.stringify(heard.map((h) => ({ id: h.id, at: h.at.toISOString() })))],
  );
  return r.rowCount;
}

/** Flags the device offline; false when already flagged (another instance's sweep got there first). */
export async function claimOffline(q: Queryable, id: string, since: Date): Promise<boolean> {
  const r = await q.query('UPDATE devices SET offline_since = $2::timestamptz WHERE id = $1 AND offline_since IS NULL', [id, since.toISOString()]);
  return r.rowCount > 0;
}

/** Clears the flag set at `since`; false when it was already cleared (or set again since). */
export async function clearOffline(q: Queryable, id: string, since: Date): Promise<boolean> {
  const r = await q.query('UPDATE devices SET offline_since = NULL WHERE id = $1 AND offline_since = $2::timestamptz', [id, since.toISOString()]);
  return r.rowCount > 0;
}

/** The device's resident (undefined: no such device). */
export async function deviceResident(q: Queryable, id: string): Promise<string | null | undefined> {
  const r = await q.query<{ resident_id: string | null }>('SELECT resident_id FROM devices WHERE id = $1', [id]);
  return r.rows[0]?.resident_id;
}
