// Pure: when the console sounds and which pattern. No DOM or Web Audio types here (the tests
// run it in Node); lib/tone-player.ts plays what this decides.
import type { Alarm, ServerMsg } from '../types.ts';

/** The two sounds: an emergency must be told from an urgent call without looking up. */
export type Tone = 'emergency' | 'urgent';

/** One beep of a pattern: its start (ms from the pattern's start), length and pitch. */
export interface Beep {
  atMs: number;
  durMs: number;
  hz: number;
}

export interface TonePattern {
  /** An oscillator type (spelt out: OscillatorType is a DOM type). */
  wave: 'sine' | 'square' | 'triangle';
  /** Peak gain, 0..1: a square wave sounds far louder than a sine at the same gain. */
  gain: number;
  beeps: readonly Beep[];
}

const warble = (n: number): Beep[] => Array.from({ length: n }, (_, i) => [{ atMs: i * 480, durMs: 200, hz: 1046 }, { atMs: i * 480 + 240, durMs: 200, hz: 784 }]).flat();

/**
 * Emergency: a fast high-low warble three times over, like a siren (~1.4 s, hard to ignore).
 * Urgent: two calm beeps of one pitch (~0.5 s): noticed, not alarming.
 */
export const PATTERNS: Readonly<Record<Tone, TonePattern>> = {
  emergency: { wave: 'square', gain: 0.18, beeps: warble(3) },
  urgent: {
    wave: 'sine',
    gain: 0.4,
    beeps: [
      { atMs: 0, durMs: 180, hz: 880 },
      { atMs: 320, durMs: 180, hz: 880 },
    ],
  },
};

/** How long a pattern lasts, ms. */
export const patternMs = (p: TonePattern): number => Math.max(0, ...p.beeps.map((b) => b.atMs + b.durMs));

/** An emergency nobody has accepted sounds again this often, until someone does. */
export const REPEAT_MS = 10_000;
/**
 * Alerts closer together than this are one sound (a burst of alarms is not a cacophony),
 * unless the later one is the graver: an emergency is never swallowed by an urgent beep.
 */
export const MERGE_MS = 2_000;

const RANK: Record<Tone, number> = { urgent: 1, emergency: 2 };

/** The graver of two tones (either may be none). */
export function graver(a: Tone | null, b: Tone | null): Tone | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[b] > RANK[a] ? b : a;
}

const toneOf = (a: Pick<Alarm, 'priority' | 'status'>): Tone | null => (a.status !== 'open' ? null : a.priority === 'emergency' ? 'emergency' : a.priority === 'urgent' ? 'urgent' : null);

/** What the board held before a message: only whether it was synced and its alarms matter. */
export interface BoardBefore {
  synced: boolean;
  alarms: ReadonlyMap<string, Pick<Alarm, 'priority' | 'status'>>;
}

/**
 * The tone one stream message calls for, judged against the board as it was before it:
 * - `alarm.raised` of an open emergency or urgent alarm the board did not have yet;
 * - `alarm.updated` that raises an open alarm the board had to emergency;
 * - a resync snapshot (not the first of a login) bringing open emergency or urgent alarms
 *   raised while the stream was down (they never came as `alarm.raised`).
 */
export function toneForMessage(msg: ServerMsg, before: BoardBefore): Tone | null {
  switch (msg.type) {
    case 'alarm.raised':
      // the same alarm again (a message repeated after a resync) was already announced
      return before.alarms.has(msg.data.id) ? null : toneOf(msg.data);
    case 'alarm.updated': {
      const prev = before.alarms.get(msg.data.id);
      return prev && prev.priority !== 'emergency' && toneOf(msg.data) === 'emergency' ? 'emergency' : null;
    }
    case 'snapshot':
      if (!before.synced) return null;
      return msg.data.alarms.filter((a) => !before.alarms.has(a.id)).reduce<Tone | null>((t, a) => graver(t, toneOf(a)), null);
    default:
      return null;
  }
}

/** Whether an emergency is open and unaccepted: the reminder repeats while one is. */
export function emergencyWaiting(alarms: Iterable<Pick<Alarm, 'priority' | 'status'>>): boolean {
  for (const a of alarms) if (toneOf(a) === 'emergency') return true;
  return false;
}

export interface SoundInput {
  /** The operator turned the sound off. */
  muted: boolean;
  /** The audio can play now (a browser holds it back until the page was clicked). */
  ready: boolean;
  /** What the messages since the last decision called for. */
  heard: Tone | null;
  emergencyWaiting: boolean;
  nowMs: number;
  /** The last pattern actually played. */
  last: { tone: Tone; atMs: number } | null;
}

/**
 * The pattern to play now, or null. A new alert plays at once (merged with one just played
 * unless it is graver); otherwise an open, unaccepted emergency is sounded again every
 * REPEAT_MS. Nothing is decided while muted or while the audio cannot play: what could not be
 * heard is not counted as played, so the reminder sounds as soon as the audio can.
 */
export function soundNow(i: SoundInput): Tone | null {
  if (i.muted || !i.ready) return null;
  const { last } = i;
  if (i.heard && (last === null || i.nowMs - last.atMs >= MERGE_MS || RANK[i.heard] > RANK[last.tone])) return i.heard;
  if (i.emergencyWaiting && (last === null || i.nowMs - last.atMs >= REPEAT_MS)) return 'emergency';
  return null;
}
