import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, type ErrorReason } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import { isActive, type Actor, type AlarmLane, type Priority } from '../../contract/alarms.ts';
import type { Alert } from '../../contract/device-messages.ts';
import {
  addAlarmEvent,
  appendTimeline,
  findActiveByReplyCode,
  insertAlarm,
  insertNotifications,
  listActiveAlarms,
  lockAlarm,
  markAlertsWithdrawn,
  saveAlarm,
  type AlarmRecord,
} from '../../db/queries/alarms.ts';
import type { Db, Queryable } from '../../db/types.ts';
import type { ReceivedAck, ReceivedEvent, StatusChange } from '../../contract/received.ts';
import { alarmIdFor, triggerOf } from './alarm-ids.ts';
import type { Trigger } from '../core/trigger.ts';
import { alertFor, smsBody } from '../core/alarm-messages.ts';
import { classifyEvent, type EventContext } from '../core/alarm-rules.ts';
import { Effects } from '../core/alarm-state.ts';
import type { ActionRequest } from '../core/alarm-actions.ts';
import { decide, planEvent, smsOnlyStep, type Decision, type EscalationReason } from '../core/decide.ts';
import type { Refusal } from '../core/situation.ts';
import { ActiveAlarms, residentKey } from './active-alarms.ts';
import { untilStored } from './db-retry.ts';
import { DeadlineTimers } from './deadline-timers.ts';
import type { AbsenceSettings } from '../core/absence-rules.ts';
import { localHour } from '../core/local-clock.ts';
import { raiseAbsences, sweepAlarms, type ScheduleHost } from './schedules.ts';
import type { DispatchDirectory } from './directory.ts';
import type { PolicyConfig } from '../../contract/escalation-policy.ts';
import type { Notifier } from './notifier.ts';
import { Watchers, type AlarmChange } from './watchers.ts';

export type { EscalationReason } from '../core/decide.ts';

/** "4711" or "4711 A" (accept); anything else is not an answer we understand. */
const SMS_REPLY = /^\s*(\d{4}|\d{6})(?:\s*a)?\s*[.!]?\s*$/i;

export type SmsReplyOutcome =
  | { kind: 'not_understood' }
  | { kind: 'no_alarm'; code: string }
  | { kind: 'not_registered' }
  | { kind: 'taken'; code: string; by: string | null }
  | { kind: 'accepted'; resident: string; address: string | null };

export interface DispatchSettings {
  policy: PolicyConfig;
  cancelWindowS: number;
  nightHours: { start: number; end: number };
  temperature: { minC: number; maxC: number };
  absence: Omit<AbsenceSettings, 'nightHours'>;
}


export interface DispatcherOptions {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  directory: DispatchDirectory;
  notifier: Notifier;
  settings: DispatchSettings;
  /** Time and timers (the system clock in production, a manual one in tests). */
  clock: Clock;
}

/** Waits before an ack's "no such alarm" is believed (real time: it waits for a commit). */
const ACK_RETRY_MS = [50, 150, 300, 500, 1000];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The alarm lifecycle around the pure core: opens alarms from events (alerting wrists at once,
 * in parallel with the write), applies acks and operator actions under a row lock, runs
 * escalation steps when deadlines pass, and sends after commit.
 */
export class Dispatcher {
  private readonly alarms: ActiveAlarms;
  private readonly timers: DeadlineTimers;
  private stopped = false;
  /** Committed alarm changes, for the live console. */
  readonly changes: Watchers<AlarmChange>;
  /** Device presence and status reports, once stored (the console's device list). */
  readonly presence: Watchers<StatusChange>;

  constructor(private readonly o: DispatcherOptions) {
    this.changes = new Watchers((err) => o.logger.error({ err }, 'alarm change watcher failed'));
    this.presence = new Watchers((err) => o.logger.error({ err }, 'presence watcher failed'));
    this.timers = new DeadlineTimers((id, token) => void this.escalate(id, token, 'deadline'), o.clock);
    this.alarms = new ActiveAlarms(this.timers, o.clock);
  }

  /** Loads the directory and every active alarm, and re-arms each open alarm's deadline. */
  async start(): Promise<void> {
    await this.o.directory.refresh(this.o.clock.now());
    for (const areaId of Object.keys(this.o.settings.policy.areas ?? {})) {
      if (this.o.directory.areaName(areaId) === null) this.o.logger.warn({ areaId }, 'ALARM_POLICY names an area that does not exist; its override applies to nobody');
    }
    const alarms = await listActiveAlarms(this.o.db);
    for (const a of alarms) this.alarms.track(a);
    const open = alarms.filter((a) => a.status === 'open');
    this.o.logger.info({ active: alarms.length, rearmed: open.length }, 'dispatcher started; open alarms re-armed');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    // writes still waiting for the database are given a moment, then left (unacknowledged)
    await Promise.race([Promise.allSettled([...this.alarms.opening.values()]), new Promise((r) => setTimeout(r, 2_000).unref())]);
  }

  get openTimers(): number {
    return this.timers.size;
  }

  /** Active alarms this instance knows of. */
  get activeCount(): number {
    return this.alarms.size;
  }

  // ---- device side -------------------------------------------------------------------

  /** An event from a device. Returns a promise when the event changed an alarm (ack after it). */
  handleEvent(e: ReceivedEvent, refreshed = false): Promise<void> | undefined {
    const now = e.receivedAt;
    // the local hour only matters to night rules: most events (heartbeats, motion) skip the formatting
    const ctx: EventContext = {
      get localHour() {
        return localHour(now);
      },
      nightHours: this.o.settings.nightHours,
      temperature: this.o.settings.temperature,
    };
    const c = classifyEvent(e.event.type, e.event.data, ctx);
    if (c.kind === 'none') return undefined;
    if (!refreshed && e.device.residentId !== null && !this.o.directory.resident(e.device.residentId)) {
      // provisioned through another instance a moment ago? Read the directory, but never let
      // a slow or absent database hold the alarm back: after 250 ms route with what we have
      const read = this.o.directory.refresh(now).catch((err: unknown) => this.o.logger.warn({ err }, 'directory refresh failed; routing with what is known'));
      return Promise.race([read, new Promise((r) => setTimeout(r, 250))]).then(() => this.handleEvent(e, true));
    }
    const t = triggerOf(e);
    const openId = alarmIdFor(t.deviceId, t.eventId, t.fingerprint);
    // a resend of the opening event: the alarm it opened, not a join of itself
    if (c.kind === 'opens' && this.alarms.get(openId)) return this.alarms.opening.get(openId)?.then(() => undefined);
    const active = (lane: AlarmLane) => this.alarms.forResident(residentKey(t.residentId, t.deviceId, lane));
    const plan = planEvent(c, { care: active('care'), technical: active('technical') });
    switch (plan.kind) {
      case 'none':
        return undefined;
      case 'cancel':
        return this.residentCancel(plan.alarmId, t);
      case 'join':
        return this.join(plan.alarmId, t, plan.priority);
      case 'open':
        return this.open(openId, t, plan.priority);
    }
  }

  async handleAck(a: ReceivedAck): Promise<void> {
    const wearableId = a.device.deviceId;
    const caregiver = await this.o.directory.findFresh(() => this.o.directory.caregiverByWearable(wearableId));
    const stop = (reason: 'unknown' | 'closed') => this.o.notifier.withdraw(wearableId, a.ack.alarmId, reason);
    if (!caregiver) {
      this.o.logger.warn({ wearableId, alarmId: a.ack.alarmId }, 'ack from a wearable no caregiver wears; ignored');
      return stop('unknown');
    }
    if (!UUID.test(a.ack.alarmId)) return stop('unknown');
    const action = ({ accept: 'accept', decline: 'decline', arrived: 'arrive', resolve: 'resolve' } as const)[a.ack.action];
    const actor: Actor = { kind: 'caregiver', id: caregiver.id, name: caregiver.name };
    const request: ActionRequest = { action, actor, caregiverId: caregiver.id, outcome: a.ack.outcome, via: 'wearable' };
    // An alarm's first alert leaves while its row is still being written, maybe by another
    // instance (MQTT_URL): an accept can overtake that commit. Not found is final only after
    // the write has had a moment; a lost accept would leave the caregiver told "closed".
    for (const waitMs of [...ACK_RETRY_MS, undefined]) {
      try {
        await this.act(a.ack.alarmId, request);
        return;
      } catch (err) {
        if (err instanceof ConflictError) return; // the wrist was told to stop inside act()
        if (!(err instanceof NotFoundError)) throw err;
        if (waitMs === undefined || this.stopped) return stop('unknown');
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  handleStatus(s: StatusChange): void {
    this.presence.emit(s);
    if (this.o.directory.setWearableOnline(s.deviceId, s.online)) {
      this.o.directory.announce().catch((err: unknown) => this.o.logger.warn({ err }, 'wearable presence not announced'));
    }
  }

  // ---- opening and joining --------------------------------------------------------------

  /** The snapshot the core decides on, for this alarm (or resident) now. */
  private situation(o: { residentId: string | null; alarmId?: string; people?: Iterable<string | null | undefined>; now: Date }) {
    return this.o.directory.situation({
      residentId: o.residentId,
      now: o.now,
      people: o.people ?? [],
      pendingAlerts: (id) => this.alarms.pendingFor(id, o.alarmId),
      policy: this.o.settings.policy,
      cancelWindowS: this.o.settings.cancelWindowS,
    });
  }

  private open(id: string, t: Trigger, priority: Priority): Promise<void> {
    const s = this.situation({ residentId: t.residentId, now: t.at });
    const { alarm, effects: fx } = decide(undefined, { type: 'open', alarmId: id, trigger: t, priority, replyCode: this.alarms.newReplyCode(), newId: randomUUID }, s, t.at);
    // safety first: the wrists buzz now; the database write runs alongside
    const alert = alertFor(alarm);
    for (const p of fx.notices) if (p.notice.channel === 'wearable') void this.o.notifier.alert(p, alert);
    this.o.metrics.alarmsOpened.inc({ priority });
    this.alarms.track(alarm);
    const write = untilStored(() => this.insertNew(alarm, fx, t), this.o.logger, 'opening alarm', () => this.stopped).then(
      async (result) => {
        // (not waiting for the alerts' PUBACKs: the notifier records a failed one)
        if (result.kind === 'inserted') return this.after(fx, { alerted: true });
        this.alarms.untrack(alarm);
        for (const p of fx.notices) if (p.notice.channel === 'wearable') void this.o.notifier.withdraw(p.notice.wearableId, id, 'closed');
        if (result.kind === 'active_conflict') return this.join(result.existingId, t, priority); // opened elsewhere a moment ago
        return undefined; // an old resend of an opening event whose alarm is already closed
      },
    );
    this.alarms.opening.set(id, write);
    void write.finally(() => this.alarms.opening.delete(id));
    return write.then(() => undefined);
  }

  private async insertNew(alarm: AlarmRecord, fx: Effects, t: Trigger) {
    for (;;) {
      const r = await this.o.db.withTransaction(async (tx) => {
        const res = await insertAlarm(tx, alarm);
        if (res.kind !== 'inserted') return res;
        await addAlarmEvent(tx, { alarmId: alarm.id, deviceId: t.deviceId, eventId: t.eventId, type: t.type, receivedAt: t.at });
        fx.recorded = await appendTimeline(tx, fx.timeline);
        await insertNotifications(tx, fx.notices.map((p) => p.notification));
        return res;
      });
      if (r.kind !== 'code_taken') return r;
      alarm.replyCode = this.alarms.newReplyCode(); // taken by another instance's alarm: the SMS are not out yet
      for (const p of fx.notices) if (p.notice.channel === 'sms') p.notification.body = smsBody(alarm, p.notice.audience);
    }
  }

  private async join(alarmId: string, t: Trigger, priority: Priority): Promise<void> {
    let joined = false;
    await this.mutate(alarmId, async (a, tx, now) => {
      if (!isActive(a.status)) return undefined; // closed meanwhile (another instance): open a new one below
      joined = true;
      const fresh = await addAlarmEvent(tx, { alarmId: a.id, deviceId: t.deviceId, eventId: t.eventId, type: t.type, receivedAt: t.at });
      if (!fresh) return undefined;
      return decide(a, { type: 'join', trigger: t, priority, newId: randomUUID }, this.situation({ residentId: a.residentId, alarmId: a.id, now }), now);
    });
    if (joined) return;
    const stale = this.alarms.get(alarmId);
    if (stale) this.alarms.untrack(stale);
    return this.open(alarmIdFor(t.deviceId, t.eventId, t.fingerprint), t, priority);
  }

  private residentCancel(alarmId: string, t: Trigger): Promise<void> {
    const actor: Actor = { kind: 'resident', id: t.residentId ?? undefined };
    return this.act(alarmId, { action: 'cancel', actor, via: 'device', deviceId: t.deviceId, outcome: 'false_alarm' }).then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof NotFoundError || err instanceof ConflictError) return undefined;
        throw err;
      },
    );
  }

  // ---- actions and escalation -----------------------------------------------------------

  /** Accept/decline/arrive/resolve/cancel/reassign from a wearable, the console, an SMS reply or a resident. */
  async act(alarmId: string, req: ActionRequest): Promise<AlarmRecord> {
    const who = req.caregiverId ? this.o.directory.caregiver(req.caregiverId) : undefined;
    if (who) req = { ...req, actor: { ...req.actor, name: who.name } };
    let refused: Refusal | undefined;
    const a = await this.mutate(alarmId, async (x, _tx, now) => {
      const people = [...x.notified, x.acceptedBy, req.caregiverId, req.targetCaregiverId];
      const d = decide(x, { type: 'act', request: req, newId: randomUUID }, this.situation({ residentId: x.residentId, alarmId: x.id, people, now }), now);
      refused = d.refused;
      return d;
    });
    if (!a) throw new NotFoundError('alarm', alarmId, 'alarm_not_found');
    if (refused?.kind === 'invalid') throw new ValidationError(refused.message, undefined, refused.reason as ErrorReason);
    if (refused) throw new ConflictError(refused.message, refused.details, `alarm_${refused.reason}` as ErrorReason);
    return a;
  }

  /**
   * An SMS to the Twilio number: "4711" or "4711 A" from a caregiver's phone or a family
   * contact of the resident accepts the alarm with that code. The reply is recorded on the
   * alarm's timeline whoever sent it.
   */
  async smsReply(r: { from: string; text: string; messageSid: string | undefined }): Promise<SmsReplyOutcome> {
    const m = SMS_REPLY.exec(r.text);
    if (!m) return { kind: 'not_understood' };
    const code = m[1]!;
    const found = await findActiveByReplyCode(this.o.db, code);
    if (!found) return { kind: 'no_alarm', code };
    const dir = this.o.directory;
    const who = await dir.findFresh(() => {
      const caregiver = dir.caregiverByPhone(r.from);
      const contact = caregiver ? undefined : dir.familyContact(found.residentId, r.from);
      return caregiver || contact ? { caregiver, contact } : undefined;
    });
    const { caregiver, contact } = who ?? {};
    const actor: Actor = caregiver
      ? { kind: 'caregiver', id: caregiver.id, name: caregiver.name }
      : contact
        ? { kind: 'contact', name: contact.name }
        : { kind: 'system' };
    await this.mutate(found.id, async (a, _tx, now) =>
      decide(a, { type: 'sms_reply', actor, from: r.from, body: r.text, messageSid: r.messageSid, newId: randomUUID }, this.situation({ residentId: a.residentId, now }), now),
    );
    if (!caregiver && !contact) return { kind: 'not_registered' };
    try {
      await this.act(found.id, { action: 'accept', actor, caregiverId: caregiver?.id, via: 'sms' });
    } catch (err) {
      if (err instanceof ConflictError) return { kind: 'taken', code, by: found.acceptedByName };
      throw err;
    }
    return { kind: 'accepted', resident: found.resident.name, address: found.resident.address };
  }

  /** A deadline passed (or the step was exhausted early): next step, if the token still matches. */
  async escalate(alarmId: string, token: number, reason: EscalationReason): Promise<void> {
    if (this.stopped) return;
    await this.mutate(alarmId, async (a, _tx, now) => {
      const people = [...a.currentNotified];
      const d = decide(a, { type: 'escalate', token, reason, newId: randomUUID }, this.situation({ residentId: a.residentId, alarmId: a.id, people, now }), now);
      if (d.missedDeadline) {
        this.o.metrics.escalationDeadlinesMissed.inc();
        this.o.logger.error({ alarmId, deadline: a.deadline }, 'escalation deadline passed unserved; the watchdog runs the step now');
      }
      if (d.stepped) this.o.metrics.escalationSteps.inc({ kind: d.stepped.kind, reason });
      return d;
    }).catch((err: unknown) => {
      if (err instanceof NotFoundError) return;
      this.o.logger.error({ err, alarmId }, 'escalation step failed; the watchdog will retry it');
    });
  }

  /** Row-locked read-modify-write; effects act after the commit. Resolves with the alarm as committed (undefined: no such alarm). */
  private async mutate(alarmId: string, change: (a: AlarmRecord, tx: Queryable, now: Date) => Promise<Decision | undefined>): Promise<AlarmRecord | undefined> {
    await this.alarms.opening.get(alarmId);
    const fx = await untilStored(
      () =>
        this.o.db.withTransaction(async (tx) => {
          const a = await lockAlarm(tx, alarmId);
          if (!a) return undefined;
          const effects = (await change(a, tx, this.o.clock.now()))?.effects ?? new Effects(a, randomUUID);
          if (effects.alarm !== a) await saveAlarm(tx, effects.alarm);
          effects.recorded = await appendTimeline(tx, effects.timeline);
          await markAlertsWithdrawn(tx, alarmId, effects.withdrawals.map((w) => w.wearableId));
          await insertNotifications(tx, effects.notices.map((p) => p.notification));
          return effects;
        }),
      this.o.logger,
      'alarm update',
      () => this.stopped,
    );
    if (!fx) return undefined;
    await this.after(fx, { alerted: false });
    return fx.alarm;
  }

  /** After commit: remember, arm, send. */
  private async after(fx: Effects, o: { alerted: boolean }): Promise<void> {
    const a = fx.alarm;
    this.alarms.track(a);
    for (const b of fx.busy) this.o.directory.adjustBusy(b.caregiverId, b.delta);
    const alert: Alert = alertFor(a);
    const sends: Array<Promise<unknown>> = [];
    for (const p of fx.notices) if (p.notice.channel === 'wearable' && !o.alerted) sends.push(this.o.notifier.alert(p, alert));
    const sms = fx.notices.filter((p) => p.notice.channel === 'sms').map((p) => this.o.notifier.sms(p, a));
    sends.push(...sms);
    // SMS are this step's only way through and none got out (a bad number): move on now
    if (smsOnlyStep(fx.notices.map((p) => p.notice), (id) => this.o.directory.isWearableOnline(id))) {
      void Promise.all(sms).then((ok) => {
        if (!ok.some(Boolean) && this.o.notifier.smsProvider !== 'none') void this.escalate(a.id, a.token, 'undeliverable');
      });
    }
    for (const w of fx.withdrawals) sends.push(this.o.notifier.withdraw(w.wearableId, a.id, w.message.reason, w.message.by));
    for (const c of fx.commands) sends.push(this.o.notifier.toDevice(c.deviceId, c.command));
    // SMS retries may take a while: the caller (an ack, a PUBACK) does not wait for them
    void Promise.allSettled(sends);
    // the consoles hear of it last: their fan-out must not hold up a wrist's alert
    if (fx.changed) this.changes.emit({ alarm: a, timeline: fx.recorded, raised: o.alerted });
  }

  /** Re-reads the active alarms (other instances' changes) and re-arms the open ones. */
  async reload(graceMs = 5_000): Promise<AlarmRecord[]> {
    const started = this.o.clock.now().getTime();
    const alarms = await listActiveAlarms(this.o.db);
    this.alarms.reloaded(alarms, started, graceMs);
    return alarms;
  }

  /** The periodic safety net: deadlines nobody served, shifts that ended, arrivals overdue. */
  sweep(graceMs = 5_000): Promise<Record<string, number>> {
    return sweepAlarms(this.schedules, graceMs);
  }

  /** Alarms for what did not happen, and check-in reminders (see absence-rules.ts). */
  checkAbsences(now = this.o.clock.now()): Promise<Record<string, number>> {
    return raiseAbsences(this.schedules, now);
  }

  private get schedules(): ScheduleHost {
    return {
      db: this.o.db,
      directory: this.o.directory,
      notifier: this.o.notifier,
      settings: this.o.settings,
      now: () => this.o.clock.now(),
      reload: (graceMs) => this.reload(graceMs),
      escalate: (id, token, reason) => this.escalate(id, token, reason),
      isTracked: (id) => this.alarms.get(id) !== undefined,
      raise: (t, priority) => {
        const active = this.alarms.forResident(residentKey(t.residentId, t.deviceId, 'care'));
        return active ? this.join(active.id, t, priority) : this.open(alarmIdFor(t.deviceId, t.eventId, t.fingerprint), t, priority);
      },
      markArrivalOverdue: (id) =>
        this.mutate(id, async (x, _tx, at) => decide(x, { type: 'arrival_overdue', newId: randomUUID }, this.situation({ residentId: x.residentId, now: at }), at)).then(() => undefined),
    };
  }

  refreshDirectory(): Promise<void> {
    return this.o.directory.refresh(this.o.clock.now());
  }
}
