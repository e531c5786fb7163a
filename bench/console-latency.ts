// Console latency benchmark: from a resident's button to the alarm on the operators' screens.
// The whole service runs in this process (embedded database in a temporary directory, or
// DATABASE_URL when set). Measured per sample, from just before the pendant's MQTT PUBLISH:
//   - the `alarm.raised` message arriving at each of N live-stream consoles (/ws, ws clients), and
//   - the alarm's row appearing in the real web page in Debian's Chromium (MutationObserver,
//     Date.now() on the same machine).
// Every sample is a new alarm; the console cancels it over the HTTP API before the next press.
//
//   npm run bench:console
//   npm run bench:console -- --samples 100 --consoles 50
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { topics } from '../contract/topics.ts';
import { ApiClient } from '../device-sim/api-client.ts';
import { startService } from '../runtime/service.ts';
import { launchChromium, rowSeenAt, WATCH_ALARM_ROWS } from '../tests/helpers/browser.ts';

const { values: args } = parseArgs({ options: { samples: { type: 'string', default: '50' }, consoles: { type: 'string', default: '10' } } });
const nSamples = Number(args.samples);
const nConsoles = Number(args.consoles);
if (!Number.isInteger(nSamples) || nSamples < 1 || !Number.isInteger(nConsoles) || nConsoles < 1) throw new Error('--samples and --consoles must be whole numbers above 0');

const PASSWORD = 'bench-admin-password';
const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'homecare-bench-console-'));
const service = await startService(
  loadConfig({ ...process.env, HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: '0', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...(dataDir && { DATA_DIR: dataDir }) }),
  createLogger(process.env.LOG_LEVEL ?? 'warn'),
);
const api = new ApiClient(service.httpUrl);
await api.login('admin', PASSWORD);
const tag = Date.now().toString(36);
const area = async (name: string, kind: string, parentId: string | null) => (await api.post('/api/areas', { name: `${name} ${tag}`, kind, parentId })).id as string;
const district = await area('Console Bench District', 'district', null);
const community = await area('Console Bench Community', 'community', await area('Console Bench Street', 'street', district));
const grid = await area('Console Bench Grid', 'grid', community);
const resident = await api.post('/api/residents', { name: `Bench Resident ${tag}`, areaId: grid, address: '1 Bench Lane', phone: '+8613800000001', notes: null, contacts: [] });
const pendant = await api.post('/api/devices', { kind: 'pendant', residentId: resident.id });
const token = ((await api.post('/api/login', { username: 'admin', password: PASSWORD })) as { token: string }).token;

// the live-stream consoles
const wsUrl = `${service.httpUrl.replace(/^http/, 'ws')}/ws?token=${token}`;
const raisedAt = new Map<string, number[]>(); // alarm id → arrival time at each console
const consoles = await Promise.all(
  Array.from({ length: nConsoles }, () => {
    const ws = new WebSocket(wsUrl);
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; data: { id: string } };
      if (m.type === 'alarm.raised') raisedAt.set(m.data.id, [...(raisedAt.get(m.data.id) ?? []), Date.now()]);
    });
    return new Promise<WebSocket>((resolve, reject) => (ws.once('open', () => resolve(ws)), ws.once('error', reject)));
  }),
);

// the web page
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`${service.httpUrl}/`);
await page.getByTestId('login-username').fill('admin');
await page.getByTestId('login-password').fill(PASSWORD);
await page.getByTestId('login-submit').click();
await page.getByTestId('queue').waitFor();
await page.evaluate(WATCH_ALARM_ROWS);

const device = await mqtt.connectAsync(service.mqttUrl, { username: pendant.id as string, password: pendant.secret as string, clientId: pendant.id as string });
const toWs: number[] = [];
const toAllWs: number[] = [];
const toPage: number[] = [];
const until = async <T>(fn: () => Promise<T | undefined> | T | undefined, ms = 5_000): Promise<T> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 2))) {
    const v = await fn();
    if (v !== undefined) return v;
  }
  throw new Error('timed out');
};
for (let i = 0; i < nSamples; i++) {
  const known = new Set(raisedAt.keys());
  const t0 = Date.now();
  await device.publishAsync(topics.deviceEvents(pendant.id as string), JSON.stringify({ id: `bench-${tag}-${i}`, type: 'button.pressed', ts: new Date().toISOString(), data: {} }), { qos: 1 });
  const id = await until(() => [...raisedAt.keys()].find((k) => !known.has(k)));
  const arrivals = await until(() => (raisedAt.get(id)!.length === nConsoles ? raisedAt.get(id) : undefined));
  const seen = await until(async () => ((await page.evaluate(rowSeenAt(id))) as number | undefined) ?? undefined);
  toWs.push(Math.min(...arrivals) - t0);
  toAllWs.push(Math.max(...arrivals) - t0);
  toPage.push(seen - t0);
  await api.post(`/api/alarms/${id}/cancel`, { outcome: 'benchmark' });
}

const pct = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!;
const line = (name: string, v: number[]) => `${name.padEnd(44)} ${[50, 90, 99].map((p) => String(pct(v, p)).padStart(6)).join('')} ${String(Math.max(...v)).padStart(6)}`;
process.stdout.write(
  [
    `console latency, ${nSamples} alarms, ${nConsoles} live-stream consoles + 1 Chromium page, database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded'}`,
    `${'ms from the PUBLISH of button.pressed'.padEnd(44)}    p50   p90   p99    max`,
    line('→ alarm.raised at the first /ws console', toWs),
    line(`→ alarm.raised at the last of ${nConsoles} /ws consoles`, toAllWs),
    line('→ alarm row on the web page (Chromium)', toPage),
    `service RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB (this process: service, consoles and pendant; Chromium is its own)`,
    '',
  ].join('\n'),
);
await device.endAsync();
for (const ws of consoles) ws.close();
await browser.close();
await service.close();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
