import { serviceInfoSchema } from '../../contract/service-info.ts';
import { ApiClient, ApiError } from '../api-client.ts';
import { deviceMqttUrl } from '../run.ts';
import { SimError } from '../types.ts';
import { HomeDevice, ScriptedWrist, type WristPlan } from './actors.ts';
import { buildHome, type ScenarioHome } from './home.ts';
import { Story } from './story.ts';
import { SCENARIOS, scenarioNames } from './index.ts';
import { ScenarioFailure, type Scenario, type ScenarioContext } from './types.ts';
import { AlarmWatcher } from './watch.ts';

export interface ScenarioRunOptions {
  httpUrl: string;
  username: string;
  password: string;
  /** Default: where the service says its devices connect (GET /api/service). */
  mqttUrl?: string | undefined;
  name: string;
  /** Where the readable timeline goes, a line at a time. */
  out: (line: string) => void;
}

export interface ScenarioResult {
  ok: boolean;
  /** What was seen (ok) or what was missing. */
  message: string;
  seconds: number;
  home?: ScenarioHome;
}

const ACTIVE = new Set(['open', 'accepted', 'on_site']);

export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new SimError(`unknown scenario "${name}"; the scenarios are: ${scenarioNames().join(', ')}`);
  return s;
}

/** The local time of day at the service (its time zone): night rules depend on it. */
export function timeIn(timeZone: string, at: Date): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: 'numeric', hourCycle: 'h23', timeZone }).formatToParts(at);
  const part = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { hour: part('hour') % 24, minute: part('minute') };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Plays one scenario against a running service: builds its own fresh home through the API,
 * connects the devices and wrists over MQTT, plays the situation and watches the alarms until
 * the expected outcome is seen or the scenario's time limit passes. Never throws for a
 * scenario that fails: the result says what was missing.
 */
export async function runScenario(o: ScenarioRunOptions): Promise<ScenarioResult> {
  const scenario = findScenario(o.name);
  const started = Date.now();
  const api = new ApiClient(o.httpUrl);
  await login(api, o.username, o.password);
  const info = serviceInfoSchema.safeParse(await api.get('/api/service'));
  if (!info.success) throw new SimError(`GET /api/service at ${o.httpUrl} answered an unexpected shape`);
  const mqttUrl = o.mqttUrl ?? deviceMqttUrl(info.data, o.httpUrl);
  const serviceTime = timeIn(info.data.timeZone, new Date());

  o.out(`scenario ${scenario.name}: ${scenario.shows}`);
  o.out(`  rule: ${scenario.rule}; limit ${scenario.limitS} s; service at ${o.httpUrl}, devices at ${mqttUrl}, ${pad(serviceTime.hour)}:${pad(serviceTime.minute)} in ${info.data.timeZone}`);
  const home = await buildHome(api, scenario.name, scenario.home);
  o.out(`  built: grid "${home.gridName}", ${home.residentName} with ${home.devices.map((d) => d.id).join(', ')}; caregivers ${home.caregivers.map((c) => c.name).join(', ') || 'none'}`);

  const story = new Story(o.out); // its clock starts once the home is built
  const say = (line: string) => story.add(Date.now(), line);
  const watch = new AlarmWatcher(api, home.gridId, (at, line) => story.add(at, line));
  const devices: HomeDevice[] = [];
  const wrists: ScriptedWrist[] = [];
  let result: ScenarioResult;
  try {
    for (const d of home.devices) devices.push(await HomeDevice.connect(mqttUrl, d, say));
    for (const c of home.caregivers) wrists.push(await ScriptedWrist.connect(mqttUrl, c, { mode: 'respond' }, say));
    watch.start();
    const ctx: ScenarioContext = {
      api,
      home,
      watch,
      wrists,
      serviceTime,
      trySettings: async (settings) => {
        try {
          const r = await api.patch(`/api/residents/${home.residentId}`, { settings });
          say(`the resident's settings: ${JSON.stringify(settings)}`);
          return (r.effectiveSettings as Record<string, unknown> | undefined) ?? {};
        } catch (err) {
          if (err instanceof ApiError && err.status === 400) return false;
          throw err;
        }
      },
      device: (kind) => {
        const d = devices.find((x) => x.info.kind === kind);
        if (!d) throw new Error(`scenario ${scenario.name} has no ${kind}`);
        return d;
      },
      setPlan: (i: number, plan: WristPlan) => void ((wrists[i] as ScriptedWrist).plan = plan),
      say,
      pause: (ms) => new Promise((r) => setTimeout(r, ms)),
      fail: (missing) => {
        throw new ScenarioFailure(missing);
      },
    };
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ScenarioFailure(`the expected outcome was not seen within the scenario's ${scenario.limitS} s`)), scenario.limitS * 1000);
    });
    try {
      await Promise.race([scenario.play(ctx), limit]);
      result = { ok: true, message: 'the expected outcome was seen', seconds: 0, home };
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    if (!(err instanceof ScenarioFailure || err instanceof ApiError || err instanceof SimError)) throw err;
    result = { ok: false, message: err.message, seconds: 0, home };
  } finally {
    await watch.stop();
    await Promise.all([...devices, ...wrists].map((x) => x.close()));
    story.end();
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  await tidyUp(api, home, watch, o.out);
  o.out(`${result.ok ? 'PASS' : 'FAIL'} ${scenario.name} in ${result.seconds} s: ${result.message}`);
  return result;
}

/** Logs in; scenarios started side by side wait their turn (the service checks one login per address at a time). */
async function login(api: ApiClient, username: string, password: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.login(username, password);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 429) || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/**
 * Leaves the centre as it was: alarms the run left active are cancelled with a note, and the
 * run's devices are taken out of service (a later run has its own; these must not be
 * supervised as gone silent).
 */
async function tidyUp(api: ApiClient, home: ScenarioHome, watch: AlarmWatcher, out: (line: string) => void): Promise<void> {
  try {
    for (const a of watch.alarms.values()) {
      if (ACTIVE.has(a.status)) await api.post(`/api/alarms/${a.id}/cancel`, { note: 'scenario run ended' }).catch(() => undefined);
    }
    for (const d of [...home.devices, ...home.caregivers.map((c) => c.wearable)]) {
      await api.patch(`/api/devices/${encodeURIComponent(d.id)}`, { disabled: true });
    }
  } catch (err) {
    out(`  (tidying up after the run failed: ${(err as Error).message})`);
  }
}
