import { z } from 'zod';
import { activeStatuses, type NotificationStatus } from '../../contract/alarms.ts';
import { alarmRecordSchema, notificationRecordSchema, type AlarmRecord, type NotificationRecord, type ResidentSnapshot } from '../../contract/alarm-record.ts';
import { timelineEntrySchema, type NewTimelineEntry, type TimelineEntry as StoredTimelineEntry, type TimelineEntryInput } from '../../contract/timeline.ts';
import { areaScope, scopeSql, type Scope } from '../scope.ts';
import type { Queryable, Row } from '../types.ts';

// The contract owns these types; the old names stay exported for the modules that import them from here.
export type { AlarmRecord, NotificationRecord, ResidentSnapshot };
/** A timeline row to write (the loose form; `NewTimelineEntry` is the typed one). */
export type TimelineEntry = TimelineEntryInput;
/** A timeline row as stored, typed by its code. */
export type TimelineRow = StoredTimelineEntry;

// Rows are parsed into the contract's schemas here, at the database's edge.
const toAlarm = (row: Row): AlarmRecord => alarmRecordSchema.parse(row);
const toNotification = (row: Row): NotificationRecord => notificationRecordSchema.parse(row);
const toTimelineRow = (row: Row): TimelineRow => timelineEntrySchema.parse(row);
const first = <T>(rows: Row[], parse: (row: Row) => T): T | undefined => (rows[0] === undefined ? undefined : parse(rows[0]));

/** `status IN ('open', 'accepted', 'on_site')`: the contract's active statuses (constants, never input). */
export const activeStatusSql = (column = 'status') => `${column} IN (${activeStatuses.map((s) => `'${s}'`).join(', ')})`;

const COLUMNS = `id, resident_id AS "residentId", device_id AS "deviceId", area_id AS "areaId", lane, kind, priority, status,
  raised_at AS "raisedAt", accepted_at AS "acceptedAt", accepted_by AS "acceptedBy", accepted_by_name AS "acceptedByName",
  arrived_at AS "arrivedAt", closed_at AS "closedAt", outcome, resident, policy,
  accept_limit_s AS "acceptLimitS", arrive_limit_s AS "arriveLimitS", step, step_kind AS "stepKind", deadline, token,
  notified, current_notified AS "currentNotified", declined, reply_code AS "replyCode", event_count AS "eventCount",
  last_event_at AS "lastEventAt", arrival_overdue AS "arrivalOverdue", service, updated_at AS "updatedAt"`;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const ACTIVE = activeStatusSql();

export type InsertAlarmResult = { kind: 'inserted' } | { kind: 'exists' } | { kind: 'active_conflict'; existingId: string } | { kind: 'code_taken' };

/**
 * Inserts a new alarm. The same id again (a resent opening event) is `exists`; another active
 * alarm of the resident (care) or the device (technical), opened elsewhere a moment ago, is `active_conflict`.
 */
export async function insertAlarm(q: Queryable, a: AlarmRecord): Promise<InsertAlarmResult> {
  const r = await q.query(
    `INSERT INTO alarms (id, resident_id, device_id, area_id, lane, kind, priority, status, raised_at, resident, policy,
        accept_limit_s, arrive_limit_s, step, step_kind, deadline, token, notified, current_notified, declined, reply_code,
        event_count, last_event_at, service)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16::timestamptz, $17,
        $18::jsonb, $19::jsonb, $20::jsonb, $21, $22, $23::timestamptz, $24)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      a.id, a.residentId, a.deviceId, a.areaId, a.lane, a.kind, a.priority, a.status, a.raisedAt.toISOString(),
      JSON.stringify(a.resident), JSON.stringify(a.policy), a.acceptLimitS, a.arriveLimitS, a.step, a.stepKind, iso(a.deadline),
      a.token, JSON.stringify(a.notified), JSON.stringify(a.currentNotified), JSON.stringify(a.declined), a.replyCode,
      a.eventCount, a.lastEventAt.toISOString(), a.service ?? null,
    ],
  );
  if (r.rowCount > 0) return { kind: 'inserted' };
  if ((await q.query('SELECT 1 FROM alarms WHERE id = $1', [a.id])).rowCount > 0) return { kind: 'exists' };
  // care alarms are one per resident, technical ones one per device (migration 017)
  const other =
    a.lane === 'technical'
      ? await q.query<{ id: string }>(`SELECT id FROM alarms WHERE device_id = $1 AND lane = 'technical' AND ${ACTIVE}`, [a.deviceId])
      : a.residentId !== null
        ? await q.query<{ id: string }>(`SELECT id FROM alarms WHERE resident_id = $1 AND lane = $2 AND ${ACTIVE}`, [a.residentId, a.lane])
        : undefined;
  if (other?.rows[0]) return { kind: 'active_conflict', existingId: other.rows[0].id };
  return { kind: 'code_taken' };
}

/** The alarm, if it is inside `scope` (its grid); system paths pass CENTRE_WIDE. */
export async function getAlarm(q: Queryable, scope: Scope, id: string): Promise<AlarmRecord | undefined> {
  const params: unknown[] = [id];
  return first((await q.query(`SELECT ${COLUMNS} FROM alarms WHERE id = $1 AND ${scopeSql(scope, 'area_id', params)}`, params)).rows, toAlarm);
}

/** The alarm row, locked until the transaction ends: every state change goes through here. */
export async function lockAlarm(q: Queryable, id: string): Promise<AlarmRecord | undefined> {
  return first((await q.query(`SELECT ${COLUMNS} FROM alarms WHERE id = $1 FOR UPDATE`, [id])).rows, toAlarm);
}

const writeIdRow = z.object({ writeId: z.string().nullable() });

/** The id of the last decision written to this alarm, with the row locked (undefined: no such alarm). */
export async function lockAlarmWriteId(q: Queryable, id: string): Promise<{ writeId: string | null } | undefined> {
  const r = await q.query(`SELECT write_id::text AS "writeId" FROM alarms WHERE id = $1 FOR UPDATE`, [id]);
  return first(r.rows, (row) => writeIdRow.parse(row));
}

/** Writes back everything that can move after opening; `writeId` names the decision (see 008_alarm_write_ids.sql). */
export async function saveAlarm(q: Queryable, a: AlarmRecord, writeId: string | null = null): Promise<void> {
  await q.query(
    `UPDATE alarms SET status = $2, priority = $3, kind = $23, accepted_at = $4::timestamptz, accepted_by = $5, accepted_by_name = $6,
        arrived_at = $7::timestamptz, closed_at = $8::timestamptz, outcome = $9, policy = $10::jsonb, accept_limit_s = $11,
        arrive_limit_s = $12, step = $13, step_kind = $14, deadline = $15::timestamptz, token = $16, notified = $17::jsonb,
        current_notified = $18::jsonb, declined = $19::jsonb, event_count = $20, last_event_at = $21::timestamptz,
        arrival_overdue = $22, write_id = $24, resident_id = $25, area_id = $26, resident = $27::jsonb, updated_at = now()
      WHERE id = $1`,
    [
      a.id, a.status, a.priority, iso(a.acceptedAt), a.acceptedBy, a.acceptedByName, iso(a.arrivedAt), iso(a.closedAt), a.outcome,
      JSON.stringify(a.policy), a.acceptLimitS, a.arriveLimitS, a.step, a.stepKind, iso(a.deadline), a.token,
      JSON.stringify(a.notified), JSON.stringify(a.currentNotified), JSON.stringify(a.declined), a.eventCount,
      a.lastEventAt.toISOString(), a.arrivalOverdue, a.kind, writeId,
      // set after opening only when the resident of an unassigned-looking device became known (resident-found.ts)
      a.residentId, a.areaId, JSON.stringify(a.resident),
    ],
  );
}

/** Every active alarm (to re-arm deadlines at start, and to know who is busy). */
export async function listActiveAlarms(q: Queryable, scope: Scope): Promise<AlarmRecord[]> {
  const params: unknown[] = [];
  return (await q.query(`SELECT ${COLUMNS} FROM alarms WHERE ${ACTIVE} AND ${scopeSql(scope, 'area_id', params)} ORDER BY raised_at`, params)).rows.map(toAlarm);
}

export async function findActiveByReplyCode(q: Queryable, code: string): Promise<AlarmRecord | undefined> {
  return first((await q.query(`SELECT ${COLUMNS} FROM alarms WHERE reply_code = $1 AND ${ACTIVE}`, [code])).rows, toAlarm);
}

/** Records an event as part of an alarm; false when it already was (a retransmission). */
export async function addAlarmEvent(q: Queryable, e: { alarmId: string; deviceId: string; eventId: string; type: string; receivedAt: Date }): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO alarm_events (alarm_id, device_id, event_id, type, received_at) VALUES ($1, $2, $3, $4, $5::timestamptz)
     ON CONFLICT DO NOTHING`,
    [e.alarmId, e.deviceId, e.eventId, e.type, e.receivedAt.toISOString()],
  );
  return r.rowCount > 0;
}

const TIMELINE_COLUMNS = `id::int AS id, at, code, actor_kind AS "actorKind", actor_id AS "actorId", actor_name AS "actorName", detail`;

/** Appends to the timeline; answers the rows as stored (ids in order), for the live console. */
export async function appendTimeline(q: Queryable, entries: readonly (NewTimelineEntry | TimelineEntryInput)[]): Promise<TimelineRow[]> {
  if (entries.length === 0) return [];
  const rows = entries.map((e) => ({
    alarm_id: e.alarmId,
    at: e.at.toISOString(),
    code: e.code,
    actor_kind: e.actor.kind,
    actor_id: e.actor.id ?? null,
    actor_name: e.actor.name ?? null,
    detail: e.detail ?? {},
  }));
  const r = await q.query(
    `INSERT INTO alarm_timeline (alarm_id, at, code, actor_kind, actor_id, actor_name, detail)
     SELECT alarm_id, at, code, actor_kind, actor_id, actor_name, detail
       FROM jsonb_to_recordset($1::jsonb)
         AS x(alarm_id uuid, at timestamptz, code text, actor_kind text, actor_id text, actor_name text, detail jsonb)
     RETURNING ${TIMELINE_COLUMNS}`,
    [JSON.stringify(rows)],
  );
  return r.rows.map(toTimelineRow).sort((a, b) => a.id - b.id);
}

/** `ids`: only the rows with ids in [from, to] (what one change added). */
export async function getTimeline(q: Queryable, alarmId: string, ids?: { from: number; to: number }): Promise<TimelineRow[]> {
  const r = await q.query(
    `SELECT ${TIMELINE_COLUMNS} FROM alarm_timeline
      WHERE alarm_id = $1 AND ($2::bigint IS NULL OR id BETWEEN $2::bigint AND $3::bigint) ORDER BY id`,
    [alarmId, ids?.from ?? null, ids?.to ?? null],
  );
  return r.rows.map(toTimelineRow);
}

const N_COLUMNS = `id, alarm_id AS "alarmId", step, channel, audience, caregiver_id AS "caregiverId", recipient_name AS "recipientName",
  target, body, status, provider_sid AS "providerSid", attempts, error, created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function insertNotifications(q: Queryable, list: readonly NotificationRecord[]): Promise<void> {
  if (list.length === 0) return;
  const rows = list.map((n) => ({
    id: n.id,
    alarm_id: n.alarmId,
    step: n.step,
    channel: n.channel,
    audience: n.audience,
    caregiver_id: n.caregiverId,
    recipient_name: n.recipientName,
    target: n.target,
    body: n.body,
    status: n.status,
    created_at: n.createdAt.toISOString(),
  }));
  await q.query(
    `INSERT INTO notifications (id, alarm_id, step, channel, audience, caregiver_id, recipient_name, target, body, status, created_at)
     SELECT id, alarm_id, step, channel, audience, caregiver_id, recipient_name, target, body, status, created_at
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, alarm_id uuid, step int, channel text, audience text, caregiver_id uuid,
            recipient_name text, target text, body text, status text, created_at timestamptz)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

export async function updateNotification(
  q: Queryable,
  id: string,
  patch: { status: NotificationStatus; providerSid?: string | null; attempts?: number; error?: string | null },
): Promise<void> {
  await q.query(
    `UPDATE notifications SET status = $2, provider_sid = COALESCE($3, provider_sid), attempts = COALESCE($4, attempts),
        error = $5, updated_at = now() WHERE id = $1`,
    [id, patch.status, patch.providerSid ?? null, patch.attempts ?? null, patch.error ?? null],
  );
}

/**
 * A provider's delivery report. Statuses only move forward (a late "sent" does not undo
 * "delivered"); returns the row when it changed.
 */
export async function updateNotificationBySid(q: Queryable, sid: string, status: NotificationStatus, error: string | null): Promise<NotificationRecord | undefined> {
  const r = await q.query(
    `UPDATE notifications SET status = $2, error = COALESCE($3, error), updated_at = now()
      WHERE provider_sid = $1 AND status <> $2
        AND array_position(ARRAY['pending','outbox','queued','sent','delivered','failed'], $2)
          > array_position(ARRAY['pending','outbox','queued','sent','delivered','failed'], status)
      RETURNING ${N_COLUMNS}`,
    [sid, status, error],
  );
  return first(r.rows, toNotification);
}

/** Whether a provider message id is on record yet (it is stored once the send call returns). */
export async function notificationSidKnown(q: Queryable, sid: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM notifications WHERE provider_sid = $1', [sid])).rowCount > 0;
}

/** The wrists told to stop: their alerts for this alarm are withdrawn, not pending an answer. */
export async function markAlertsWithdrawn(q: Queryable, alarmId: string, wearableIds: readonly string[]): Promise<void> {
  if (wearableIds.length === 0) return;
  await q.query(
    `UPDATE notifications SET status = 'withdrawn', updated_at = now()
      WHERE alarm_id = $1 AND channel = 'wearable' AND status IN ('pending', 'sent') AND target = ANY($2::text[])`,
    [alarmId, [...wearableIds]],
  );
}

export async function getNotifications(q: Queryable, alarmId: string): Promise<NotificationRecord[]> {
  return (await q.query(`SELECT ${N_COLUMNS} FROM notifications WHERE alarm_id = $1 ORDER BY created_at, id`, [alarmId])).rows.map(toNotification);
}

export interface AlarmFilter {
  status: 'open' | 'closed' | 'all';
  from?: Date | undefined;
  to?: Date | undefined;
  areaId?: string | undefined;
  residentId?: string | undefined;
  /** Only alarms this caregiver was alerted to or holds (the caregiver role's view). */
  caregiverId?: string | undefined;
  limit: number;
}

/** Alarms inside `scope`; `areaId` narrows to alarms anywhere below that area. Newest first. */
export async function listAlarms(q: Queryable, scope: Scope, f: AlarmFilter): Promise<AlarmRecord[]> {
  const params: unknown[] = [f.status, f.from ? f.from.toISOString() : null, f.to ? f.to.toISOString() : null, f.caregiverId ?? null, f.limit, f.residentId ?? null];
  const narrow = f.areaId === undefined ? 'TRUE' : scopeSql(areaScope(f.areaId), 'area_id', params);
  const r = await q.query(
    `SELECT ${COLUMNS} FROM alarms
      WHERE ($1 = 'all' OR ($1 = 'open' AND ${ACTIVE}) OR ($1 = 'closed' AND NOT ${ACTIVE}))
        AND ($2::timestamptz IS NULL OR raised_at >= $2::timestamptz)
        AND ($3::timestamptz IS NULL OR raised_at < $3::timestamptz)
        AND ${narrow} AND ${scopeSql(scope, 'area_id', params)}
        AND ($4::uuid IS NULL OR accepted_by = $4::uuid OR notified ? ($4::uuid)::text)
        AND ($6::uuid IS NULL OR resident_id = $6::uuid)
      ORDER BY raised_at DESC, id
      LIMIT $5`,
    params,
  );
  return r.rows.map(toAlarm);
}

/** Counts by status and the median time to accept since `since`: a one-line health view. */
export async function alarmStats(q: Queryable, since: Date): Promise<{ open: number; handling: number; resolved: number; cancelled: number; acceptP50S: number | null }> {
  const r = await q.query<{ open: number; handling: number; resolved: number; cancelled: number; p50: number | null }>(
    `SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
            count(*) FILTER (WHERE status IN ('accepted', 'on_site'))::int AS handling,
            count(*) FILTER (WHERE status = 'resolved')::int AS resolved,
            count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
            (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM accepted_at - raised_at)))::float8 AS p50
       FROM alarms WHERE raised_at >= $1::timestamptz OR ${ACTIVE}`,
    [since.toISOString()],
  );
  const row = r.rows[0]!;
  return { open: row.open, handling: row.handling, resolved: row.resolved, cancelled: row.cancelled, acceptP50S: row.p50 };
}
