import { PATTERNS, type Tone } from './alarm-sound.ts';

/**
 * - idle: no context yet; starting: asked to start, no answer yet; running: it can be heard;
 * - suspended: the browser holds it back (no click on the page yet) or the system paused it;
 * - unsupported: no Web Audio at all.
 */
export type AudioState = 'idle' | 'starting' | 'running' | 'suspended' | 'unsupported';

// Chromium leaves resume() pending, not rejected, while the page may not play sound yet
const START_TIMEOUT_MS = 1_000;
// each beep fades in and out over this long: a hard edge clicks
const RAMP_S = 0.01;

/**
 * The alarm tones, synthesised with the Web Audio API (no audio files: nothing to fetch, no
 * network). One AudioContext for the page; browsers let it run only after a user gesture.
 */
export class TonePlayer {
  private ctx: AudioContext | undefined;
  private playing: { tone: Tone; out: GainNode; oscillators: OscillatorNode[] } | undefined;
  private startTimer: number | undefined;

  constructor(private readonly onState: (s: AudioState) => void) {}

  /**
   * Creates the context, or resumes it. From a click or key press this is what browsers allow;
   * without one it still starts where the autoplay policy lets it (a kiosk's flag), and
   * otherwise stays suspended, which onState reports.
   */
  start(): void {
    if (typeof AudioContext === 'undefined') {
      this.onState('unsupported');
      return;
    }
    if (!this.ctx) {
      try {
        this.ctx = new AudioContext();
      } catch {
        this.onState('unsupported');
        return;
      }
      this.ctx.onstatechange = () => this.report();
    }
    if (this.ctx.state === 'running') {
      this.report();
      return;
    }
    this.onState('starting');
    this.ctx.resume().then(
      () => this.report(),
      () => this.report(),
    );
    window.clearTimeout(this.startTimer);
    this.startTimer = window.setTimeout(() => this.report(), START_TIMEOUT_MS);
  }

  get running(): boolean {
    return this.ctx?.state === 'running';
  }

  /** Plays a pattern (stopping one still playing); false when it cannot be heard now. */
  play(tone: Tone): boolean {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return false;
    this.stop();
    const p = PATTERNS[tone];
    const out = ctx.createGain();
    out.connect(ctx.destination);
    const t0 = ctx.currentTime + 0.02;
    const oscillators = p.beeps.map((b) => {
      const from = t0 + b.atMs / 1000;
      const to = from + b.durMs / 1000;
      const env = ctx.createGain();
      env.gain.setValueAtTime(0, from);
      env.gain.linearRampToValueAtTime(p.gain, from + RAMP_S);
      env.gain.setValueAtTime(p.gain, to - RAMP_S);
      env.gain.linearRampToValueAtTime(0, to);
      env.connect(out);
      const osc = ctx.createOscillator();
      osc.type = p.wave;
      osc.frequency.value = b.hz;
      osc.connect(env);
      osc.start(from);
      osc.stop(to);
      return osc;
    });
    const playing = { tone, out, oscillators };
    this.playing = playing;
    oscillators.at(-1)?.addEventListener('ended', () => {
      if (this.playing === playing) this.stop();
    });
    return true;
  }

  /** Silences the pattern playing now (only if it is `tone`, when given). */
  stop(tone?: Tone): void {
    const playing = this.playing;
    if (!playing || (tone !== undefined && playing.tone !== tone)) return;
    this.playing = undefined;
    for (const osc of playing.oscillators) {
      try {
        osc.stop();
      } catch {
        // not started yet on some engines: disconnecting below silences it all the same
      }
    }
    playing.out.disconnect();
  }

  private report(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (ctx.state === 'running') window.clearTimeout(this.startTimer);
    this.onState(ctx.state === 'running' ? 'running' : 'suspended');
  }
}
