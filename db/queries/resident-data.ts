import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { residentExportSchema, type ErasureResult, type ResidentExport } from '../../contract/resident-export.ts';
import { scopeSql, type Scope } from '../scope.ts';
import type { Queryable, Row } from '../types.ts';
import { activeStatusSql } from './alarms.ts';

/**
 * One resident's data (issue 11, "data lifecycle"): the export of everything held about them,
 * and the erasure on request that removes their personal fields everywhere they were copied.
 * Every statement reaches the resident through `residentIn`, so a resident outside the caller's
 * scope is not found (404) by each of them, not only by the first.
 */

/** What an erased resident is called from then on (a name is required everywhere it is shown). */
export const ERASED_NAME = 'Erased resident';
const ERASED = '[erased]';

/** The resident `$1`, if inside `scope`: `SELECT r.id …` (params[0] must be the resident id). */
function residentIn(scope: Scope, params: unknown[]): string {
  return `SELECT r.id FROM residents r WHERE r.id = $1 AND ${scopeSql(scope, 'r.area_id', params)}`;
}
/** The ids of the resident's alarms. */
const alarmsOf = (scope: Scope, params: unknown[]) => `SELECT a.id FROM alarms a WHERE a.resident_id IN (${residentIn(scope, params)})`;

const RESIDENT = `r.id, r.name, r.area_id AS "areaId", r.address, r.phone, r.notes, r.access_info AS "accessInfo", r.contacts, r.settings,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.erased_at AS "erasedAt"`;
const DEVICE = `d.id, d.kind, d.resident_id AS "residentId", d.online, d.battery, d.rssi, d.fw,
  d.last_seen_at AS "lastSeenAt", d.status_at AS "statusAt", d.created_at AS "createdAt", d.updated_at AS "updatedAt"`;
const EVENT = `e.received_at AS "receivedAt", e.device_id AS "deviceId", e.event_id AS "eventId", e.type, e.device_ts AS "deviceTs", e.data`;
const ALARM = `a.id, a.resident_id AS "residentId", a.device_id AS "deviceId", a.area_id AS "areaId", a.lane, a.kind, a.priority, a.status,
  a.raised_at AS "raisedAt", a.accepted_at AS "acceptedAt", a.accepted_by AS "acceptedBy", a.accepted_by_name AS "acceptedByName",
  a.arrived_at AS "arrivedAt", a.closed_at AS "closedAt", a.outcome, a.resident,
  a.accept_limit_s AS "acceptLimitS", a.arrive_limit_s AS "arriveLimitS", a.step, a.step_kind AS "stepKind", a.deadline,
  a.notified, a.current_notified AS "currentNotified", a.declined, a.event_count AS "eventCount",
  a.last_event_at AS "lastEventAt", a.arrival_overdue AS "arrivalOverdue", a.updated_at AS "updatedAt"`;
const TIMELINE = `t.alarm_id AS "alarmId", t.id::int AS id, t.at, t.code, t.actor_kind AS "actorKind", t.actor_id AS "actorId",
  t.actor_name AS "actorName", t.detail`;
const NOTIFICATION = `n.id, n.alarm_id AS "alarmId", n.step, n.channel, n.audience, n.caregiver_id AS "caregiverId",
  n.recipient_name AS "recipientName", n.target, n.body, n.status, n.provider_sid AS "providerSid", n.attempts, n.error,
  n.created_at AS "createdAt", n.updated_at AS "updatedAt"`;
const SMS_REPLY = `s.message_sid AS "messageSid", s.from_digits AS "fromDigits", s.outcome, s.received_at AS "receivedAt",
  s.answered_at AS "answeredAt"`;
const AUDIT = `l.id::int AS id, l.at, l.user_id::text AS "userId", l.username, l.action, l.resource, l.resource_id AS "resourceId",
  l.resident_id::text AS "residentId", l.method, l.route, l.status, l.ip`;

/** The message ids of the SMS replies that named one of the resident's alarms (their timelines say so). */
const smsRepliesOf = (scope: Scope, params: unknown[]) =>
  `SELECT t.detail->>'messageSid' FROM alarm_timeline t WHERE t.code = 'sms.reply' AND t.alarm_id IN (${alarmsOf(scope, params)})`;

async function rows(q: Queryable, sql: (params: unknown[]) => string, id: string): Promise<Row[]> {
  const params: unknown[] = [id];
  const text = sql(params);
  return (await q.query(text, params)).rows;
}

/**
 * Everything held about the resident, read in `q` (the caller's transaction keeps it one
 * picture). NotFoundError when there is no such resident inside `scope`.
 */
export async function exportResidentData(q: Queryable, scope: Scope, id: string, now: Date): Promise<ResidentExport> {
  const [resident] = await rows(q, (p) => `SELECT ${RESIDENT} FROM residents r WHERE r.id IN (${residentIn(scope, p)})`, id);
  if (!resident) throw new NotFoundError('resident', id);
  const devices = await rows(q, (p) => `SELECT ${DEVICE} FROM devices d WHERE d.resident_id IN (${residentIn(scope, p)}) ORDER BY d.id`, id);
  const events = await rows(q, (p) => `SELECT ${EVENT} FROM events e WHERE e.resident_id IN (${residentIn(scope, p)}) ORDER BY e.received_at, e.device_id`, id);
  const alarms = await rows(q, (p) => `SELECT ${ALARM} FROM alarms a WHERE a.id IN (${alarmsOf(scope, p)}) ORDER BY a.raised_at, a.id`, id);
  const timeline = await rows(q, (p) => `SELECT ${TIMELINE} FROM alarm_timeline t WHERE t.alarm_id IN (${alarmsOf(scope, p)}) ORDER BY t.id`, id);
  const notifications = await rows(
    q,
    (p) => `SELECT ${NOTIFICATION} FROM notifications n WHERE n.alarm_id IN (${alarmsOf(scope, p)}) ORDER BY n.created_at, n.id`,
    id,
  );
  const smsReplies = await rows(q, (p) => `SELECT ${SMS_REPLY} FROM sms_replies s WHERE s.message_sid IN (${smsRepliesOf(scope, p)}) ORDER BY s.received_at`, id);
  const audit = await rows(q, (p) => `SELECT ${AUDIT} FROM audit_log l WHERE l.resident_id IN (${residentIn(scope, p)}) ORDER BY l.at, l.id`, id);
  const byAlarm = (list: Row[], alarmId: unknown) => list.filter((x) => x.alarmId === alarmId).map(({ alarmId: _, ...rest }) => rest);
  return residentExportSchema.parse({
    exportedAt: now,
    resident,
    devices,
    events,
    alarms: alarms.map((a) => ({ ...a, timeline: byAlarm(timeline, a.id), notifications: notifications.filter((n) => n.alarmId === a.id) })),
    smsReplies,
    audit,
  });
}

/** The personal values of a resident as the tables may hold copies of them. */
interface Personal {
  /** Every value, longest first (so a phone number inside a longer value goes whole). */
  values: string[];
  /** The resident's and the contacts' names. */
  names: string[];
  /** Their phone numbers as typed and as digits only (how SMS replies keep a sender). */
  phones: string[];
  digits: string[];
}

const digitsOf = (phone: string) => phone.replace(/\D/g, '').replace(/^00/, '');

function personalOf(r: Row): Personal {
  const contacts = (r.contacts as { name?: unknown; phone?: unknown }[] | null) ?? [];
  const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const names = [r.name, ...contacts.map((c) => c.name)].filter(str);
  const typed = [r.phone, ...contacts.map((c) => c.phone)].filter(str);
  const digits = typed.map(digitsOf).filter((d) => d.length >= 5);
  // values too short to be told apart from other text are erased only where their field is known
  const values = [...new Set([...names, ...typed, ...digits, r.address, r.notes, r.accessInfo].filter(str))].filter((v) => v.length >= 3);
  values.sort((a, b) => b.length - a.length);
  return { values, names, phones: [...new Set([...typed, ...digits])], digits: [...new Set(digits)] };
}

/**
 * Erases the resident's personal fields everywhere they were copied, in `tx` (the caller's one
 * transaction); answers the rows changed per table. The response-time facts stay: alarms' times,
 * status, priority, kind, outcome codes and `alarm_responses` (a contact's name as the one who
 * accepted becomes '[erased]'). The audit log holds only ids and is append-only: untouched.
 * Sensor events keep their type and times; their `data` becomes {}. ConflictError when the
 * resident was already erased (a second erasure is refused, not repeated) or has an alarm in
 * progress (the dispatcher holds and rewrites it: erase once it is closed).
 */
export async function eraseResidentData(tx: Queryable, scope: Scope, id: string, now: Date): Promise<ErasureResult> {
  const [r] = await rows(tx, (p) => `SELECT ${RESIDENT} FROM residents r WHERE r.id IN (${residentIn(scope, p)}) FOR UPDATE OF r`, id);
  if (!r) throw new NotFoundError('resident', id);
  if (r.erasedAt !== null) throw new ConflictError(`resident ${id} was already erased`, { erasedAt: r.erasedAt });
  const [active] = await rows(tx, (p) => `SELECT a.id FROM alarms a WHERE a.id IN (${alarmsOf(scope, p)}) AND ${activeStatusSql('a.status')} LIMIT 1`, id);
  if (active) throw new ConflictError(`resident ${id} has an alarm in progress (${String(active.id)}); erase once it is closed`);

  const who = personalOf(r);
  /** Runs one statement with `$1` = id and the named arrays after it; answers its row count. */
  const change = async (sql: (p: unknown[], arg: (v: unknown) => string) => string): Promise<number> => {
    const params: unknown[] = [id];
    const arg = (v: unknown) => (params.push(v), `$${params.length}`);
    const text = sql(params, arg);
    return (await tx.query(text, params)).rowCount;
  };
  // a statement's new values, kept only where they differ from the old: the counts say what changed
  const changedOnly = (cols: string[]) => cols.map((c) => `t.${c} IS DISTINCT FROM n.${c}`).join(' OR ');

  const smsReplies = await change(
    (p, arg) => `UPDATE sms_replies s SET
        from_digits = CASE WHEN s.from_digits = ANY(${arg(who.digits)}::text[]) THEN '${ERASED}' ELSE s.from_digits END,
        outcome = erase_jsonb(CASE WHEN s.outcome->>'kind' = 'accepted'
                                   THEN s.outcome || jsonb_build_object('resident', '${ERASED_NAME}', 'address', NULL)
                                   ELSE s.outcome END, ${arg(who.values)}::text[])
      WHERE s.message_sid IN (${smsRepliesOf(scope, p)}) OR s.from_digits = ANY(${arg(who.digits)}::text[])`,
  );
  const smsReplyWrongCodes = await change(
    (p, arg) => `DELETE FROM sms_reply_wrong_codes w WHERE w.from_digits = ANY(${arg(who.digits)}::text[])
                  AND EXISTS (${residentIn(scope, p)})`,
  );
  const alarmTimeline = await change(
    (p, arg) => `WITH mine AS (${alarmsOf(scope, p)}),
      personal AS (SELECT x.id::text AS id FROM notifications x WHERE x.alarm_id IN (SELECT id FROM mine)
                     AND (x.audience = 'family' OR x.target = ANY(${arg(who.phones)}::text[]))),
      n AS (SELECT t.id,
                   CASE WHEN t.actor_kind IN ('resident', 'contact') THEN NULL ELSE t.actor_name END AS actor_name,
                   erase_jsonb(
                     CASE WHEN t.code = 'sms.reply' AND t.actor_kind IN ('resident', 'contact')
                            THEN t.detail || '{"from": "${ERASED}", "body": "${ERASED}"}'::jsonb
                          WHEN t.detail ? 'data' THEN jsonb_set(t.detail, '{data}', '{}'::jsonb)
                          WHEN t.detail->>'notificationId' IN (SELECT id FROM personal) THEN t.detail || '{"to": null, "target": null}'::jsonb
                          ELSE t.detail END
                     || CASE WHEN t.actor_kind IN ('resident', 'contact') AND t.detail ? 'note' THEN '{"note": "${ERASED}"}'::jsonb
                             ELSE '{}'::jsonb END,
                     ${arg(who.values)}::text[]) AS detail
              FROM alarm_timeline t WHERE t.alarm_id IN (SELECT id FROM mine))
      UPDATE alarm_timeline t SET actor_name = n.actor_name, detail = n.detail FROM n
       WHERE t.id = n.id AND (${changedOnly(['actor_name', 'detail'])})`,
  );
  const notifications = await change(
    (p, arg) => `WITH n AS (
        SELECT x.id,
               CASE WHEN x.body IS NULL THEN NULL ELSE '${ERASED}' END AS body,
               CASE WHEN x.personal THEN NULL ELSE x.target END AS target,
               CASE WHEN x.personal THEN NULL ELSE erase_text(x.recipient_name, ${arg(who.values)}::text[]) END AS recipient_name,
               erase_text(x.error, ${arg(who.values)}::text[]) AS error
          FROM (SELECT y.*, (y.audience = 'family' OR y.target = ANY(${arg(who.phones)}::text[])
                             OR y.recipient_name = ANY(${arg(who.names)}::text[])) AS personal
                  FROM notifications y WHERE y.alarm_id IN (${alarmsOf(scope, p)})) x)
      UPDATE notifications t SET body = n.body, target = n.target, recipient_name = n.recipient_name, error = n.error,
             updated_at = now() FROM n
       WHERE t.id = n.id AND (${changedOnly(['body', 'target', 'recipient_name', 'error'])})`,
  );
  const acceptedByName = (col: string, arg: (v: unknown) => string) =>
    `CASE WHEN ${col} = ANY(${arg(who.names)}::text[]) THEN '${ERASED}' ELSE erase_text(${col}, ${arg(who.values)}::text[]) END`;
  const alarmResponses = await change(
    (p, arg) => `UPDATE alarm_responses t SET accepted_by_name = ${acceptedByName('t.accepted_by_name', arg)}
      WHERE t.alarm_id IN (${alarmsOf(scope, p)}) AND t.accepted_by_name IS DISTINCT FROM ${acceptedByName('t.accepted_by_name', arg)}`,
  );
  const alarms = await change(
    (p, arg) => `UPDATE alarms a SET
        resident = jsonb_build_object('id', a.resident->'id', 'grid', a.resident->'grid', 'name', '${ERASED_NAME}',
                                      'address', NULL, 'notes', NULL, 'phone', NULL),
        accepted_by_name = ${acceptedByName('a.accepted_by_name', arg)},
        outcome = erase_text(a.outcome, ${arg(who.values)}::text[])
      WHERE a.id IN (${alarmsOf(scope, p)})`,
  );
  const events = await change((p) => `UPDATE events e SET data = '{}'::jsonb WHERE e.resident_id IN (${residentIn(scope, p)}) AND e.data <> '{}'::jsonb`);
  const devices = await change((p) => `UPDATE devices d SET resident_id = NULL, updated_at = now() WHERE d.resident_id IN (${residentIn(scope, p)})`);
  // their rule settings too: an away window's reason ("hospital") is about their health
  const residents = await change(
    (p, arg) => `UPDATE residents r SET name = '${ERASED_NAME}', address = NULL, phone = NULL, notes = NULL, access_info = NULL, contacts = '[]'::jsonb, settings = '{}'::jsonb,
        erased_at = ${arg(now.toISOString())}::timestamptz, updated_at = ${arg(now.toISOString())}::timestamptz
      WHERE r.id IN (${residentIn(scope, p)})`,
  );
  return {
    id,
    erasedAt: now,
    changed: { residents, alarms, alarmResponses, alarmTimeline, notifications, smsReplies, smsReplyWrongCodes, events, devices },
  };
}
