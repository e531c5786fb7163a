import type { DeviceStatus } from '../../contract/console-stream.ts';
import type { Queryable } from '../types.ts';

const COLUMNS = `d.id, d.kind, d.resident_id AS "residentId", r.name AS "residentName", r.area_id AS "areaId",
  c.id AS "caregiverId", d.online, d.battery, d.last_seen_at AS "lastSeenAt", d.status_at AS "statusAt"`;
const FROM = `FROM devices d LEFT JOIN residents r ON r.id = d.resident_id LEFT JOIN caregivers c ON c.wearable_id = d.id`;

/** Every device with its presence and battery, for the console's snapshot. */
export async function listDeviceStatus(q: Queryable): Promise<DeviceStatus[]> {
  return (await q.query<DeviceStatus>(`SELECT ${COLUMNS} ${FROM} ORDER BY d.id`)).rows;
}

/** The devices whose presence changed (one read for a burst of connects). */
export async function getDeviceStatus(q: Queryable, ids: readonly string[]): Promise<DeviceStatus[]> {
  if (ids.length === 0) return [];
  return (await q.query<DeviceStatus>(`SELECT ${COLUMNS} ${FROM} WHERE d.id = ANY($1::text[]) ORDER BY d.id`, [ids])).rows;
}
