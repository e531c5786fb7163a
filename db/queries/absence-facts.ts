import type { Queryable } from '../types.ts';

export interface AbsenceFactRow {
  residentId: string;
  bedType: 'bed.exit' | 'bed.enter' | null;
  bedAt: Date | null;
  bedDeviceId: string | null;
  bedEventId: string | null;
  checkinAt: Date | null;
  checkinDeviceId: string | null;
  activityAt: Date | null;
  activityDeviceId: string | null;
  hasMotionSensor: boolean;
  /** One of their buttons (pendant, button, pull cord): where a check-in reminder goes if they never checked in. */
  buttonDeviceId: string | null;
}

/**
 * Per resident: the latest bed event of the last day, the latest check-in and the latest
 * activity of the last `since` window. Residents with none of these (no motion sensor, no
 * check-in time in their settings) are left out. Reads only recent chunks of the events table.
 */
export async function loadAbsenceFacts(q: Queryable, since: Date, bedSince: Date): Promise<AbsenceFactRow[]> {
  const r = await q.query<AbsenceFactRow & Record<string, unknown>>(
    `WITH bed AS (
       SELECT DISTINCT ON (resident_id) resident_id, type, received_at, device_id, event_id
         FROM events WHERE type IN ('bed.exit', 'bed.enter') AND received_at > $2::timestamptz AND resident_id IS NOT NULL
        ORDER BY resident_id, received_at DESC
     ),
     checkin AS (
       SELECT DISTINCT ON (resident_id) resident_id, received_at, device_id
         FROM events WHERE type = 'checkin' AND received_at > $1::timestamptz AND resident_id IS NOT NULL
        ORDER BY resident_id, received_at DESC
     ),
     activity AS (
       SELECT DISTINCT ON (resident_id) resident_id, received_at, device_id
         FROM events WHERE type IN ('motion', 'door.opened', 'door.closed', 'bed.exit', 'bed.enter')
          AND received_at > $1::timestamptz AND resident_id IS NOT NULL
        ORDER BY resident_id, received_at DESC
     ),
     sensors AS (SELECT DISTINCT resident_id FROM devices WHERE kind = 'motion_sensor' AND resident_id IS NOT NULL),
     buttons AS (
       SELECT DISTINCT ON (resident_id) resident_id, id FROM devices
        WHERE kind IN ('pendant', 'button', 'pull_cord') AND resident_id IS NOT NULL AND NOT disabled
        ORDER BY resident_id, created_at, id
     )
     SELECT r.id AS "residentId",
            bed.type AS "bedType", bed.received_at AS "bedAt", bed.device_id AS "bedDeviceId", bed.event_id AS "bedEventId",
            checkin.received_at AS "checkinAt", checkin.device_id AS "checkinDeviceId",
            activity.received_at AS "activityAt", activity.device_id AS "activityDeviceId",
            (sensors.resident_id IS NOT NULL) AS "hasMotionSensor",
            buttons.id AS "buttonDeviceId"
       FROM residents r
       LEFT JOIN bed ON bed.resident_id = r.id
       LEFT JOIN checkin ON checkin.resident_id = r.id
       LEFT JOIN activity ON activity.resident_id = r.id
       LEFT JOIN sensors ON sensors.resident_id = r.id
       LEFT JOIN buttons ON buttons.resident_id = r.id
      WHERE bed.resident_id IS NOT NULL OR checkin.resident_id IS NOT NULL OR sensors.resident_id IS NOT NULL
         OR (r.settings->'checkinBy') IS NOT NULL AND r.settings->'checkinBy' <> 'null'::jsonb`,
    [since.toISOString(), bedSince.toISOString()],
  );
  return r.rows;
}

/** Records that a notice went out; false when it already had (by this or another instance). */
export async function claimAbsenceNotice(q: Queryable, key: string, at: Date): Promise<boolean> {
  const r = await q.query('INSERT INTO absence_notices (key, sent_at) VALUES ($1, $2::timestamptz) ON CONFLICT DO NOTHING', [key, at.toISOString()]);
  return r.rowCount > 0;
}

export async function pruneAbsenceNotices(q: Queryable, olderThan: Date): Promise<number> {
  return (await q.query('DELETE FROM absence_notices WHERE sent_at < $1::timestamptz', [olderThan.toISOString()])).rowCount;
}

/** Whether an event (or an absence's key) is already part of some alarm, open or closed. */
export async function alreadyInAlarm(q: Queryable, deviceId: string, eventId: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM alarm_events WHERE device_id = $1 AND event_id = $2 LIMIT 1', [deviceId, eventId])).rowCount > 0;
}
