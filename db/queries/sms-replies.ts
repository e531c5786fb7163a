import { z } from 'zod';
import { smsReplyOutcomeSchema, type SmsReplyOutcome } from '../../contract/sms-replies.ts';
import { activeStatusSql } from './alarms.ts';
import type { Queryable } from '../types.ts';

/**
 * A phone number as digits only, the way the directory compares numbers (+86 138… and
 * 0086138… and 86138… are one number): non-digits dropped, then a leading 00.
 */
const digitsSql = (column: string) => `regexp_replace(regexp_replace(${column}, '\\D', '', 'g'), '^00', '')`;

// ---- one answer per MessageSid ------------------------------------------------------------

/**
 * Claims a MessageSid for answering. False when it is already answered or being answered
 * (another delivery of the same message); a claim left unanswered since before `staleBefore`
 * (its handler died) is taken over.
 */
export async function claimSmsReply(q: Queryable, r: { messageSid: string; fromDigits: string; at: Date; staleBefore: Date }): Promise<boolean> {
  const res = await q.query(
    `INSERT INTO sms_replies (message_sid, from_digits, received_at) VALUES ($1, $2, $3::timestamptz)
     ON CONFLICT (message_sid) DO UPDATE SET received_at = EXCLUDED.received_at
       WHERE sms_replies.outcome IS NULL AND sms_replies.received_at < $4::timestamptz
     RETURNING message_sid`,
    [r.messageSid, r.fromDigits, r.at.toISOString(), r.staleBefore.toISOString()],
  );
  return res.rowCount > 0;
}

const storedRow = z.object({ fromDigits: z.string(), outcome: smsReplyOutcomeSchema.nullable() });
export type StoredSmsReply = z.infer<typeof storedRow>;

/** The answer given to a MessageSid (outcome null: still being answered). */
export async function storedSmsReply(q: Queryable, messageSid: string): Promise<StoredSmsReply | undefined> {
  const r = await q.query('SELECT from_digits AS "fromDigits", outcome FROM sms_replies WHERE message_sid = $1', [messageSid]);
  return r.rows[0] === undefined ? undefined : storedRow.parse(r.rows[0]);
}

export async function saveSmsReplyOutcome(q: Queryable, messageSid: string, outcome: SmsReplyOutcome, at: Date): Promise<void> {
  await q.query('UPDATE sms_replies SET outcome = $2::jsonb, answered_at = $3::timestamptz WHERE message_sid = $1', [
    messageSid,
    JSON.stringify(outcome),
    at.toISOString(),
  ]);
}

/** Gives up an unanswered claim (answering failed: a retry of the message is handled afresh). */
export async function releaseSmsReply(q: Queryable, messageSid: string): Promise<void> {
  await q.query('DELETE FROM sms_replies WHERE message_sid = $1 AND outcome IS NULL', [messageSid]);
}

// ---- who is texting ---------------------------------------------------------------------

/** Whether a number is a caregiver's phone or a family contact of some resident. */
export async function smsSenderKnown(q: Queryable, fromDigits: string): Promise<{ caregiver: boolean; contact: boolean }> {
  const r = await q.query<{ caregiver: boolean; contact: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM caregivers WHERE phone IS NOT NULL AND ${digitsSql('phone')} = $1) AS caregiver,
            EXISTS (SELECT 1 FROM residents, jsonb_array_elements(contacts) AS c
                     WHERE ${digitsSql(`c->>'phone'`)} = $1) AS contact`,
    [fromDigits],
  );
  const row = r.rows[0];
  return { caregiver: row?.caregiver === true, contact: row?.contact === true };
}

// ---- wrong codes, per number ------------------------------------------------------------

/**
 * Serialises one number's replies until the transaction ends (every instance, PostgreSQL
 * and embedded alike): its wrong codes are counted and added without a race.
 */
export async function lockSmsSender(tx: Queryable, fromDigits: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7007, hashtext($1))', [fromDigits]);
}

export async function countWrongCodes(q: Queryable, fromDigits: string, since: Date): Promise<number> {
  const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM sms_reply_wrong_codes WHERE from_digits = $1 AND at > $2::timestamptz', [
    fromDigits,
    since.toISOString(),
  ]);
  return r.rows[0]?.n ?? 0;
}

/** Adds a wrong code; the number's rows from before the window go. */
export async function recordWrongCode(q: Queryable, fromDigits: string, at: Date, windowStart: Date): Promise<void> {
  await q.query('DELETE FROM sms_reply_wrong_codes WHERE from_digits = $1 AND at <= $2::timestamptz', [fromDigits, windowStart.toISOString()]);
  await q.query('INSERT INTO sms_reply_wrong_codes (from_digits, at) VALUES ($1, $2::timestamptz)', [fromDigits, at.toISOString()]);
}

// ---- the alarm a code names -------------------------------------------------------------

const replyTargetRow = z.object({
  id: z.string(),
  residentId: z.string().nullable(),
  areaId: z.string().nullable(),
  residentName: z.string(),
  residentAddress: z.string().nullable(),
  acceptedByName: z.string().nullable(),
  /** This alarm's escalation texted the number (its SMS row), or null. */
  texted: z.object({ audience: z.string(), caregiverId: z.string().nullable(), recipientName: z.string().nullable() }).nullable(),
});
export type SmsReplyTarget = z.infer<typeof replyTargetRow>;

/**
 * The active alarm with this reply code, with whether its escalation texted this number.
 * One query whether or not the number turns out to be entitled to it.
 */
export async function findSmsReplyTarget(q: Queryable, code: string, fromDigits: string): Promise<SmsReplyTarget | undefined> {
  const r = await q.query(
    `SELECT id, resident_id AS "residentId", area_id AS "areaId", resident->>'name' AS "residentName",
            resident->>'address' AS "residentAddress", accepted_by_name AS "acceptedByName",
            (SELECT jsonb_build_object('audience', n.audience, 'caregiverId', n.caregiver_id, 'recipientName', n.recipient_name)
               FROM notifications n
              WHERE n.alarm_id = alarms.id AND n.channel = 'sms' AND n.target IS NOT NULL AND ${digitsSql('n.target')} = $2
              ORDER BY n.created_at LIMIT 1) AS texted
       FROM alarms WHERE reply_code = $1 AND ${activeStatusSql()}`,
    [code, fromDigits],
  );
  return r.rows[0] === undefined ? undefined : replyTargetRow.parse(r.rows[0]);
}

// ---- housekeeping -----------------------------------------------------------------------

/** Wrong codes from before the window, and answered MessageSids older than `repliesBefore`. */
export async function pruneSmsReplies(q: Queryable, o: { wrongCodesBefore: Date; repliesBefore: Date }): Promise<number> {
  const a = await q.query('DELETE FROM sms_reply_wrong_codes WHERE at <= $1::timestamptz', [o.wrongCodesBefore.toISOString()]);
  const b = await q.query('DELETE FROM sms_replies WHERE received_at < $1::timestamptz AND outcome IS NOT NULL', [o.repliesBefore.toISOString()]);
  return a.rowCount + b.rowCount;
}
