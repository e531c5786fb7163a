import type { EventType } from '../../contract/device-messages.ts';
import type { LocalClock } from './absence-rules.ts';
import { EVENT_RULES } from './alarm-rules.ts';

/**
 * The weekly button test (JGJ/T 484: alarm buttons are tested weekly). Pure: facts and the
 * clock in, decisions out. A press counts as much as a test: either proves the button works.
 */
export const BUTTON_KINDS = ['pendant', 'button', 'pull_cord'] as const;
export const TEST_PERIOD_DAYS = 7;
/** The local time reminders go out (once a day): mid-morning, when the resident is up. */
export const REMINDER_AT = { hour: 10, minute: 0 };

const DAY = 86_400_000;

/**
 * `"data":{"test":true}` on an event that would open an alarm: a test. It opens nothing; it is
 * recorded and confirmed to the device (`test.ok`).
 */
export function isTestEvent(type: EventType, data: Record<string, unknown>): boolean {
  return data.test === true && 'opens' in EVENT_RULES[type];
}

/** One resident's buttons and when one was last pressed or tested. */
export interface ButtonFacts {
  residentId: string;
  /** Their buttons (pendant, button, pull cord), for the reminder. */
  deviceIds: string[];
  /** When the first of their buttons was registered: a new button is not overdue at once. */
  installedAt: Date;
  lastPressAt: Date | null;
  lastTestAt: Date | null;
  /** Away now (hospital, family: their settings): not reminded, though still listed. */
  away?: boolean | undefined;
}

/** The latest press or test (null: neither within the lookback). */
export function lastButtonTest(f: Pick<ButtonFacts, 'lastPressAt' | 'lastTestAt'>): Date | null {
  const t = Math.max(f.lastPressAt?.getTime() ?? -Infinity, f.lastTestAt?.getTime() ?? -Infinity);
  return Number.isFinite(t) ? new Date(t) : null;
}

/** Untested: no press or test for TEST_PERIOD_DAYS (exactly 7 days counts), counted from installation at the latest. */
export function isUntested(f: ButtonFacts, now: Date, periodDays = TEST_PERIOD_DAYS): boolean {
  if (f.deviceIds.length === 0) return false;
  const since = Math.max(lastButtonTest(f)?.getTime() ?? -Infinity, f.installedAt.getTime());
  return now.getTime() - since >= periodDays * DAY;
}

export interface TestReminder {
  residentId: string;
  deviceId: string;
  /** Once per device and local day, whichever instance sweeps. */
  key: string;
}

/** The reminders due now: untested residents' buttons, from REMINDER_AT local time, once a day. */
export function buttonTestReminders(facts: readonly ButtonFacts[], clock: LocalClock, at = REMINDER_AT): TestReminder[] {
  if (clock.hour * 60 + clock.minute < at.hour * 60 + at.minute) return [];
  return facts
    .filter((f) => !f.away && isUntested(f, clock.now))
    .flatMap((f) => f.deviceIds.map((deviceId) => ({ residentId: f.residentId, deviceId, key: `buttontest:${deviceId}:${clock.day}` })));
}
