import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import type { AlarmWithdrawal } from '../../contract/alarms.ts';
import type { Alert, ArrivalCheck, DeviceCommand } from '../../contract/device-messages.ts';
import { appendTimeline, notificationSidKnown, updateNotification, updateNotificationBySid, type AlarmRecord, type NotificationRecord, type TimelineRow } from '../../db/queries/alarms.ts';
import type { Db } from '../../db/types.ts';
import { SmsError, sendWithRetry, type RetryOptions, type SmsProvider, type SmsStatus } from './sms/sms-provider.ts';
import { withdrawal } from '../core/alarm-messages.ts';
import { SYSTEM, type PlannedNotice } from '../core/alarm-state.ts';
import { Watchers, type NotificationChange } from './watchers.ts';

/** The transport, bound late: the broker link is created after the dispatcher that listens to it. */
export interface Outbound {
  toWearable(wearableId: string, message: Record<string, unknown>): Promise<void>;
  toDevice(deviceId: string, command: DeviceCommand): Promise<void>;
}

export interface NotifierOptions {
  clock: Clock;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  outbound: Outbound;
  /** Undefined: SMS go to the outbox table and the log, not to anyone's phone. */
  sms: SmsProvider | undefined;
  retry: RetryOptions;
  /** Where the provider reports delivery (Twilio StatusCallback). */
  statusCallbackUrl: string | undefined;
}

const SID_WAIT_MS = 10_000;

/** Sends what the dispatcher decided, and records how each send went. */
export class Notifier {
  /** Notification status changes after planning, for the live console. */
  readonly changes: Watchers<NotificationChange>;

  constructor(private readonly o: NotifierOptions) {
    this.changes = new Watchers((err) => o.logger.error({ err }, 'notification change watcher failed'));
  }

  /**
   * How bookkeeping reaches the database: the dispatcher's writer, which keeps each alarm's
   * writes in order and holds them while the database is away (default: straight through).
   */
  useRecorder(record: (alarmId: string, what: string, fn: () => Promise<void>) => Promise<void>): void {
    this.recorder = record;
  }
  private recorder = (_alarmId: string, _what: string, fn: () => Promise<void>) => fn();

  get smsProvider(): string {
    return this.o.sms?.name ?? 'none';
  }

  /** An alert to a wrist (QoS 1; an offline wearable's session queues it). */
  async alert(p: PlannedNotice, alert: Alert): Promise<boolean> {
    if (p.notice.channel !== 'wearable') return false;
    try {
      await this.o.outbound.toWearable(p.notice.wearableId, alert);
      const ms = this.o.clock.now().getTime() - p.notification.createdAt.getTime();
      this.o.metrics.alertLatency.observe(ms / 1000);
      this.o.logger.info({ alarmId: alert.alarmId, wearableId: p.notice.wearableId, step: alert.step, priority: alert.priority, ms }, 'alert sent');
      return true;
    } catch (err) {
      this.o.logger.error({ err, alarmId: alert.alarmId, wearableId: p.notice.wearableId }, 'alert not published');
      await this.record(p.notification, { status: 'failed', error: (err as Error).message }, 'notification.failed');
      return false;
    }
  }

  withdraw(wearableId: string, alarmId: string, reason: AlarmWithdrawal['reason'], by?: string): Promise<void> {
    return this.o.outbound.toWearable(wearableId, { ...withdrawal(alarmId, reason, by) }).catch((err: unknown) => {
      this.o.logger.warn({ err, wearableId, alarmId }, 'withdrawal not published');
    });
  }

  /** Another message on a wrist's alerts topic (arrival.check). */
  toWrist(wearableId: string, message: ArrivalCheck): Promise<void> {
    return this.o.outbound.toWearable(wearableId, message).catch((err: unknown) => {
      this.o.logger.warn({ err, wearableId, type: message.type }, 'wrist message not published');
    });
  }

  toDevice(deviceId: string, command: DeviceCommand): Promise<void> {
    return this.o.outbound.toDevice(deviceId, command).catch((err: unknown) => {
      this.o.logger.warn({ err, deviceId, type: command.type }, 'device command not published');
    });
  }

  /** Resolves true when the SMS left (or is queued at the provider), false when it never will. */
  async sms(p: PlannedNotice, alarm: AlarmRecord): Promise<boolean> {
    const n = p.notification;
    if (p.notice.channel !== 'sms' || n.target === null || n.body === null) return false;
    // phone numbers and resident details are personal data: the log gets the last digits only
    const log = this.o.logger.child({ alarmId: alarm.id, notificationId: n.id, to: `…${n.target.slice(-4)}` });
    if (!this.o.sms) {
      log.warn({ audience: n.audience }, 'SMS not sent: no provider configured (kept in the outbox)');
      this.o.metrics.smsSent.inc({ result: 'outbox' });
      await this.record(n, { status: 'outbox' }, 'sms.outbox');
      return false;
    }
    let tried = 0; // a failure's row says how often it was tried, too
    try {
      const { receipt, attempts } = await sendWithRetry(
        this.o.sms,
        { to: n.target, body: n.body, statusCallback: this.o.statusCallbackUrl },
        {
          ...this.o.retry,
          onAttempt: (a) => {
            tried = a.attempt;
            if (a.ok) log.info({ attempt: a.attempt }, 'SMS accepted by provider');
            else log.warn({ attempt: a.attempt, err: a.error?.message, retryable: a.error?.retryable, retryInMs: a.delayMs }, 'SMS attempt failed');
          },
        },
      );
      this.o.metrics.smsSent.inc({ result: 'sent' });
      await this.write(n.alarmId, async () => {
        await updateNotification(this.o.db, n.id, { status: receipt.status, providerSid: receipt.providerSid, attempts });
        this.changes.emit({ notification: { ...n, status: receipt.status, providerSid: receipt.providerSid, attempts }, timeline: [] });
      });
      return true;
    } catch (err) {
      if (!(err instanceof SmsError)) throw err;
      this.o.metrics.smsSent.inc({ result: 'failed' });
      log.error({ err: err.message, retryable: err.retryable, code: err.providerCode }, 'SMS not delivered; giving up on this recipient');
      await this.record(n, { status: 'failed', error: err.message, attempts: tried }, 'notification.failed', { code: err.providerCode, retryable: err.retryable });
      return false;
    }
  }

  /** A delivery report from the provider (already signature-checked). */
  async deliveryReport(sid: string, status: SmsStatus, error: string | null): Promise<NotificationRecord | undefined> {
    // Twilio may report before the send's own bookkeeping has stored the SID: wait for it (10 s:
    // a busy database can take seconds, and Twilio does not send the report again). "Known" is
    // read before the update: known and still unchanged means an old status, nothing to record.
    // (Read after it, the SID could arrive in between and the report was lost: a flaky test.)
    let row: NotificationRecord | undefined;
    for (let waitedMs = 0; waitedMs < SID_WAIT_MS; waitedMs += 100) {
      const known = await notificationSidKnown(this.o.db, sid);
      row = await updateNotificationBySid(this.o.db, sid, status, error);
      if (row || known) break;
      await sleep(100);
    }
    if (!row) return row;
    let timeline: TimelineRow[] = [];
    if (status === 'delivered' || status === 'failed') {
      timeline = await appendTimeline(this.o.db, [
        {
          alarmId: row.alarmId,
          at: this.o.clock.now(),
          code: status === 'delivered' ? 'notification.delivered' : 'notification.failed',
          actor: SYSTEM,
          detail: { notificationId: row.id, channel: 'sms', to: row.recipientName, target: row.target, ...(error && { error }) },
        },
      ]);
    }
    this.changes.emit({ notification: row, timeline });
    return row;
  }

  private async record(n: NotificationRecord, patch: Parameters<typeof updateNotification>[2], code: 'notification.failed' | 'sms.outbox', extra: Record<string, unknown> = {}): Promise<void> {
    await this.write(n.alarmId, async () => {
      await updateNotification(this.o.db, n.id, patch);
      const timeline = await appendTimeline(this.o.db, [
        { alarmId: n.alarmId, at: this.o.clock.now(), code, actor: SYSTEM, detail: { notificationId: n.id, channel: n.channel, to: n.recipientName, target: n.target, ...(patch.error && { error: patch.error }), ...extra } },
      ]);
      this.changes.emit({ notification: { ...n, ...patch }, timeline });
    });
  }

  /**
   * Bookkeeping after a send, after the alarm's own writes (held while the database is away); a
   * write that fails for good is logged, not fatal (the send happened).
   */
  private async write(alarmId: string, fn: () => Promise<void>): Promise<void> {
    try {
      await this.recorder(alarmId, 'notification bookkeeping', fn);
    } catch (err) {
      this.o.logger.error({ err }, 'notification bookkeeping not written');
    }
  }
}
