import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import type { Actor } from '../../contract/alarms.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { SmsReplyOutcome } from '../../contract/sms-replies.ts';
import {
  claimSmsReply,
  countWrongCodes,
  findSmsReplyTarget,
  lockSmsSender,
  pruneSmsReplies,
  recordWrongCode,
  releaseSmsReply,
  saveSmsReplyOutcome,
  smsSenderKnown,
  storedSmsReply,
  type SmsReplyTarget,
} from '../../db/queries/sms-replies.ts';
import type { Db } from '../../db/types.ts';
import type { ActionRequest } from '../core/alarm-actions.ts';
import type { DirectoryCaregiver } from '../core/routing.ts';
import type { DispatchDirectory } from './directory.ts';
import { isTransientDbFailure } from './db-retry.ts';
import { maskedPhone, phoneDigits, replyCodeOf, replyEntitlement, SMS_REPLY_LIMITS, tooManyWrongCodes, type ReplyEntitlement, type SmsReplyLimits } from '../core/sms-reply-rules.ts';

export type { SmsReplyOutcome } from '../../contract/sms-replies.ts';

/** An inbound SMS as the Twilio webhook hands it over. */
export interface InboundSms {
  from: string;
  text: string;
  messageSid: string | undefined;
}

/** An SMS reply as the alarm's timeline records it (the core's `sms_reply`). */
export interface SmsReplyRecord {
  actor: Actor;
  from: string;
  body: string;
  messageSid: string | undefined;
}

/** What the dispatcher lends this module: the alarm's timeline and its accept, under its row lock. */
export interface SmsReplyDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  directory: DispatchDirectory;
  clock: Clock;
  /** Records the reply on the alarm's timeline (the core's `sms_reply`); the alarm as committed. */
  record(alarmId: string, reply: SmsReplyRecord): Promise<AlarmRecord | undefined>;
  /** The accept, as every other way of accepting takes it (ConflictError: taken or closed). */
  accept(alarmId: string, request: ActionRequest): Promise<unknown>;
  limits?: SmsReplyLimits;
  /** While the database is away: the same rules on what this instance holds (sms-replies-away.ts). */
  away?: { handle(r: InboundSms): Promise<SmsReplyOutcome>; active(): boolean };
}

/** A claim on a MessageSid left unanswered this long belongs to a handler that died. */
const STALE_CLAIM_MS = 2 * 60_000;
/** How long a second delivery of a message waits for the first one's answer (real time: a commit). */
const REPLAY_WAIT_MS = [25, 50, 100, 200, 400, 800, 1600, 3200];
/** Answered MessageSids are kept this long (Twilio's retries come within minutes). */
const KEEP_REPLIES_MS = 2 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

type Checked =
  | { kind: 'refused'; outcome: SmsReplyOutcome }
  | { kind: 'limited' }
  | { kind: 'wrong'; code: string; attempts: number }
  | { kind: 'entitled'; code: string; target: SmsReplyTarget; why: ReplyEntitlement };

/**
 * Inbound SMS replies: "4711" (or "4711 A") accepts alarm 4711, but only from a number that
 * alarm's escalation texted or a caregiver on duty for its grid (sms-reply-rules.ts). Any other
 * number is answered exactly as a code that matches nothing, and its wrong codes are limited
 * per number (kept in the database: restarts and other instances count the same). A number
 * nobody registered is told so whatever it sent (nothing read, stored or counted for it).
 * A registered number's MessageSid is answered once: a replay gets the stored answer.
 */
export class SmsReplies {
  private readonly limits: SmsReplyLimits;
  private lastPrune = 0;

  constructor(private readonly o: SmsReplyDeps) {
    this.limits = o.limits ?? SMS_REPLY_LIMITS;
  }

  async handle(r: InboundSms): Promise<SmsReplyOutcome> {
    const away = this.o.away;
    if (away?.active()) return away.handle(r);
    try {
      return await this.handleStored(r);
    } catch (err) {
      if (away && isTransientDbFailure(err)) return away.handle(r);
      throw err;
    }
  }

  private async handleStored(r: InboundSms, retried = false): Promise<SmsReplyOutcome> {
    const from = phoneDigits(r.from);
    // a number nobody registered is told so whatever it sent: no code read, nothing stored
    const caregiver = from === '' ? undefined : await this.sender(r.from, from);
    if (caregiver === undefined) {
      this.o.logger.debug({ phone: maskedPhone(from) }, 'SMS from a number nobody registered');
      return { kind: 'not_registered' };
    }
    const sid = r.messageSid || undefined;
    if (sid) {
      const now = this.o.clock.now();
      const claimed = await claimSmsReply(this.o.db, { messageSid: sid, fromDigits: from, at: now, staleBefore: new Date(now.getTime() - STALE_CLAIM_MS) });
      if (!claimed) {
        const stored = await this.replayed(sid, from);
        // the first delivery failed and gave its claim up: this one is handled afresh
        return stored ?? (retried ? { kind: 'in_progress' } : this.handleStored(r, true));
      }
    }
    let outcome: SmsReplyOutcome;
    try {
      outcome = await this.answer(r, from, caregiver);
    } catch (err) {
      if (sid) await releaseSmsReply(this.o.db, sid).catch((e: unknown) => this.o.logger.warn({ err: e }, 'SMS reply claim not released'));
      throw err;
    }
    if (sid) {
      // the reply is handled; a lost answer only means a replay waits, then is handled afresh
      await saveSmsReplyOutcome(this.o.db, sid, outcome, this.o.clock.now()).catch((err: unknown) =>
        this.o.logger.error({ err, messageSid: sid }, 'SMS reply handled but its answer not stored'),
      );
    }
    this.prune();
    return outcome;
  }

  /**
   * The same MessageSid again: the answer it got, once the first delivery has one (undefined:
   * no claim any more, the first delivery failed).
   */
  private async replayed(sid: string, from: string): Promise<SmsReplyOutcome | undefined> {
    for (const waitMs of [...REPLAY_WAIT_MS, undefined]) {
      const stored = await storedSmsReply(this.o.db, sid);
      if (!stored) return undefined;
      if (stored.fromDigits !== from) {
        this.o.logger.warn({ messageSid: sid, phone: maskedPhone(from) }, 'SMS reply reuses another number\'s MessageSid; ignored');
        return { kind: 'not_registered' };
      }
      if (stored.outcome) return stored.outcome;
      if (waitMs !== undefined) await sleep(waitMs);
    }
    return { kind: 'in_progress' };
  }

  /** `caregiver`: the caregiver texting, or null for a family contact of some resident. */
  private async answer(r: InboundSms, from: string, caregiver: DirectoryCaregiver | null): Promise<SmsReplyOutcome> {
    const now = this.o.clock.now();
    const onDuty = caregiver !== null && this.o.directory.isOnDuty(caregiver.id, now);
    const checked = await this.check(r.text, from, now, (t) =>
      replyEntitlement({ areaId: t.areaId, texted: t.texted !== null }, { caregiver: caregiver ?? undefined, onDuty }),
    );
    switch (checked.kind) {
      case 'refused':
        return checked.outcome;
      case 'limited':
        this.o.metrics.smsReplyRefused.inc({ reason: 'too_many_attempts' });
        return { kind: 'too_many_attempts' };
      case 'wrong':
        this.o.metrics.smsReplyRefused.inc({ reason: 'wrong_code' });
        this.o.logger.warn({ phone: maskedPhone(from), wrongCodes: checked.attempts, limit: this.limits.wrongCodes }, 'SMS reply names no alarm this number may answer');
        if (checked.attempts === this.limits.wrongCodes) {
          this.o.logger.warn({ phone: maskedPhone(from), windowMinutes: this.limits.windowMs / 60_000 }, 'too many wrong SMS reply codes: this number\'s replies are refused for the rest of the window');
        }
        return { kind: 'no_alarm', code: checked.code };
      case 'entitled':
        return this.accept(r, checked.code, checked.target, caregiver ?? this.texted(checked.target));
    }
  }

  /**
   * The caregiver texting (null: a family contact of some resident; undefined: nobody we know).
   * A number missing from the directory is looked up in the database, and the directory re-read
   * only when it is a caregiver's (someone added a moment ago): strangers cost one query.
   */
  private async sender(phone: string, from: string): Promise<DirectoryCaregiver | null | undefined> {
    const dir = this.o.directory;
    const inMemory = dir.caregiverByPhone(phone);
    if (inMemory) return inMemory;
    const known = await smsSenderKnown(this.o.db, from);
    if (known.caregiver) {
      await dir.refresh();
      const fresh = dir.caregiverByPhone(phone);
      if (fresh) return fresh;
    }
    return known.caregiver || known.contact ? null : undefined;
  }

  /**
   * One transaction per reply, the number's replies serialised: refused unread past the limit;
   * otherwise the code is looked up and a code naming no alarm this number may answer counts as
   * wrong. Matching nothing and matching an alarm of someone else's take the same path.
   */
  private check(text: string, from: string, now: Date, entitled: (t: SmsReplyTarget) => ReplyEntitlement | undefined): Promise<Checked> {
    const windowStart = new Date(now.getTime() - this.limits.windowMs);
    return this.o.db.withTransaction(async (tx): Promise<Checked> => {
      await lockSmsSender(tx, from);
      const wrong = await countWrongCodes(tx, from, windowStart);
      if (tooManyWrongCodes(wrong, this.limits)) return { kind: 'limited' };
      const code = replyCodeOf(text);
      if (code === undefined) return { kind: 'refused', outcome: { kind: 'not_understood' } };
      const target = await findSmsReplyTarget(tx, code, from);
      const why = target && entitled(target);
      if (target && why) return { kind: 'entitled', code, target, why };
      await recordWrongCode(tx, from, now, windowStart);
      return { kind: 'wrong', code, attempts: wrong + 1 };
    });
  }

  /** The caregiver this alarm texted on the number, if it was a caregiver (their phone changed since). */
  private texted(t: SmsReplyTarget): DirectoryCaregiver | null {
    return (t.texted?.caregiverId && this.o.directory.caregiver(t.texted.caregiverId)) || null;
  }

  /** An entitled reply: on the alarm's timeline, then the accept. */
  private accept(r: InboundSms, code: string, t: SmsReplyTarget, caregiver: DirectoryCaregiver | null): Promise<SmsReplyOutcome> {
    const contactName = caregiver ? undefined : (this.o.directory.familyContact(t.residentId, r.from)?.name ?? t.texted?.recipientName ?? undefined);
    const actor: Actor = caregiver ? { kind: 'caregiver', id: caregiver.id, name: caregiver.name } : { kind: 'contact', name: contactName };
    return acceptByReply(this.o, r, code, { id: t.id, resident: { name: t.residentName, address: t.residentAddress } }, actor, caregiver?.id);
  }

  /** Now and then (this instance's clock): wrong codes past the window, old answered MessageSids. */
  private prune(): void {
    const now = this.o.clock.now().getTime();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    pruneSmsReplies(this.o.db, { wrongCodesBefore: new Date(now - this.limits.windowMs), repliesBefore: new Date(now - KEEP_REPLIES_MS) }).catch((err: unknown) =>
      this.o.logger.warn({ err }, 'pruning old SMS replies failed'),
    );
  }
}

/**
 * An entitled reply, whether the database is there or away: on the alarm's timeline, then the
 * accept. Someone else has it: "taken"; closed meanwhile (or refused otherwise): no open alarm.
 */
export async function acceptByReply(
  deps: Pick<SmsReplyDeps, 'record' | 'accept'>,
  r: InboundSms,
  code: string,
  alarm: { id: string; resident: { name: string; address: string | null } },
  actor: Actor,
  caregiverId: string | undefined,
): Promise<SmsReplyOutcome> {
  const fresh = await deps.record(alarm.id, { actor, from: r.from, body: r.text, messageSid: r.messageSid });
  if (!fresh) return { kind: 'no_alarm', code };
  try {
    await deps.accept(alarm.id, { action: 'accept', actor, caregiverId, via: 'sms' });
  } catch (err) {
    if (err instanceof NotFoundError) return { kind: 'no_alarm', code };
    if (!(err instanceof ConflictError)) throw err;
    if (err.reason === 'alarm_already_accepted') return { kind: 'taken', code, by: fresh.acceptedByName };
    return { kind: 'no_alarm', code };
  }
  return { kind: 'accepted', resident: alarm.resident.name, address: alarm.resident.address };
}
