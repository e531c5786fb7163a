// Frozen-wrist benchmark: does one wearable that stops reading its socket delay anyone else's
// alerts, and how soon is it cut off (and shown offline)?
//
// The gateway (embedded broker) runs here with its default connection limits unless told
// otherwise. One wrist is a raw TCP socket that connects, subscribes to its alerts (QoS 1) and
// never reads again; it is fed 8 MiB of alerts with long notes through the gateway's own publish
// path (the kernel's buffers of a loopback connection take ~4 MB here before anything waits in
// the broker: fed only 4 MB, the defect did not always show). Then, while it is stuck, alerts go to the other wrists (mqtt.js clients in this process,
// so they share the broker's event loop: a stricter measure than separate processes), paced,
// round-robin. Measured per alert: gateway.publishToWearable called → message at the wrist.
//
//   node --import tsx bench/frozen-wrist.ts
//   node --import tsx bench/frozen-wrist.ts --db postgres --wrists 20 --alerts 500 --interval-ms 8 --frozen-mb 8
//   node --import tsx bench/frozen-wrist.ts --max-unsent-kb 65536
// The defaults cut the frozen wrist off by its unsent bytes within a fraction of a second; the
// last line keeps it connected and stuck until the drain timeout (5 s), to time the others then.
import { parseArgs } from 'node:util';
import type { MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { CONNECTION_LIMIT_DEFAULTS } from '../gateway/listeners.ts';
import { connect, provisionResident } from '../tests/helpers/gateway-harness.ts';
import { alertFor, frozenSubscriber, startLimitedGateway } from '../tests/helpers/raw-mqtt.ts';
import { createTestDb, type TestDbKind } from '../tests/helpers/test-db.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'embedded' },
    wrists: { type: 'string', default: '20' },
    alerts: { type: 'string', default: '500' },
    'interval-ms': { type: 'string', default: '8' },
    'frozen-mb': { type: 'string', default: '8' },
    'drain-ms': { type: 'string', default: String(CONNECTION_LIMIT_DEFAULTS.drainTimeoutMs) },
    'max-unsent-kb': { type: 'string', default: String(CONNECTION_LIMIT_DEFAULTS.maxUnsentBytes / 1024) },
  },
});
const num = (name: keyof typeof args) => {
  const n = Number(args[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0 (got ${JSON.stringify(args[name])})`);
  return n;
};
const kind = args.db as TestDbKind;
const [nWrists, nAlerts, intervalMs, frozenMb, drainMs, maxUnsentKb] = [
  num('wrists'),
  num('alerts'),
  num('interval-ms'),
  num('frozen-mb'),
  num('drain-ms'),
  num('max-unsent-kb'),
];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const alert = (alarmId: string, notes: string | null) => alertFor(alarmId, notes, 'r-bench');

/** CONNECT (3.1.1, keepalive 0) + SUBSCRIBE QoS 1 over a raw socket; then it never reads again. */
async function freeze(port: number, dev: { id: string; secret: string }) {
  const { handshake: got } = await frozenSubscriber(port, dev, topics.wearableAlerts(dev.id));
  if (got[3] !== 0 || got[8] !== 1) throw new Error(`frozen wrist not connected and subscribed: ${got.toString('hex')}`);
}

const { db, cleanup } = await createTestDb(kind);
const lines: string[] = [];
const { gateway, listeners: mqttL, url, close } = await startLimitedGateway(db, { drainTimeoutMs: drainMs, maxUnsentBytes: maxUnsentKb * 1024 }, { lines, level: 'warn' });
const clients: MqttClient[] = [];
try {
  const { devices } = await provisionResident(db, Array.from({ length: nWrists + 1 }, () => 'wearable' as const));
  const [frozenDev, ...wristDevs] = devices;
  let frozenOfflineAt: number | undefined;
  gateway.onStatus((s) => {
    if (s.deviceId === frozenDev!.id && !s.online) frozenOfflineAt ??= performance.now();
  });

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let duringStuck = 0;
  for (const w of wristDevs) {
    const c = await connect(url, { username: w.id, password: w.secret, clientId: w.id });
    await c.subscribeAsync(topics.wearableAlerts(w.id), { qos: 1 });
    c.on('message', (_t, payload: Buffer) => {
      const { alarmId } = JSON.parse(payload.toString()) as { alarmId: string };
      const t0 = sentAt.get(alarmId);
      if (t0 === undefined) return;
      latencies.push(performance.now() - t0);
      sentAt.delete(alarmId);
    });
    clients.push(c);
  }
  await freeze(mqttL.port, frozenDev!);

  const notes = 'n'.repeat(3_000);
  const alertBytes = JSON.stringify(alert('flood-0000', notes)).length;
  const nFlood = Math.ceil((frozenMb * 1024 * 1024) / alertBytes);
  const floodStart = performance.now();
  let floodSettled = 0;
  for (let i = 0; i < nFlood; i++) void gateway.publishToWearable(frozenDev!.id, alert(`flood-${i}`, notes)).finally(() => floodSettled++);
  await sleep(200); // its socket's buffers fill up
  const stuckPublishes = nFlood - floodSettled;

  for (let i = 0; i < nAlerts; i++) {
    const id = `alert-${i}`;
    const w = wristDevs[i % wristDevs.length]!;
    if (frozenOfflineAt === undefined) duringStuck++;
    sentAt.set(id, performance.now());
    void gateway.publishToWearable(w.id, alert(id, null));
    await sleep(intervalMs);
  }
  const waitUntil = performance.now() + 120_000;
  while ((sentAt.size > 0 || frozenOfflineAt === undefined) && performance.now() < waitUntil) await sleep(50);

  const sorted = [...latencies].sort((a, b) => a - b);
  const cut = lines.map((l) => JSON.parse(l) as { deviceId?: string; reason?: string }).find((l) => l.deviceId === frozenDev!.id && l.reason);
  const out = [
    `frozen wrist: fed ${nFlood} alerts of ${alertBytes} B (${((nFlood * alertBytes) / 1024 / 1024).toFixed(1)} MiB); limits: drain ${drainMs} ms, unsent ${maxUnsentKb} KiB; database ${kind}`,
    `  ${stuckPublishes} of its publishes waiting on its socket when the others' alerts began`,
    `other wrists: ${nWrists}, ${nAlerts} alerts one every ${intervalMs} ms; ${duringStuck} sent while the frozen wrist was still connected`,
    `  received ${sorted.length}/${nAlerts}   p50 ${ms(pct(sorted, 50))}   p95 ${ms(pct(sorted, 95))}   p99 ${ms(pct(sorted, 99))}   max ${ms(sorted.at(-1) ?? NaN)}`,
    frozenOfflineAt === undefined
      ? '  frozen wrist: still connected after 120 s'
      : `  frozen wrist reported offline ${ms(frozenOfflineAt - floodStart)} after its flood began (cut off: ${cut?.reason ?? 'not by a limit'}); its publishes settled: ${floodSettled}/${nFlood}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  for (const c of clients) c.end(true);
  await close();
  await cleanup();
}
