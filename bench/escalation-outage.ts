// Escalation through a database outage: how late does a step come, and when is an accept made
// during the outage stamped? The black-box run, repeatable: the whole service in this
// process on PostgreSQL reached through a TCP proxy, real MQTT wrists and pendant, steps of 8 s.
// Per run: press; 2 s later the database goes away for 30 s ("cut": connections reset and
// refused; "blackhole": connections kept, nothing answered); step 2 falls due inside the
// outage; 4 s after step 2 the alerted wrist accepts. Printed per mode: step 2's lateness past
// its deadline at the wrist, the pendant's "help is coming" after the accept, and the accept's
// recorded time minus when it was sent (after the database is back).
//
//   node --import tsx bench/escalation-outage.ts [--runs 3] [--outage-s 30]
import { parseArgs } from 'node:util';
import type { MqttClient } from 'mqtt';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { topics } from '../contract/topics.ts';
import { startService } from '../runtime/service.ts';
import { apiClient } from '../tests/helpers/api-client.ts';
import { ack, connectDevice, connectWearable, press, provisionCentre } from '../tests/helpers/care-centre.ts';
import { waitFor } from '../tests/helpers/gateway-harness.ts';
import { startTcpProxy } from '../tests/helpers/tcp-proxy.ts';
import { createPgDatabase } from '../tests/helpers/test-db.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'outage-s': { type: 'string', default: '30' } } });
const RUNS = Number(args.runs);
const OUTAGE_MS = Number(args['outage-s']) * 1000;
const STEP_S = 8;
const POLICY = JSON.stringify({ emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: STEP_S }, { kind: 'all_in_grid', acceptWithinS: STEP_S }, { kind: 'console', acceptWithinS: 60 }] } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Resolves with the first message on topic matching pred, and when it arrived. */
function next(c: MqttClient, topic: string, pred: (m: Record<string, unknown>) => boolean): Promise<{ at: number; m: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const on = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      const m = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (!pred(m)) return;
      c.off('message', on);
      resolve({ at: Date.now(), m });
    };
    c.on('message', on);
  });
}

async function run(mode: 'cut' | 'blackhole') {
  const pg = await createPgDatabase();
  const proxy = await startTcpProxy('127.0.0.1', Number(new URL(pg.url).port || 5432));
  const url = new URL(pg.url);
  url.port = String(proxy.port);
  const config = loadConfig({ DATABASE_URL: url.toString(), MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: 'bench-admin-pass-1', ALARM_POLICY: POLICY, CANCEL_WINDOW_S: '0' });
  const service = await startService(config, createLogger(process.env.LOG_LEVEL ?? 'silent'));
  const clients: MqttClient[] = [];
  try {
    const api = apiClient(service.httpUrl);
    await api.login('admin', 'bench-admin-pass-1');
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers;
    const pendant = await connectDevice(service.mqttUrl, centre.pendant);
    const liW = await connectWearable(service.mqttUrl, li!.wearable);
    const wangW = await connectWearable(service.mqttUrl, wang!.wearable);
    clients.push(pendant, liW, wangW);
    await waitFor(async () => (await api.call('GET', `/api/devices/${wang!.wearable.id}`)).body.online === true);
    await waitFor(async () => (await api.call('GET', `/api/devices/${li!.wearable.id}`)).body.online === true);
    const first = Promise.race([
      next(liW, topics.wearableAlerts(li!.wearable.id), (m) => m.type === 'alarm.alert'),
      next(wangW, topics.wearableAlerts(wang!.wearable.id), (m) => m.type === 'alarm.alert'),
    ]);
    await press(pendant, centre.pendant.id);
    const one = await first;
    const alarmId = one.m.alarmId as string;
    const deadline = Date.parse(one.m.acceptBy as string);
    const step2 = next(wangW, topics.wearableAlerts(wang!.wearable.id), (m) => m.type === 'alarm.alert' && m.step === 2 && m.alarmId === alarmId);
    await sleep(2_000);
    const downAt = Date.now();
    if (mode === 'cut') proxy.cut();
    else proxy.hold();
    const two = await step2;
    await sleep(two.at + 4_000 - Date.now());
    const told = next(pendant, topics.deviceCommands(centre.pendant.id), (m) => m.type === 'alarm.accepted');
    const ackAt = Date.now();
    await ack(wangW, wang!.wearable.id, alarmId, 'accept');
    const heard = await told;
    await sleep(downAt + OUTAGE_MS - Date.now());
    proxy.restore();
    const d = await waitFor(async () => {
      const r = await api.call('GET', `/api/alarms/${alarmId}`);
      return r.status === 200 && r.body.status === 'accepted' && r.body;
    }, 120_000);
    const steps = (d.timeline as Array<{ code: string }>).filter((t) => t.code === 'step.started').length;
    return { step2LateMs: two.at - deadline, helpComingMs: heard.at - ackAt, acceptStampMinusSentMs: Date.parse(d.acceptedAt) - ackAt, steps };
  } finally {
    for (const c of clients) c.end(true);
    await service.close();
    await proxy.close();
    await pg.drop();
  }
}

for (const mode of ['cut', 'blackhole'] as const) {
  const results: Array<Awaited<ReturnType<typeof run>>> = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(mode));
  const fmt = (k: keyof (typeof results)[number]) => results.map((r) => r[k]).join(', ');
  process.stdout.write(
    `${mode.padEnd(9)} database away ${OUTAGE_MS / 1000} s, steps of ${STEP_S} s, ${RUNS} runs\n` +
      `  step 2 past its deadline at the wrist (ms):           ${fmt('step2LateMs')}\n` +
      `  "help is coming" at the pendant after the accept (ms): ${fmt('helpComingMs')}\n` +
      `  accept recorded at minus sent at (ms):               ${fmt('acceptStampMinusSentMs')}\n` +
      `  step.started rows once back (expected 2):            ${fmt('steps')}\n`,
  );
}
process.exit(0);
