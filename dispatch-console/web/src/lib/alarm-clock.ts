import type { Alarm } from '../types.ts';
import { toMs } from './duration.ts';

export type ClockLevel = 'ok' | 'amber' | 'red';
export interface ClockReading {
  state: 'running' | 'stopped';
  level: ClockLevel;
  seconds: number;
  limitS: number;
}

// The centre's rule of thumb: warn once three quarters of the limit are gone.
const AMBER_SHARE = 0.75;

function level(seconds: number, limitS: number, late: boolean): ClockLevel {
  if (late) return 'red';
  return seconds >= limitS * AMBER_SHARE ? 'amber' : 'ok';
}

/**
 * The accept clock: runs from raisedAt while the alarm is open (amber from 75 % of the accept
 * limit, red past acceptBy), then stops at the time it took to accept.
 * `nowMs` is the server's time (local clock corrected by the skew).
 */
export function acceptClock(a: Alarm, nowMs: number): ClockReading {
  const raised = toMs(a.raisedAt);
  const limitS = a.acceptLimitS;
  if (a.status === 'open') {
    const seconds = Math.max(0, (nowMs - raised) / 1000);
    // red by acceptBy, the server's deadline, which is what escalation follows
    return { state: 'running', level: level(seconds, limitS, nowMs >= toMs(a.acceptBy)), seconds, limitS };
  }
  // accepted, or skipped straight to on_site / closed: frozen at the first answer
  const answeredAt = a.acceptedAt ?? a.arrivedAt ?? a.closedAt;
  const seconds = a.timeToAcceptS ?? (answeredAt ? Math.max(0, (toMs(answeredAt) - raised) / 1000) : 0);
  return { state: 'stopped', level: level(seconds, limitS, seconds > limitS), seconds, limitS };
}

/**
 * The arrive clock, once someone accepted: "on the way" runs from the accept that stands now
 * (acceptedAt: a reassignment clears it and the next accept sets it again) until on_site,
 * against arriveLimitS (the server's arrival watch counts from the accept too). An alarm
 * marked on site without an accept counts from when it was raised.
 */
export function arriveClock(a: Alarm, nowMs: number): ClockReading | undefined {
  if (a.status === 'open' || a.status === 'cancelled') return undefined;
  const from = toMs(a.acceptedAt ?? a.raisedAt);
  const limitS = a.arriveLimitS;
  if (a.status === 'accepted') {
    const seconds = Math.max(0, (nowMs - from) / 1000);
    return { state: 'running', level: level(seconds, limitS, a.arrivalOverdue || seconds >= limitS), seconds, limitS };
  }
  if (!a.arrivedAt) return undefined;
  const seconds = Math.max(0, (toMs(a.arrivedAt) - from) / 1000);
  return { state: 'stopped', level: level(seconds, limitS, seconds > limitS), seconds, limitS };
}

/** Which caption a clock wears: none of them reads as a countdown. */
export type ClockCaption = 'clock.waiting' | 'clock.acceptedIn' | 'clock.onTheWay' | 'clock.arrivedIn';

export function clockCaption(which: 'accept' | 'arrive', r: ClockReading): ClockCaption {
  if (which === 'accept') return r.state === 'running' ? 'clock.waiting' : 'clock.acceptedIn';
  return r.state === 'running' ? 'clock.onTheWay' : 'clock.arrivedIn';
}
