import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import type { Actor } from '../../contract/alarms.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { SmsReplyOutcome } from '../../contract/sms-replies.ts';
import type { ActionRequest } from '../core/alarm-actions.ts';
import { maskedPhone, phoneDigits, replyCodeOf, replyEntitlement, tooManyWrongCodes, type SmsReplyLimits } from '../core/sms-reply-rules.ts';
import type { DispatchDirectory } from './directory.ts';
import { acceptByReply, type SmsReplyRecord } from './sms-replies.ts';

export interface SmsRepliesAwayDeps {
  logger: Logger;
  metrics: Metrics;
  directory: DispatchDirectory;
  clock: Clock;
  limits: SmsReplyLimits;
  /** The active alarm with this reply code, as this instance holds it. */
  activeByCode(code: string): AlarmRecord | undefined;
  /** Whether this alarm's escalation texted the number (digits), as far as this instance knows. */
  texted(alarmId: string, digits: string): boolean;
  record(alarmId: string, reply: SmsReplyRecord): Promise<AlarmRecord | undefined>;
  accept(alarmId: string, request: ActionRequest): Promise<unknown>;
}

/**
 * SMS replies while the database is away, by the same rules (sms-reply-rules.ts) on what this
 * instance holds: its active alarms, the numbers their escalation texted since it started, the
 * directory. Wrong codes and answered MessageSids are counted here meanwhile. The accept goes
 * through the dispatcher, which decides from memory and writes it once the database is back.
 */
export class SmsRepliesAway {
  private readonly wrong = new Map<string, number[]>();
  private readonly answered = new Map<string, { from: string; outcome: SmsReplyOutcome }>();

  constructor(private readonly o: SmsRepliesAwayDeps) {}

  async handle(r: { from: string; text: string; messageSid: string | undefined }): Promise<SmsReplyOutcome> {
    const from = phoneDigits(r.from);
    const dir = this.o.directory;
    const caregiver = from === '' ? undefined : dir.caregiverByPhone(r.from);
    if (!caregiver && !(from !== '' && dir.isFamilyContactPhone(r.from))) return { kind: 'not_registered' };
    const sid = r.messageSid || undefined;
    const before = sid ? this.answered.get(sid) : undefined;
    if (before) return before.from === from ? before.outcome : { kind: 'not_registered' };
    const outcome = await this.answer(r, from, caregiver);
    if (sid) this.answered.set(sid, { from, outcome });
    return outcome;
  }

  private async answer(r: { from: string; text: string; messageSid: string | undefined }, from: string, caregiver: ReturnType<DispatchDirectory['caregiver']>): Promise<SmsReplyOutcome> {
    const now = this.o.clock.now().getTime();
    const recent = (this.wrong.get(from) ?? []).filter((t) => t > now - this.o.limits.windowMs);
    if (tooManyWrongCodes(recent.length, this.o.limits)) {
      this.o.metrics.smsReplyRefused.inc({ reason: 'too_many_attempts' });
      return { kind: 'too_many_attempts' };
    }
    const code = replyCodeOf(r.text);
    if (code === undefined) return { kind: 'not_understood' };
    const alarm = this.o.activeByCode(code);
    const onDuty = caregiver !== undefined && this.o.directory.isOnDuty(caregiver.id, new Date(now));
    const why = alarm && replyEntitlement({ areaId: alarm.areaId, texted: this.o.texted(alarm.id, from) }, { caregiver, onDuty });
    if (!alarm || !why) {
      this.wrong.set(from, [...recent, now]);
      this.o.metrics.smsReplyRefused.inc({ reason: 'wrong_code' });
      this.o.logger.warn({ phone: maskedPhone(from), wrongCodes: recent.length + 1, databaseAway: true }, 'SMS reply names no alarm this number may answer');
      return { kind: 'no_alarm', code };
    }
    const contact = caregiver ? undefined : this.o.directory.familyContact(alarm.residentId, r.from);
    const actor: Actor = caregiver ? { kind: 'caregiver', id: caregiver.id, name: caregiver.name } : { kind: 'contact', name: contact?.name };
    return acceptByReply(this.o, r, code, alarm, actor, caregiver?.id);
  }
}
