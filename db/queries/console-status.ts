import type { DeviceStatus } from '../../contract/console-stream.ts';
import type { Queryable } from '../types.ts';
import { activeStatusSql } from './alarms.ts';
import { deviceInScope, type Scope } from '../scope.ts';

// battery low: a status reading under 20 % (older firmware reports 0..100), or an event of the
// device in an active battery.low alarm (its own event, or one that joined a technical alarm)
const COLUMNS = `d.id, d.kind, d.resident_id AS "residentId", r.name AS "residentName", r.area_id AS "areaId",
  c.id AS "caregiverId", d.online, d.battery,
  (COALESCE(CASE WHEN d.battery <= 1 THEN d.battery < 0.2 ELSE d.battery < 20 END, false) OR bl.device_id IS NOT NULL) AS "batteryLow",
  d.last_seen_at AS "lastSeenAt", d.status_at AS "statusAt"`;
const LOW_ALARMS = `SELECT DISTINCT ae.device_id FROM alarms a JOIN alarm_events ae ON ae.alarm_id = a.id
  WHERE ${activeStatusSql('a.status')} AND ae.type = 'battery.low'`;
const FROM = `FROM devices d LEFT JOIN residents r ON r.id = d.resident_id LEFT JOIN caregivers c ON c.wearable_id = d.id
  LEFT JOIN (${LOW_ALARMS}) bl ON bl.device_id = d.id`;

/** Every device inside `scope` with its presence and battery, for the console's snapshot. */
export async function listDeviceStatus(q: Queryable, scope: Scope): Promise<DeviceStatus[]> {
  const params: unknown[] = [];
  return (await q.query<DeviceStatus>(`SELECT ${COLUMNS} ${FROM} WHERE ${deviceInScope(scope, 'd', params)} ORDER BY d.id`, params)).rows;
}

/** The devices whose presence changed (one read for a burst of connects). */
export async function getDeviceStatus(q: Queryable, ids: readonly string[]): Promise<DeviceStatus[]> {
  if (ids.length === 0) return [];
  return (await q.query<DeviceStatus>(`SELECT ${COLUMNS} ${FROM} WHERE d.id = ANY($1::text[]) ORDER BY d.id`, [ids])).rows;
}

/** The devices whose events an alarm holds (whose batteryLow may change when it closes). */
export async function alarmDeviceIds(q: Queryable, alarmId: string): Promise<string[]> {
  return (await q.query<{ id: string }>('SELECT DISTINCT device_id AS id FROM alarm_events WHERE alarm_id = $1', [alarmId])).rows.map((r) => r.id);
}
