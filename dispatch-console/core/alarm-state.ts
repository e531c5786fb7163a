import type { Actor, AlarmKind, AlarmWithdrawal, Priority, TimelineCode } from '../../contract/alarms.ts';
import type { DeviceCommand, ServiceKind } from '../../contract/device-messages.ts';
import type { AlarmRecord, NotificationRecord } from '../../contract/alarm-record.ts';
import type { ArrivalCheck } from '../../contract/device-messages.ts';
import type { NewTimelineEntry, TimelineEntry as TimelineRow } from '../../contract/timeline.ts';

/** What a writer hands over as the detail of a row with this code. */
type DetailOf<C extends TimelineCode> = Extract<NewTimelineEntry, { code: C }>['detail'];
import { laneOf } from './alarm-rules.ts';
import { alarmPolicySchema, type AlarmPolicy } from '../../contract/escalation-policy.ts';
import type { EscalationState, Notice, StepResult } from './escalation.ts';

/** The cursor as stored on the alarm row. */
export const stateOf = (a: AlarmRecord): EscalationState => ({
  step: a.step,
  token: a.token,
  deadline: a.deadline,
  notified: a.notified,
  current: a.currentNotified,
  declined: a.declined,
});

export const withState = (a: AlarmRecord, s: EscalationState, stepKind = a.stepKind): AlarmRecord => ({
  ...a,
  step: s.step,
  token: s.token,
  deadline: s.deadline,
  notified: s.notified,
  currentNotified: s.current,
  declined: s.declined,
  stepKind,
});

export const policyOf = (a: AlarmRecord): AlarmPolicy => alarmPolicySchema.parse(a.policy);

export interface NewAlarm {
  id: string;
  deviceId: string;
  kind: AlarmKind;
  priority: Priority;
  raisedAt: Date;
  /** Undefined: a device nobody is assigned to (it still reaches a person, via the console). */
  resident: { id: string; name: string; areaId: string; address: string | null; notes: string | null; accessInfo?: string | null | undefined; phone: string | null; grid: string | null } | undefined;
  policy: AlarmPolicy;
  replyCode: string;
  /** A service order's service kind. */
  service?: ServiceKind | null | undefined;
}

/** A just-raised alarm, before its first step. */
export function newAlarm(n: NewAlarm): AlarmRecord {
  const r = n.resident;
  return {
    id: n.id,
    residentId: r?.id ?? null,
    deviceId: n.deviceId,
    areaId: r?.areaId ?? null,
    lane: laneOf(n.priority),
    kind: n.kind,
    priority: n.priority,
    status: 'open',
    raisedAt: n.raisedAt,
    acceptedAt: null,
    acceptedBy: null,
    acceptedByName: null,
    arrivedAt: null,
    closedAt: null,
    outcome: null,
    resident: {
      id: r?.id ?? null,
      name: r?.name ?? `unassigned device ${n.deviceId}`,
      address: r?.address ?? null,
      grid: r?.grid ?? null,
      notes: r?.notes ?? null,
      accessInfo: r?.accessInfo ?? null,
      phone: r?.phone ?? null,
    },
    policy: n.policy,
    acceptLimitS: n.policy.acceptLimitS,
    arriveLimitS: n.policy.arriveLimitS,
    step: 0,
    stepKind: null,
    deadline: null,
    token: 0,
    notified: [],
    currentNotified: [],
    declined: [],
    replyCode: n.replyCode,
    eventCount: 1,
    lastEventAt: n.raisedAt,
    arrivalOverdue: false,
    ...(n.service && { service: n.service }),
  };
}

export const SYSTEM: Actor = { kind: 'system' };

export interface PlannedNotice {
  notice: Notice;
  notification: NotificationRecord;
}

/**
 * Everything one change of an alarm leads to once committed: what to send, whom to tell to
 * stop, what the resident's device hears. Collected inside the transaction, acted on after.
 */
export class Effects {
  readonly timeline: NewTimelineEntry[] = [];
  readonly notices: PlannedNotice[] = [];
  readonly withdrawals: Array<{ wearableId: string; message: AlarmWithdrawal }> = [];
  readonly commands: Array<{ deviceId: string; command: DeviceCommand }> = [];
  /** Messages to a caregiver's wrist other than alerts and withdrawals (arrival-rules.ts). */
  readonly wristMessages: Array<{ wearableId: string; message: ArrivalCheck }> = [];
  readonly busy: Array<{ caregiverId: string; delta: number }> = [];
  /** The timeline rows as stored (with their ids), once committed. */
  recorded: TimelineRow[] = [];

  private readonly initial: AlarmRecord;

  /** `newId`: ids for the notifications planned here (they come in with the command). */
  constructor(
    public alarm: AlarmRecord,
    private readonly newId: () => string,
  ) {
    this.initial = alarm;
  }

  /** Something was committed: the alarm row or its timeline. */
  get changed(): boolean {
    return this.alarm !== this.initial || this.recorded.length > 0;
  }

  /** One timeline row, its detail typed by its code (contract/timeline.ts). */
  log<C extends TimelineCode>(code: C, actor: Actor, at: Date, detail: DetailOf<C>): void {
    // (TypeScript cannot relate a generic code to its member of the union: the signature holds it)
    this.timeline.push({ alarmId: this.alarm.id, code, actor, at, detail } as NewTimelineEntry);
  }

  /**
   * Records a step in the timeline and plans its notices. `started: false` for a reassignment:
   * its own `alarm.reassigned` row says who and until when; a "step N started" row naming the
   * policy's step kind (say, the operator console) would misread as a second escalation.
   */
  step(r: StepResult, at: Date, body: (n: Notice) => string | null, opts: { started?: boolean } = {}): void {
    for (const s of r.skipped) this.log('step.skipped', SYSTEM, at, { step: s.step, kind: s.kind, reason: s.reason });
    if (opts.started !== false) this.log('step.started', SYSTEM, at, { step: r.step, kind: r.kind, repeated: r.repeated, deadline: r.state.deadline?.toISOString() });
    for (const notice of r.notices) {
      const notification: NotificationRecord = {
        id: this.newId(),
        alarmId: this.alarm.id,
        step: r.step,
        channel: notice.channel,
        audience: notice.channel === 'console' ? 'operator' : notice.audience,
        caregiverId: notice.channel === 'console' ? null : (notice.caregiverId ?? null),
        recipientName: notice.channel === 'console' ? 'operators' : notice.name,
        target: notice.channel === 'wearable' ? notice.wearableId : notice.channel === 'sms' ? notice.phone : null,
        body: body(notice),
        status: notice.channel === 'sms' ? 'pending' : 'sent',
        providerSid: null,
        attempts: 0,
        error: null,
        createdAt: at,
      };
      this.notices.push({ notice, notification });
      const detail = { notificationId: notification.id, channel: notification.channel, to: notification.recipientName, target: notification.target, step: r.step };
      this.log(notice.channel === 'console' ? 'console.called' : 'notification.sent', SYSTEM, at, detail);
    }
  }

  /** Tells every alerted wrist except `except`'s to stop. */
  withdrawFrom(wearables: ReadonlyArray<{ caregiverId: string; wearableId: string | null }>, message: AlarmWithdrawal, except?: string | null): void {
    for (const w of wearables) if (w.wearableId && w.caregiverId !== except) this.withdrawals.push({ wearableId: w.wearableId, message });
  }
}
