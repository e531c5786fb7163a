// Alarm latency benchmark: how long from a resident's button to a caregiver's wrist.
// The whole service runs in this process (embedded broker, dispatcher, console; embedded
// database in a temporary directory, or DATABASE_URL when set). The measuring clients (pendants,
// wearables: bench/alarm-probe.ts) and the background sensor load (bench/sensor-load.ts) are
// real MQTT clients in their own processes, so they share the machine, not the event loop.
//
// Measured: PUBLISH of `button.pressed` (timestamp just before client.publish) → `alarm.alert`
// arriving at the first wearable's client. Every sample is a new alarm: the wearable accepts and
// resolves it, and the next press waits until the pendant has heard `alarm.resolved`.
//   1. idle
//   2. under a background load of sensor events (default 1,000/s from 100 devices, QoS 1)
//   3. escalation: with a short policy in one grid (next_in_grid, accept within 2 s), the alert
//      is left unanswered; step-2 alert arrival − step-1 alert arrival, and the overshoot.
//   4. burst: every resident of a separate grid (default 100) presses at the same instant; per
//      resident, the first alert at any of its 3 (silent) wearables; then the console resolves
//      every burst alarm over the HTTP API (bench/alarm-burst.ts). --burst 0 skips it.
//
//   npm run bench:alarm
//   npm run bench:alarm -- --samples 100 --rate 2000 --load-devices 200 --escalation-samples 5 --burst 300
// Options may also come from the environment: BENCH_SAMPLES, BENCH_RATE, BENCH_LOAD_DEVICES,
// BENCH_ESCALATION_SAMPLES, BENCH_ACCEPT_WITHIN_S, BENCH_BURST; LOG_LEVEL (default warn).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { ApiClient } from '../device-sim/api-client.ts';
import { startService, type RunningService } from '../runtime/service.ts';
import { describeBurst, runBurst, type BurstResult } from './alarm-burst.ts';
import { startHelper, type Helper } from './line-channel.ts';

const env = process.env;
const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: env.BENCH_SAMPLES ?? '300' },
    rate: { type: 'string', default: env.BENCH_RATE ?? '1000' },
    'load-devices': { type: 'string', default: env.BENCH_LOAD_DEVICES ?? '100' },
    'escalation-samples': { type: 'string', default: env.BENCH_ESCALATION_SAMPLES ?? '10' },
    'accept-within': { type: 'string', default: env.BENCH_ACCEPT_WITHIN_S ?? '2' },
    residents: { type: 'string', default: '10' },
    burst: { type: 'string', default: env.BENCH_BURST ?? '100' },
  },
});
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number above 0 (got ${JSON.stringify(v)})`);
  return n;
};
const nSamples = positive('samples', args.samples);
const rate = positive('rate', args.rate);
const nLoadDevices = positive('load-devices', args['load-devices']);
const nEscalation = positive('escalation-samples', args['escalation-samples']);
const acceptWithinS = positive('accept-within', args['accept-within']);
const nResidents = positive('residents', args.residents);
if (!/^\d+$/.test(args.burst ?? '')) throw new Error(`--burst must be a whole number, 0 to skip the phase (got ${JSON.stringify(args.burst)})`);
const nBurst = Number(args.burst);

const LOAD_KINDS = ['motion_sensor', 'temperature_sensor', 'motion_sensor', 'temperature_sensor', 'bed_sensor'] as const;
const SENSORS_PER_HOME = LOAD_KINDS.length;
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { 'p50 ms': ms(pct(s, 50)), 'p90 ms': ms(pct(s, 90)), 'p99 ms': ms(pct(s, 99)), 'max ms': ms(s.at(-1) ?? NaN) };
};

/** A plain text table: first column left-aligned, the others right-aligned. */
function printTable(rows: Array<Record<string, unknown>>) {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (r: Record<string, unknown>, c: string) => String(r[c] ?? '');
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ');
  process.stdout.write(`${line(cols)}\n${line(width.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => cell(r, c)))}\n`);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A small care centre over the HTTP API: one grid measured, one for escalation, one for load, one for the burst. */
async function provision(api: ApiClient) {
  const tag = `${Date.now().toString(36)}-${process.pid}`; // unique names when DATABASE_URL is reused
  const area = async (name: string, kind: string, parentId: string | null) => (await api.post('/api/areas', { name: `${name} ${tag}`, kind, parentId })).id as string;
  const district = await area('Bench District', 'district', null);
  const street = await area('Bench Street', 'street', district);
  const community = await area('Bench Community', 'community', street);
  const grids = { latency: await area('Latency Grid', 'grid', community), escalation: await area('Escalation Grid', 'grid', community), load: await area('Load Grid', 'grid', community) };
  const burstGrid = nBurst > 0 ? await area('Burst Grid', 'grid', community) : undefined;

  const now = Date.now();
  let phone = 0;
  const resident = (name: string, areaId: string) =>
    api.post('/api/residents', {
      name,
      areaId,
      address: `${1 + (phone % 40)} Bench Lane`,
      phone: `+86138000${String(++phone).padStart(5, '0')}`,
      notes: 'benchmark resident',
      contacts: [{ name: `${name} family`, phone: `+86139000${String(phone).padStart(5, '0')}`, relation: 'son' }],
    });
  const device = async (kind: string, residentId: string | null) => {
    const d = await api.post('/api/devices', { kind, residentId });
    return { id: d.id as string, secret: d.secret as string };
  };
  const homes = (name: string, areaId: string, n: number) =>
    mapLimit(Array.from({ length: n }, (_, i) => i), 6, async (i) => {
      const r = await resident(`${name} ${i + 1}`, areaId);
      return { ...(await device('pendant', r.id as string)), residentId: r.id as string };
    });
  const caregivers = (name: string, areaId: string, n: number) =>
    mapLimit(Array.from({ length: n }, (_, i) => i), 3, async (i) => {
      const wearable = await device('wearable', null);
      const c = await api.post('/api/caregivers', { name: `${name} ${i + 1}`, phone: `+86137000${String(++phone).padStart(5, '0')}`, wearableId: wearable.id, areaIds: [areaId], role: 'caregiver' });
      await api.post('/api/shifts', { caregiverId: c.id, start: new Date(now - 3600_000).toISOString(), end: new Date(now + 8 * 3600_000).toISOString() });
      return wearable;
    });

  const latency = { pendants: await homes('Latency Resident', grids.latency, nResidents), wearables: await caregivers('Latency Caregiver', grids.latency, 3) };
  const escalation = { pendants: await homes('Escalation Resident', grids.escalation, 2), wearables: await caregivers('Escalation Caregiver', grids.escalation, 2) };
  const loadHomes = await mapLimit(Array.from({ length: Math.ceil(nLoadDevices / SENSORS_PER_HOME) }, (_, i) => i), 6, async (i) => (await resident(`Load Resident ${i + 1}`, grids.load)).id as string);
  const load = await mapLimit(Array.from({ length: nLoadDevices }, (_, i) => i), 6, async (i) => {
    const kind = LOAD_KINDS[i % SENSORS_PER_HOME]!;
    return { ...(await device(kind, loadHomes[Math.floor(i / SENSORS_PER_HOME)]!)), kind };
  });
  const burst = burstGrid && { gridId: burstGrid, pendants: await homes('Burst Resident', burstGrid, nBurst), wearables: await caregivers('Burst Caregiver', burstGrid, 3) };
  return { grids, latency, escalation, load, burst };
}

/**
 * One short emergency policy for every grid (the configured way, ALARM_POLICY): the latency
 * probe accepts each alert within milliseconds, so only the escalation grid's alerts, left
 * unanswered on purpose, ever reach step 2.
 */
const SHORT_POLICY = JSON.stringify({
  emergency: {
    steps: [
      { kind: 'next_in_grid', acceptWithinS },
      { kind: 'all_in_grid', acceptWithinS },
      { kind: 'console', acceptWithinS: 60 },
    ],
  },
});

const logLevel = env.LOG_LEVEL ?? 'warn';
const logger = createLogger(logLevel);
const dataDir = env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'homecare-bench-'));
const admin = { username: env.ADMIN_USERNAME ?? 'admin', password: env.ADMIN_PASSWORD ?? randomBytes(18).toString('base64url') };
const config = loadConfig({
  DATABASE_URL: env.DATABASE_URL,
  DATA_DIR: dataDir ?? './data',
  MQTT_HOST: '127.0.0.1',
  MQTT_PORT: '0',
  MQTT_WS_PORT: '0',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '0',
  ALARM_POLICY: SHORT_POLICY,
  ADMIN_USERNAME: admin.username,
  ADMIN_PASSWORD: admin.password,
  LOG_LEVEL: logLevel,
  TZ: env.TZ,
});

const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stderr.write(`[${elapsed()}] ${line}\n`);

let service: RunningService | undefined;
let probe: Helper | undefined;
let load: Helper | undefined;
try {
  service = await startService(config, logger);
  const dbLabel = `${service.db.kind}${service.db.timescale ? ' + TimescaleDB' : ''}`;
  say(`service up: ${service.httpUrl}, ${service.mqttUrl}, database ${dbLabel}`);
  const api = new ApiClient(service.httpUrl, 30_000);
  try {
    await api.login(admin.username, admin.password);
  } catch (err) {
    throw new Error(`${(err as Error).message}; with an existing DATABASE_URL, set ADMIN_USERNAME/ADMIN_PASSWORD to its admin`);
  }
  const centre = await provision(api);
  const burstNote = centre.burst ? `; burst grid: ${nBurst} residents with pendants, 3 caregivers` : '';
  say(`provisioned: ${nResidents}+2 residents with pendants, 3+2 caregivers on shift with wearables, ${centre.load.length} sensors${burstNote}`);

  probe = startHelper(here('./alarm-probe.ts'), 'probe');
  await probe.request({ cmd: 'init', url: service.mqttUrl, latency: centre.latency, escalation: centre.escalation });

  type LatencyResult = { ms: number[]; timeouts: number; unclosed: number; publishErrors: number };
  const rows: Array<Record<string, unknown>> = [];
  const row = (phase: string, r: LatencyResult, background: string, alarms = '') =>
    rows.push({ phase, samples: r.ms.length, ...summary(r.ms), 'no alert': r.timeouts, 'not closed': r.unclosed, ...(centre.burst && { alarms }), background });

  say(`phase 1: idle, ${nSamples} presses`);
  const idle = await probe.request<LatencyResult>({ cmd: 'latency', samples: nSamples });
  row('idle', idle, 'none');

  say(`phase 2: background load of ${rate} sensor events/s from ${centre.load.length} devices, ${nSamples} presses`);
  load = startHelper(here('./sensor-load.ts'), 'load');
  const loadInit = await load.request<{ connected: number }>({ cmd: 'init', url: service.mqttUrl, rate, devices: centre.load });
  await load.request({ cmd: 'mark' });
  const busy = await probe.request<LatencyResult>({ cmd: 'latency', samples: nSamples });
  type LoadResult = {
    seconds: number;
    publishedPerSecond: number;
    ackedPerSecond: number;
    total: { published: number; acked: number; errors: number; skipped: number };
    types: Record<string, number>;
    pubackMs: { count: number; p50: number | null; p99: number | null; max: number | null };
  };
  const bg = await load.request<LoadResult>({ cmd: 'stop' });
  await load.close();
  load = undefined;
  row(`load ${rate}/s`, busy, `${Math.round(bg.ackedPerSecond)} ev/s acked over ${bg.seconds.toFixed(1)} s`);

  say(`phase 3: escalation, next_in_grid accept within ${acceptWithinS} s, ${nEscalation} alarms left unanswered`);
  const policy = SHORT_POLICY;
  const esc = await probe.request<{ gaps: number[]; pastDeadline: number[]; firstAlert: number[]; timeouts: number; unclosed: number }>({ cmd: 'escalation', samples: nEscalation });

  let burst: BurstResult | undefined;
  if (centre.burst) {
    burst = await runBurst(api, probe, centre.burst.gridId, centre.burst, say);
    // not closed: still active after the console resolved them; alarms: distinct alarms the burst opened
    row(`burst ${nBurst}`, { ...burst, unclosed: burst.leftOpen }, 'none', String(burst.opened));
  }
  await probe.request({ cmd: 'quit' });

  // every press opened its own alarm, and every one of them was closed again
  const byStatus = async (gridId: string) => {
    const list = await api.list(`/api/alarms?status=all&areaId=${gridId}&limit=1000`);
    const counts: Record<string, number> = {};
    for (const a of list) counts[String(a.status)] = (counts[String(a.status)] ?? 0) + 1;
    return `${list.length} (${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')})`;
  };
  const burstCheck = burst ? `; burst grid ${burst.opened} (${Object.entries(burst.statuses).map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  const alarmCheck = `alarms opened: latency grid ${await byStatus(centre.grids.latency)}; escalation grid ${await byStatus(centre.grids.escalation)}${burstCheck}`;

  process.stdout.write(`\nalarm latency: button PUBLISH → alarm.alert at the first wearable (ms); database ${dbLabel}\n`);
  printTable(rows);
  process.stdout.write(
    `background load: asked ${rate} events/s from ${loadInit.connected} devices (QoS 1); sent ${Math.round(bg.publishedPerSecond)}/s, ` +
      `PUBACKed ${Math.round(bg.ackedPerSecond)}/s during the loaded phase (${bg.seconds.toFixed(1)} s); ` +
      `PUBACK p50 ${bg.pubackMs.p50} ms, p99 ${bg.pubackMs.p99} ms, max ${bg.pubackMs.max} ms; ` +
      `mix ${Object.entries(bg.types).map(([t, n]) => `${t} ${n}`).join(', ')}; errors ${bg.total.errors}, slots skipped ${bg.total.skipped}\n`,
  );
  if (burst) process.stdout.write(describeBurst(burst, nBurst, summary));
  const overshoot = esc.gaps.map((g) => g - acceptWithinS * 1000);
  process.stdout.write(`\nescalation: step-1 alert unanswered → step-2 alert (policy ${policy})\n`);
  printTable([
    { measure: 'step-2 alert − step-1 alert', samples: esc.gaps.length, ...summary(esc.gaps) },
    { measure: `overshoot over ${acceptWithinS * 1000} ms`, samples: overshoot.length, ...summary(overshoot) },
    { measure: 'step-2 alert − step-1 acceptBy (wall clock)', samples: esc.pastDeadline.length, ...summary(esc.pastDeadline) },
  ]);
  if (esc.timeouts || esc.unclosed) process.stdout.write(`escalation samples without a step-1/step-2 alert: ${esc.timeouts}; not closed: ${esc.unclosed}\n`);
  const rssMb = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
  process.stdout.write(`\n${alarmCheck}\nservice process RSS ${rssMb} MB (clients run in their own processes)\ntotal run time ${elapsed()}\n`);
} finally {
  await load?.close().catch(() => undefined);
  await probe?.close().catch(() => undefined);
  await service?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
