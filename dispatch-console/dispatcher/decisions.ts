import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.ts';
import type { Alert } from '../../contract/device-messages.ts';
import type { AlarmRecord } from '../../db/queries/alarms.ts';
import { alertFor } from '../core/alarm-messages.ts';
import type { Effects } from '../core/alarm-state.ts';
import { smsOnlyStep, type Decision, type EscalationReason } from '../core/decide.ts';
import { phoneDigits } from '../core/sms-reply-rules.ts';
import type { ActiveAlarms } from './active-alarms.ts';
import { AlarmWriter, type JoinedEvent, type Write } from './alarm-writer.ts';
import type { DispatchDirectory } from './directory.ts';
import type { Notifier } from './notifier.ts';
import type { AlarmChange, Watchers } from './watchers.ts';

/** A decision on an alarm as read (under its row lock, or this instance's copy); undefined: nothing to do. */
export type Change = (a: AlarmRecord, now: Date) => Decision | undefined;

export interface DecisionsOptions {
  clock: Clock;
  directory: DispatchDirectory;
  notifier: Notifier;
  writer: AlarmWriter;
  alarms: ActiveAlarms;
  /** Stored alarm changes, for the live consoles. */
  changes: Watchers<AlarmChange>;
  escalate(alarmId: string, token: number, reason: EscalationReason): Promise<void>;
}

/**
 * Runs a decision on one alarm and acts on it: under the row lock and committed before anything
 * is sent, or, with the database away, on this instance's copy, sent at once and written later.
 */
export class Decisions {
  /** Events joined to alarms while the database was away (a resend must not join twice). */
  private readonly joinedInMemory = new Set<string>();

  constructor(private readonly o: DecisionsOptions) {}

  /**
   * Row-locked read-modify-write; effects act after the commit. Resolves with the alarm as
   * committed (undefined: no such alarm). With the database away (failed, or no answer within
   * the deadline) the decision is made on this instance's copy, acted on at once, and written
   * later in order: a database outage delays the writing, never the alerting or escalating.
   */
  async mutate(alarmId: string, change: Change, event?: JoinedEvent): Promise<AlarmRecord | undefined> {
    let decided: Write | undefined;
    if (!this.o.writer.mustQueue(alarmId)) await this.o.alarms.opening.get(alarmId)?.catch(() => undefined);
    if (!this.o.writer.mustQueue(alarmId)) {
      const r = await this.o.writer.attempt(alarmId, (a) => change(a, this.o.clock.now())?.effects, event);
      if (r.kind === 'missing') return undefined;
      if (r.kind === 'nothing') return r.alarm;
      if (r.kind === 'committed') {
        await this.after(r.fx, { alerted: false, stored: true });
        return r.fx.alarm;
      }
      decided = r.decided;
    }
    const w = decided ?? this.decideFromMemory(alarmId, change, event);
    if (w === 'missing') {
      if (this.o.writer.degraded) throw AlarmWriter.unavailable(); // not known here: only the database could say
      return undefined;
    }
    if (w === 'nothing') return this.o.alarms.get(alarmId);
    void this.o.writer.later(w).then(() => {
      this.o.alarms.touch(alarmId); // a reload that began before this landed must not undo it
      this.told(w.fx, false);
    });
    await this.after(w.fx, { alerted: false, stored: false });
    return w.fx.alarm;
  }

  private decideFromMemory(alarmId: string, change: Change, event?: JoinedEvent): Write | 'missing' | 'nothing' {
    const a = this.o.alarms.get(alarmId);
    if (!a) return 'missing';
    const key = event && `${alarmId}|${event.deviceId}|${event.eventId}`;
    if (key && this.joinedInMemory.has(key)) return 'nothing';
    const d = change(a, this.o.clock.now());
    if (!d) return 'nothing';
    if (key) this.joinedInMemory.add(key);
    return { fx: d.effects, base: a, writeId: randomUUID(), event };
  }

  /** After commit (or, with the database away, at once): remember, arm, send. */
  async after(fx: Effects, o: { alerted: boolean; stored: boolean }): Promise<void> {
    const a = fx.alarm;
    this.o.alarms.track(a);
    for (const b of fx.busy) this.o.directory.adjustBusy(b.caregiverId, b.delta);
    const alert: Alert = alertFor(a);
    const sends: Array<Promise<unknown>> = [];
    for (const p of fx.notices) if (p.notice.channel === 'wearable' && !o.alerted) sends.push(this.o.notifier.alert(p, alert));
    for (const p of fx.notices) if (p.notice.channel === 'sms') this.o.alarms.noteTexted(a.id, phoneDigits(p.notice.phone));
    const sms = fx.notices.filter((p) => p.notice.channel === 'sms').map((p) => this.o.notifier.sms(p, a));
    sends.push(...sms);
    // SMS are this step's only way through and none got out (a bad number): move on now
    if (smsOnlyStep(fx.notices.map((p) => p.notice), (id) => this.o.directory.isWearableOnline(id))) {
      void Promise.all(sms).then((ok) => {
        if (!ok.some(Boolean) && this.o.notifier.smsProvider !== 'none') void this.o.escalate(a.id, a.token, 'undeliverable');
      });
    }
    for (const w of fx.withdrawals) sends.push(this.o.notifier.withdraw(w.wearableId, a.id, w.message.reason, w.message.by));
    for (const c of fx.commands) sends.push(this.o.notifier.toDevice(c.deviceId, c.command));
    for (const m of fx.wristMessages) sends.push(this.o.notifier.toWrist(m.wearableId, m.message));
    // SMS retries may take a while: the caller (an ack, a PUBACK) does not wait for them
    void Promise.allSettled(sends);
    // the consoles hear of it last: their fan-out must not hold up a wrist's alert
    if (o.stored) this.told(fx, o.alerted);
  }

  /** The live consoles hear of a change once it is stored. */
  told(fx: Effects, raised: boolean): void {
    if (fx.changed) this.o.changes.emit({ alarm: fx.alarm, timeline: fx.recorded, raised });
  }
}
