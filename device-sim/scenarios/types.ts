import type { ApiClient } from '../api-client.ts';
import type { ScenarioHome, HomeSpec } from './home.ts';
import type { AlarmWatcher } from './watch.ts';
import type { HomeDevice, ScriptedWrist, WristPlan } from './actors.ts';

/** One situation the simulator plays on demand (`npm run sim -- --scenario <name>`). */
export interface Scenario {
  name: string;
  /** One line for `--list` and the README. */
  shows: string;
  /** The rule it exercises and the setting that governs it. */
  rule: string;
  /** Longest it may take before it counts as failed, in seconds (under a minute). */
  limitS: number;
  /** What to build: the resident's devices, the caregivers on duty, the resident's settings. */
  home: HomeSpec;
  /** Plays the situation and waits for its expected outcome (throws ScenarioFailure if it is not seen). */
  play(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioContext {
  api: ApiClient;
  home: ScenarioHome;
  watch: AlarmWatcher;
  /** A resident device by kind, connected over MQTT. */
  device(kind: string): HomeDevice;
  /** The caregivers' wrists in order, connected and answering as their plan says. */
  wrists: ScriptedWrist[];
  setPlan(wrist: number, plan: WristPlan): void;
  /** A line of the scenario's own narration on the timeline. */
  say(line: string): void;
  /** Resolves after `ms` (the scenario's pauses: a resident getting up, a sensor's delay). */
  pause(ms: number): Promise<void>;
  /** The service's local time of day (its TZ) at the start, for rules that depend on night and day. */
  serviceTime: { hour: number; minute: number };
  /**
   * Sets the resident's own settings (PATCH /api/residents/:id); false when this service has no
   * per-resident settings. Answers the effective settings on success.
   */
  trySettings(settings: Record<string, unknown>): Promise<Record<string, unknown> | false>;
  /** Ends the scenario as failed with what was expected and not seen. */
  fail(missing: string): never;
}

export { ScenarioFailure } from './scenario-failure.ts';
