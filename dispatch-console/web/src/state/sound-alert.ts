import { emergencyWaiting, graver, soundNow, toneForMessage, type Tone } from '../lib/alarm-sound.ts';
import { TonePlayer, type AudioState } from '../lib/tone-player.ts';
import { board, onStreamMessage } from './live-board.ts';
import { Store } from './store.ts';

export interface SoundState {
  /** The operator's choice (the header's toggle), kept in localStorage; on by default. */
  on: boolean;
  audio: AudioState;
  /** The last pattern played, for the toggle's data-last-tone (tests, support). */
  lastTone: Tone | null;
}

// localStorage, unlike the session: muting is the control room's choice for this screen
const KEY = 'console.sound';
// how often the reminder is considered; REPEAT_MS is what spaces the sounds
const TICK_MS = 1_000;

function readOn(): boolean {
  try {
    return window.localStorage.getItem(KEY) !== 'off';
  } catch {
    return true;
  }
}

export const sound = new Store<SoundState>({ on: readOn(), audio: 'idle', lastTone: null });

const player = new TonePlayer((audio) => sound.update((s) => (s.audio === audio ? s : { ...s, audio })));

export function setSoundOn(on: boolean): void {
  try {
    window.localStorage.setItem(KEY, on ? 'on' : 'off');
  } catch {
    // storage refused: the choice lasts as long as the page
  }
  sound.update((s) => ({ ...s, on }));
  if (on) player.start();
  else player.stop();
}

/** Starts the audio from a click: the hint's own action (its click would do it anyway). */
export const enableAudio = (): void => player.start();

/**
 * Browsers let audio start only from a user gesture: every click or key press on the page
 * (the login click first of all) starts the AudioContext until it runs. Installed once.
 */
export function installAudioUnlock(): void {
  const unlock = () => {
    if (!player.running) player.start();
  };
  document.addEventListener('pointerdown', unlock, true);
  document.addEventListener('keydown', unlock, true);
}

/**
 * Sounds new emergency and urgent alarms from the stream, and repeats the emergency pattern
 * while one is open and unaccepted (lib/alarm-sound.ts decides). For one login; answers how
 * to stop.
 */
export function startAlarmSound(): () => void {
  let heard: Tone | null = null;
  let last: { tone: Tone; atMs: number } | null = null;

  const decide = () => {
    const s = sound.get();
    const nowMs = Date.now();
    const tone = soundNow({ muted: !s.on, ready: player.running, heard, emergencyWaiting: emergencyWaiting(board.get().alarms.values()), nowMs, last });
    heard = null;
    if (tone && player.play(tone)) {
      last = { tone, atMs: nowMs };
      sound.update((st) => ({ ...st, lastTone: tone }));
    }
  };
  const offMessages = onStreamMessage((msg, before) => {
    const tone = toneForMessage(msg, before);
    if (tone === null) return;
    heard = graver(heard, tone);
    decide();
  });
  // the last emergency accepted (or closed): the siren stops mid-pattern, not after it
  const offBoard = board.subscribe(() => {
    if (!emergencyWaiting(board.get().alarms.values())) player.stop('emergency');
  });
  const timer = window.setInterval(decide, TICK_MS);
  // where the browser allows it without a click (a page reloaded on a kiosk); else the hint shows
  if (sound.get().on) player.start();
  return () => {
    offMessages();
    offBoard();
    window.clearInterval(timer);
    player.stop();
  };
}
