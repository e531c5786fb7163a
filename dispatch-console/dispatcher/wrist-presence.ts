import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { StatusChange } from '../../contract/received.ts';
import { stepUnheard, type EscalationReason } from '../core/decide.ts';
import type { ActiveAlarms } from './active-alarms.ts';
import type { DispatchDirectory } from './directory.ts';
import { ReconnectGrace } from './reconnect-grace.ts';

export interface WristPresenceOptions {
  clock: Clock;
  logger: Logger;
  directory: DispatchDirectory;
  alarms: ActiveAlarms;
  settings: { startupGraceMs: number; wristLostAfterS: number };
  escalate(alarmId: string, token: number, reason: EscalationReason): Promise<void>;
  stopped(): boolean;
}

/**
 * What escalation needs to know of wrists coming and going: at start-up, a grace for the ones
 * that were online to come back before an overdue step runs (ReconnectGrace); afterwards, a
 * step whose every asked wrist went away and stayed away moves on (stepUnheard).
 */
export class WristPresence {
  private grace: ReconnectGrace | undefined;

  constructor(private readonly o: WristPresenceOptions) {}

  /** Steps wait on this (resolved unless a start-up grace runs). */
  get ready(): Promise<void> {
    return this.grace?.ready ?? Promise.resolve();
  }

  /** The wrists that were online before this start: steps wait for them (see `listening`). */
  expect(reconnecting: readonly string[]): void {
    if (reconnecting.length > 0) this.grace = new ReconnectGrace(reconnecting, this.o.clock, this.o.logger, this.o.settings.startupGraceMs);
  }

  /** The broker listens: the grace runs from now. */
  listening(): void {
    this.grace?.begin();
  }

  /** A device's presence changed (already told to the consoles). */
  changed(s: StatusChange): void {
    const dir = this.o.directory;
    if (s.online) this.grace?.online(s.deviceId);
    if (!dir.setWearableOnline(s.deviceId, s.online)) return;
    dir.announce().catch((err: unknown) => this.o.logger.warn({ err }, 'wearable presence not announced'));
    if (!s.online) this.watchLost(s.deviceId);
  }

  /**
   * A wrist went offline (its owner's phone lost coverage, or the broker dropped it for not
   * reading): if it stays gone past WRIST_LOST_AFTER_S, every open step that now reaches nobody
   * moves on (the next one texts whoever is offline).
   */
  private watchLost(wearableId: string): void {
    const dir = this.o.directory;
    const caregiver = dir.caregiverByWearable(wearableId);
    if (!caregiver || !this.o.alarms.someOpenFor(caregiver.id)) return;
    const at = new Date(this.o.clock.now().getTime() + this.o.settings.wristLostAfterS * 1000);
    this.o.clock.setTimer(at, () => {
      if (this.o.stopped() || dir.isWearableOnline(wearableId)) return;
      const wristOnline = (id: string) => {
        const w = dir.caregiver(id)?.wearableId;
        return w ? dir.isWearableOnline(w) : undefined;
      };
      for (const a of this.o.alarms.openFor(caregiver.id)) {
        if (!stepUnheard(a, wristOnline)) continue;
        this.o.logger.warn({ alarmId: a.id, wearableId, step: a.step }, 'every wrist this step asked is gone; moving on now');
        void this.o.escalate(a.id, a.token, 'wearable_lost');
      }
    });
  }
}
