import { randomInt } from 'node:crypto';
import { isActive, type AlarmLane } from '../../contract/alarms.ts';
import type { AlarmRecord } from '../../db/queries/alarms.ts';
import type { Clock } from '../../common/clock.ts';
import type { DeadlineTimers } from './deadline-timers.ts';

/**
 * Grouping key: one active care alarm per resident (a device without a resident counts alone);
 * technical alarms per device (its battery and faults are one alarm, another device's are its own).
 */
export const residentKey = (residentId: string | null, deviceId: string, lane: AlarmLane) =>
  `${lane === 'technical' || residentId === null ? `device:${deviceId}` : residentId}|${lane}`;
const keyOf = (a: AlarmRecord) => residentKey(a.residentId, a.deviceId, a.lane);

/**
 * This instance's view of the active alarms, as last committed (or being committed) here or
 * read back from the database: what the fast path groups by, and whose deadlines are armed.
 */
export class ActiveAlarms {
  private readonly byId = new Map<string, AlarmRecord>();
  private readonly byResident = new Map<string, string>();
  /** When this instance last changed each alarm (a periodic reload must not undo it). */
  private readonly touched = new Map<string, number>();
  /** First writes of alarms opened on the fast path; everything else about them waits for these. */
  readonly opening = new Map<string, Promise<unknown>>();
  /** Numbers (digits) each alarm texted from here: who may answer its code while the database is away. */
  private readonly textedTo = new Map<string, Set<string>>();

  constructor(
    private readonly timers: DeadlineTimers,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): AlarmRecord | undefined {
    return this.byId.get(id);
  }

  /** Open alarms whose current step is waiting for this caregiver's answer. */
  pendingFor(caregiverId: string, exceptAlarmId?: string): number {
    let n = 0;
    for (const a of this.byId.values()) if (a.status === 'open' && a.id !== exceptAlarmId && a.currentNotified.includes(caregiverId)) n++;
    return n;
  }

  /** The active alarm with this SMS reply code. */
  byReplyCode(code: string): AlarmRecord | undefined {
    for (const a of this.byId.values()) if (a.replyCode === code) return a;
    return undefined;
  }

  /** A number (digits) this alarm's escalation texted, from this instance. */
  noteTexted(alarmId: string, digits: string): void {
    let set = this.textedTo.get(alarmId);
    if (!set) this.textedTo.set(alarmId, (set = new Set()));
    set.add(digits);
  }

  texted(alarmId: string, digits: string): boolean {
    return this.textedTo.get(alarmId)?.has(digits) ?? false;
  }

  /** Open alarms whose current step asked this caregiver. */
  openFor(caregiverId: string): AlarmRecord[] {
    return [...this.byId.values()].filter((a) => a.status === 'open' && a.currentNotified.includes(caregiverId));
  }

  someOpenFor(caregiverId: string): boolean {
    return this.pendingFor(caregiverId) > 0;
  }

  forResident(key: string): AlarmRecord | undefined {
    const id = this.byResident.get(key);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** Remembers a committed state; an open alarm's deadline is (re-)armed unless `arm` is false. */
  track(a: AlarmRecord, o: { local?: boolean; arm?: boolean } = {}): void {
    if (o.local !== false) this.touched.set(a.id, this.clock.now().getTime());
    if (!isActive(a.status)) return this.untrack(a);
    // its resident became known (resident-found.ts): the device's own key no longer groups it
    const before = this.byId.get(a.id);
    if (before && keyOf(before) !== keyOf(a) && this.byResident.get(keyOf(before)) === a.id) this.byResident.delete(keyOf(before));
    this.byId.set(a.id, a);
    this.byResident.set(keyOf(a), a.id);
    // open: the step's deadline; accepted: the arrival's (arrival-rules.ts)
    if (a.status !== 'open' && a.status !== 'accepted') this.timers.clear(a.id);
    else if (o.arm !== false) this.timers.arm(a.id, a.token, a.deadline);
  }

  /** This instance just wrote the alarm (a decision made while the database was away landed). */
  touch(id: string): void {
    if (this.byId.has(id)) this.touched.set(id, this.clock.now().getTime());
  }

  untrack(a: AlarmRecord): void {
    this.byId.delete(a.id);
    this.textedTo.delete(a.id);
    this.touched.delete(a.id);
    if (this.byResident.get(keyOf(a)) === a.id) this.byResident.delete(keyOf(a));
    this.timers.clear(a.id);
  }

  /**
   * Takes in a fresh read of every active alarm (other instances' changes). What this instance
   * changed since the read began is newer than the read, and stays; a deadline long past is the
   * watchdog's to serve (and to record), not a re-armed timer's.
   */
  reloaded(alarms: readonly AlarmRecord[], readStartedAt: number, graceMs: number, writesPending: (id: string) => boolean = () => false): void {
    // decided here while the database was away and not written yet: this instance knows better
    const settled = (id: string) => !this.opening.has(id) && !writesPending(id) && (this.touched.get(id) ?? 0) < readStartedAt;
    const ids = new Set(alarms.map((a) => a.id));
    for (const a of [...this.byId.values()]) if (!ids.has(a.id) && settled(a.id)) this.untrack(a);
    for (const a of alarms) {
      if (!settled(a.id)) continue;
      const missed = a.deadline !== null && readStartedAt - a.deadline.getTime() > graceMs;
      this.track(a, { local: false, arm: !missed });
    }
  }

  /**
   * An SMS reply code no other active alarm here uses (the database index has the last word):
   * 4 digits, or 6 when thousands of alarms are active at once.
   */
  newReplyCode(): string {
    const taken = new Set([...this.byId.values()].map((a) => a.replyCode));
    for (let i = 0; ; i++) {
      const code = String(i < 50 ? randomInt(1000, 10_000) : randomInt(100_000, 1_000_000));
      if (!taken.has(code)) return code;
    }
  }
}
