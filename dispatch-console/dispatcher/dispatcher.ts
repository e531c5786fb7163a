import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, type ErrorReason } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import { isActive, type Actor, type AlarmLane, type Priority } from '../../contract/alarms.ts';
import {
  addAlarmEvent,
  appendTimeline,
  insertAlarm,
  insertNotifications,
  listActiveAlarms,
  type AlarmRecord,
} from '../../db/queries/alarms.ts';
import type { Db } from '../../db/types.ts';
import type { ReceivedAck, ReceivedEvent, StatusChange } from '../../contract/received.ts';
import { alarmIdFor, triggerOf } from './alarm-ids.ts';
import { sweepCoverage } from './coverage.ts';
import { restoreCoverage } from '../core/coverage-rules.ts';
import type { Trigger } from '../core/trigger.ts';
import { alertFor, smsBody } from '../core/alarm-messages.ts';
import { classifyEvent, type EventContext } from '../core/alarm-rules.ts';
import { Effects } from '../core/alarm-state.ts';
import type { ActionRequest } from '../core/alarm-actions.ts';
import { decide, planEvent, type Decision, type EscalationReason } from '../core/decide.ts';
import { WristPresence } from './wrist-presence.ts';
import { Decisions } from './decisions.ts';
import type { Refusal } from '../core/situation.ts';
import { ActiveAlarms, residentKey } from './active-alarms.ts';
import { AlarmWriter, type JoinedEvent } from './alarm-writer.ts';
import { isTransientDbFailure } from './db-retry.ts';
import { DeadlineTimers } from './deadline-timers.ts';
import { localHour } from '../core/local-clock.ts';
import { raiseAbsences, sweepAlarms, type ScheduleHost } from './schedules.ts';
import type { DispatchDirectory } from './directory.ts';
import type { Notifier } from './notifier.ts';
import { Watchers, type AlarmChange } from './watchers.ts';
import { SmsReplies, type SmsReplyOutcome, type SmsReplyRecord } from './sms-replies.ts';
import { SmsRepliesAway } from './sms-replies-away.ts';
import { SMS_REPLY_LIMITS } from '../core/sms-reply-rules.ts';
import type { DispatchSettings } from './dispatch-settings.ts';
import { CENTRE_WIDE } from '../../db/scope.ts';
import { asRestored, restoredNote } from '../core/supervision-rules.ts';
import { SYSTEM } from '../core/alarm-state.ts';
import { rulesFor } from './resident-rules.ts';
import { isTestEvent } from '../core/button-test-rules.ts';
import { recordButtonTest } from './button-tests.ts';

export type { EscalationReason } from '../core/decide.ts';

export type { SmsReplyOutcome } from './sms-replies.ts';

export type { DispatchSettings } from './dispatch-settings.ts';

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
  private readonly writer: AlarmWriter;
  private readonly decisions: Decisions;
  /** New alarms until they are in the database (a resend of the opening event is acked after). */
  private readonly inserting = new Map<string, Promise<void>>();
  /** Start-up grace for the wrists to come back, and steps whose every wrist went away. */
  private readonly wrists: WristPresence;
  /** Inbound SMS replies: who may answer which code, wrong-code limits, one answer per MessageSid. */
  private readonly smsReplies: SmsReplies;
  private stopped = false;
  /** Alarms opened before the directory knew their device's resident: alarm id → resident id. */
  private readonly unnamed = new Map<string, string>();
  /** Committed alarm changes, for the live console. */
  readonly changes: Watchers<AlarmChange>;
  /** Device presence and status reports, once stored (the console's device list). */
  readonly presence: Watchers<StatusChange>;

  constructor(private readonly o: DispatcherOptions) {
    this.changes = new Watchers((err) => o.logger.error({ err }, 'alarm change watcher failed'));
    this.presence = new Watchers((err) => o.logger.error({ err }, 'presence watcher failed'));
    this.timers = new DeadlineTimers((id, token) => void this.escalate(id, token, 'deadline'), o.clock);
    this.alarms = new ActiveAlarms(this.timers, o.clock);
    this.wrists = new WristPresence({ ...o, alarms: this.alarms, escalate: (id, token, reason) => this.escalate(id, token, reason), stopped: () => this.stopped });
    this.writer = new AlarmWriter({ db: o.db, logger: o.logger, metrics: o.metrics, deadlineMs: o.settings.dbDeadlineMs, stopped: () => this.stopped });
    o.notifier.useRecorder((alarmId, what, fn) => this.writer.record(alarmId, what, fn));
    this.decisions = new Decisions({ ...o, writer: this.writer, alarms: this.alarms, changes: this.changes, escalate: (id, token, reason) => this.escalate(id, token, reason) });
    const sms = {
      ...o,
      limits: SMS_REPLY_LIMITS,
      record: (id: string, reply: SmsReplyRecord) =>
        this.decisions.mutate(id, (a, now) => decide(a, { type: 'sms_reply', ...reply, newId: randomUUID }, this.situation({ residentId: a.residentId, now }), now)),
      accept: (id: string, request: ActionRequest) => this.act(id, request),
    };
    // with the database away, replies are taken on what this instance holds (same rules)
    const away = new SmsRepliesAway({ ...sms, activeByCode: (code) => this.alarms.byReplyCode(code), texted: (id, digits) => this.alarms.texted(id, digits) });
    this.smsReplies = new SmsReplies({ ...sms, away: { handle: (r) => away.handle(r), active: () => this.writer.degraded } });
    o.directory.reloaded.add(() => this.nameUnnamed());
  }

  /**
   * Loads the directory and every active alarm, and re-arms each open alarm's deadline.
   * `reconnecting`: the wrists that were online before this start (the embedded broker starts
   * empty); steps wait for them, up to the grace counted from `listening()` (ReconnectGrace).
   */
  async start(o: { reconnecting?: readonly string[] } = {}): Promise<void> {
    this.wrists.expect(o.reconnecting ?? []);
    await this.o.directory.refresh(this.o.clock.now());
    for (const areaId of Object.keys(this.o.settings.policy.areas ?? {})) {
      if (this.o.directory.areaName(areaId) === null) this.o.logger.warn({ areaId }, 'ALARM_POLICY names an area that does not exist; its override applies to nobody');
    }
    const alarms = await listActiveAlarms(this.o.db, CENTRE_WIDE);
    for (const a of alarms) this.alarms.track(a);
    const open = alarms.filter((a) => a.status === 'open');
    this.o.logger.info({ active: alarms.length, rearmed: open.length }, 'dispatcher started; open alarms re-armed');
  }

  /** The broker listens: devices can come back from now (the start-up grace runs). */
  listening(): void {
    this.wrists.listening();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    // writes still waiting for the database are given a moment, then left (unacknowledged)
    await Promise.race([Promise.allSettled([...this.inserting.values()]), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await this.writer.settle(2_000);
  }

  /** Decisions made while the database was away and not yet written. */
  get queuedWrites(): number {
    return this.writer.queued;
  }

  /** True while the database is away and decisions are made from memory. */
  get deciding(): 'database' | 'memory' {
    return this.writer.degraded ? 'memory' : 'database';
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
    // a weekly button test opens nothing: recorded, and confirmed to the device
    if (isTestEvent(e.event.type, e.event.data)) return this.buttonTest(e);
    const rules = () => rulesFor(this.o.directory, this.o.settings, e.device.residentId);
    // the local hour only matters to night rules: most events (heartbeats, motion) skip the formatting
    const ctx: EventContext = {
      get localHour() {
        return localHour(now);
      },
      nightHours: this.o.settings.nightHours,
      temperature: this.o.settings.temperature,
      get nightDoorAlarm() {
        return rules().nightDoorAlarm;
      },
    };
    const c = classifyEvent(e.event.type, e.event.data, ctx);
    if (c.kind === 'none') return undefined;
    if (!refreshed && e.device.residentId !== null && !this.o.directory.resident(e.device.residentId)) {
      // provisioned through another instance a moment ago? Read the directory, but never let
      // a slow or absent database hold the alarm back: after 250 ms route with what we have
      const read = this.o.directory.refresh(now).catch((err: unknown) => this.o.logger.warn({ err }, 'directory refresh failed; routing with what is known'));
      // (opened without them, the alarm is named at the directory's next reload: see `unnamed`)
      return Promise.race([read, new Promise((r) => setTimeout(r, 250))]).then(() => this.handleEvent(e, true));
    }
    const t = triggerOf(e);
    const openId = alarmIdFor(t.deviceId, t.eventId, t.fingerprint);
    // a resend of the opening event: the alarm it opened, not a join of itself
    if (c.kind === 'opens' && this.alarms.get(openId)) return this.inserting.get(openId);
    const active = (lane: AlarmLane) => this.alarms.forResident(residentKey(t.residentId, t.deviceId, lane));
    const plan = planEvent(c, { care: active('care'), technical: active('technical'), service: active('service') });
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
    const request: ActionRequest = {
      action, actor, caregiverId: caregiver.id, outcome: a.ack.outcome, via: 'wearable', receivedAt: a.receivedAt,
      ...(a.ack.at && { at: new Date(a.ack.at) }),
    };
    // An alarm's first alert leaves while its row is still being written, maybe by another
    // instance (MQTT_URL): an accept can overtake that commit. Not found is final only after
    // the write has had a moment; a lost accept would leave the caregiver told "closed".
    for (const waitMs of [...ACK_RETRY_MS, undefined]) {
      try {
        await this.act(a.ack.alarmId, request);
        return;
      } catch (err) {
        if (err instanceof ConflictError) return; // the wrist was told to stop inside act()
        // an alarm this instance does not hold, with the database away: nobody can say more now
        if (isTransientDbFailure(err)) return stop('unknown');
        if (!(err instanceof NotFoundError)) throw err;
        if (waitMs === undefined || this.stopped) return stop('unknown');
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  handleStatus(s: StatusChange): void {
    this.presence.emit(s);
    this.wrists.changed(s);
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
      cancelWindowS: rulesFor(this.o.directory, this.o.settings, o.residentId).cancelWindowS,
    });
  }

  private buttonTest(e: ReceivedEvent): Promise<void> {
    const active = this.alarms.forResident(residentKey(e.device.residentId, e.device.deviceId, 'care'));
    return recordButtonTest({ db: this.o.db, notifier: this.o.notifier, active }, e);
  }

  /** `made`: an opening decided elsewhere in the core (a coverage alarm, which has no resident). */
  private open(id: string, t: Trigger, priority: Priority, made?: Pick<Decision, 'alarm' | 'effects'>): Promise<void> {
    const s = this.situation({ residentId: t.residentId, now: t.at });
    const { alarm, effects: fx } = made ?? decide(undefined, { type: 'open', alarmId: id, trigger: t, priority, replyCode: this.alarms.newReplyCode(), newId: randomUUID }, s, t.at);
    if (t.residentId !== null && alarm.residentId === null && alarm.lane !== 'technical') this.unnamed.set(id, t.residentId);
    // safety first: the wrists buzz now; the database write runs alongside
    const alert = alertFor(alarm);
    for (const p of fx.notices) if (p.notice.channel === 'wearable') void this.o.notifier.alert(p, alert);
    this.o.metrics.alarmsOpened.inc({ priority });
    this.alarms.track(alarm);
    const { first, stored } = this.writer.insert(id, (replayed) => this.insertNew(alarm, fx, t, replayed));
    // acted on: committed (or known not to be new), or queued with the database away; then
    // the rest of the first step (SMS, the console) goes out. Later decisions wait for this.
    const acted = first.then(async (how) => {
      if (how === 'queued') return this.decisions.after(fx, { alerted: true, stored: false });
      // (not waiting for the alerts' PUBACKs: the notifier records a failed one)
      if ((await stored).kind === 'inserted') return this.decisions.after(fx, { alerted: true, stored: true });
    });
    this.alarms.opening.set(id, acted);
    void acted.then(
      () => this.alarms.opening.delete(id),
      () => this.alarms.opening.delete(id),
    );
    const write = stored.then(async (result) => {
      await acted;
      if (result.kind === 'active_conflict' && !this.alarms.get(result.existingId) && this.writer.mustQueue(result.existingId)) {
        // the resident's earlier alarm was closed here and its close is not written yet (the
        // database was away or slow): this press is its own alarm, written right after that close
        result = await this.writer.insertAfter(result.existingId, () => this.insertNew(alarm, fx, t, true));
        if (result.kind === 'inserted') {
          this.alarms.touch(id);
          // queued at first: its SMS and console call already went out from memory
          if ((await first) === 'queued') return this.decisions.told(fx, true);
          return this.decisions.after(fx, { alerted: true, stored: true });
        }
      }
      if (result.kind === 'inserted') {
        if ((await first) === 'queued') {
          this.alarms.touch(id); // a reload that began before this landed must not undo it
          this.decisions.told(fx, true);
        }
        return;
      }
      this.alarms.untrack(alarm);
      for (const p of fx.notices) if (p.notice.channel === 'wearable') void this.o.notifier.withdraw(p.notice.wearableId, id, 'closed');
      if (result.kind === 'active_conflict') return this.join(result.existingId, t, priority); // opened elsewhere a moment ago
      return undefined; // an old resend of an opening event whose alarm is already closed
    });
    const done = write.then(() => undefined);
    this.inserting.set(id, done);
    void done.then(
      () => this.inserting.delete(id),
      () => this.inserting.delete(id),
    );
    return done;
  }

  /** `replayed`: an earlier try may have landed before the database went away (then "exists" is ours). */
  private async insertNew(alarm: AlarmRecord, fx: Effects, t: Trigger, replayed: boolean) {
    for (;;) {
      const r = await this.o.db.withTransaction(async (tx) => {
        const res = await insertAlarm(tx, alarm);
        if (res.kind !== 'inserted') return res;
        await addAlarmEvent(tx, { alarmId: alarm.id, deviceId: t.deviceId, eventId: t.eventId, type: t.type, receivedAt: t.at });
        fx.recorded = await appendTimeline(tx, fx.timeline);
        await insertNotifications(tx, fx.notices.map((p) => p.notification));
        return res;
      });
      if (r.kind === 'exists' && replayed) return { kind: 'inserted' as const };
      if (r.kind !== 'code_taken') return r;
      // taken by another instance's alarm: the SMS are not out yet (unless the database was away)
      alarm.replyCode = this.alarms.newReplyCode();
      for (const p of fx.notices) if (p.notice.channel === 'sms') p.notification.body = smsBody(alarm, p.notice.audience);
    }
  }

  private async join(alarmId: string, t: Trigger, priority: Priority): Promise<void> {
    let joined = false;
    const event: JoinedEvent = { alarmId, deviceId: t.deviceId, eventId: t.eventId, type: t.type, receivedAt: t.at };
    await this.decisions.mutate(
      alarmId,
      (a, now) => {
        if (!isActive(a.status)) return undefined; // closed meanwhile (another instance): open a new one below
        joined = true;
        return decide(a, { type: 'join', trigger: t, priority, newId: randomUUID }, this.situation({ residentId: a.residentId, alarmId: a.id, now }), now);
      },
      event,
    );
    if (joined) return;
    const stale = this.alarms.get(alarmId);
    if (stale) this.alarms.untrack(stale);
    return this.open(alarmIdFor(t.deviceId, t.eventId, t.fingerprint), t, priority);
  }

  /**
   * After each directory read: alarms opened for a device whose resident the directory did not
   * know yet (provisioned a moment ago elsewhere, the read slower than an alarm may wait, or the
   * database away) take their resident once it is known, and an open one asks their grid.
   */
  private nameUnnamed(): void {
    for (const [alarmId, residentId] of this.unnamed) {
      if (!this.alarms.get(alarmId) && !this.alarms.opening.has(alarmId)) this.unnamed.delete(alarmId); // closed meanwhile
      else if (!this.stopped && this.o.directory.resident(residentId)) {
        this.unnamed.delete(alarmId);
        void this.decisions
          .mutate(alarmId, (a, now) => decide(a, { type: 'resident_found', newId: randomUUID }, this.situation({ residentId, alarmId, now }), now))
          .catch((err: unknown) => this.o.logger.warn({ err, alarmId, residentId }, 'alarm not given its resident; it goes on as an unassigned device'));
      }
    }
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
    const a = await this.decisions.mutate(alarmId, (x, now) => {
      const people = [...x.notified, x.acceptedBy, req.caregiverId, req.targetCaregiverId];
      // stamped when it reached us (not when a slow or absent database let it through)
      const at = req.receivedAt && req.receivedAt.getTime() < now.getTime() ? req.receivedAt : now;
      const d = decide(x, { type: 'act', request: req, newId: randomUUID }, this.situation({ residentId: x.residentId, alarmId: x.id, people, now: at }), at);
      refused = d.refused;
      return d;
    });
    if (!a) throw new NotFoundError('alarm', alarmId, 'alarm_not_found');
    if (refused?.kind === 'invalid') throw new ValidationError(refused.message, undefined, refused.reason as ErrorReason);
    if (refused) throw new ConflictError(refused.message, refused.details, `alarm_${refused.reason}` as ErrorReason);
    return a;
  }

  /**
   * An SMS to the Twilio number: "4711" or "4711 A" accepts the alarm with that code, from a
   * number its escalation texted or a caregiver on duty for its grid (see sms-replies.ts).
   */
  async smsReply(r: { from: string; text: string; messageSid: string | undefined }): Promise<SmsReplyOutcome> {
    return this.smsReplies.handle(r);
  }

  /** A deadline passed (or the step was exhausted early): next step, if the token still matches. */
  async escalate(alarmId: string, token: number, reason: EscalationReason): Promise<void> {
    await this.wrists.ready; // at start-up: the fleet's grace to reconnect first
    if (this.stopped) return;
    await this.decisions.mutate(alarmId, (a, now) => {
      const people = [...a.currentNotified, a.acceptedBy]; // the holder: asked at an overdue arrival
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

  /** Re-reads the active alarms (other instances' changes) and re-arms the open ones. */
  async reload(graceMs = 5_000): Promise<AlarmRecord[]> {
    const started = this.o.clock.now().getTime();
    const alarms = await listActiveAlarms(this.o.db, CENTRE_WIDE);
    this.alarms.reloaded(alarms, started, graceMs, (id) => this.writer.mustQueue(id));
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
        this.decisions.mutate(id, (x, at) => decide(x, { type: 'arrival_overdue', newId: randomUUID }, this.situation({ residentId: x.residentId, now: at }), at)).then(() => undefined),
    };
  }

  // ---- device supervision (supervision.ts) ---------------------------------------------

  /** A technical alarm for the trigger's device (offline, battery, outage), or a join of its active one. */
  raiseTechnical(t: Trigger): Promise<void> {
    const active = this.alarms.forResident(residentKey(t.residentId, t.deviceId, 'technical'));
    return active ? this.join(active.id, t, 'technical') : this.open(alarmIdFor(t.deviceId, t.eventId, t.fingerprint), t, 'technical');
  }

  wearerOnDuty(wearableId: string, now: Date): boolean | null {
    const c = this.o.directory.caregiverByWearable(wearableId);
    return c ? this.o.directory.isOnDuty(c.id, now) : null;
  }

  technicalAlarm(deviceId: string): AlarmRecord | undefined {
    return this.alarms.forResident(residentKey(null, deviceId, 'technical'));
  }

  /**
   * The cause went away (heard again, battery charged): resolved `restored`, `alarm.restored` on
   * its timeline; `close: false` only notes it (the alarm has other causes).
   */
  async restore(alarmId: string, detail: { reason: string; deviceId?: string }, close = true): Promise<void> {
    const request: ActionRequest = { action: 'resolve', actor: SYSTEM, outcome: 'restored', via: 'device', deviceId: detail.deviceId };
    await this.decisions.mutate(alarmId, (a, now) => {
      if (!isActive(a.status)) return undefined;
      if (!close) return restoredNote(a, detail, now, randomUUID);
      return asRestored(decide(a, { type: 'act', request, newId: randomUUID }, this.situation({ residentId: a.residentId, alarmId: a.id, now }), now), detail, now);
    });
  }

  /** Grids the last coverage sweep here saw uncovered, since when (a gap must last two sweeps). */
  private readonly uncoveredGrids = new Map<string, Date>();

  /** Coverage assurance (coverage.ts): a grid nobody covers within the hour gets a coverage.gap alarm. */
  checkCoverage(now = this.o.clock.now()): Promise<Record<string, number>> {
    return sweepCoverage(
      {
        db: this.o.db,
        directory: this.o.directory,
        policy: this.o.settings.policy,
        newReplyCode: () => this.alarms.newReplyCode(),
        newId: randomUUID,
        open: (t, made) => this.open(made.alarm.id, t, 'technical', made),
        restore: (id, reason) => this.decisions.mutate(id, (a, at) => restoreCoverage(a, reason, at, randomUUID)).then(() => undefined),
        uncovered: this.uncoveredGrids,
      },
      now,
    );
  }

  refreshDirectory(): Promise<void> {
    return this.o.directory.refresh(this.o.clock.now());
  }
}
