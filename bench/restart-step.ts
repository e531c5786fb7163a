// A step that falls due while the service is down (kill -9): how long after the restarted
// service listens does it run, and who gets what? The black-box run, repeatable: the
// service as a child process (`npm start`'s entry point, embedded database, fixed MQTT port),
// real wrists that reconnect on their own every 1 s (mqtt.js), steps of 4 s; kill -9 one second
// into step 1, restart once its deadline has passed. Two cases: every wrist comes back, and one
// never does (its owner is texted once the grace is over).
//
//   node --import tsx bench/restart-step.ts [--runs 3] [--grace-ms 5000]
import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { ADMIN, apiClient } from '../tests/helpers/api-client.ts';
import { connectDevice, press, provisionCentre } from '../tests/helpers/care-centre.ts';
import { spawnService } from '../tests/helpers/child-service.ts';
import { waitFor } from '../tests/helpers/gateway-harness.ts';
import { tempDir } from '../tests/helpers/test-db.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'grace-ms': { type: 'string', default: '5000' } } });
const RUNS = Number(args.runs);
const POLICY = JSON.stringify({ emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 4 }, { kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] } });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function wrist(url: string, w: { id: string; secret: string }, reconnect: boolean): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { username: w.id, password: w.secret, clientId: w.id, reconnectPeriod: reconnect ? 1_000 : 0, protocolVersion: 4 });
  await c.subscribeAsync(topics.wearableAlerts(w.id), { qos: 1 });
  await c.publishAsync(topics.deviceStatus(w.id), JSON.stringify({ online: true }), { qos: 1, retain: true });
  return c;
}

async function run(allBack: boolean) {
  const dir = tempDir();
  const env = { DATA_DIR: dir.path, MQTT_PORT: String(await freePort()), MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: ADMIN.password, ALARM_POLICY: POLICY, CANCEL_WINDOW_S: '0', STARTUP_GRACE_MS: args['grace-ms']! };
  const first = await spawnService(env, 60_000);
  const clients: MqttClient[] = [];
  try {
    const api = apiClient(first.httpUrl);
    await api.login();
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers;
    const pendant = await connectDevice(first.mqttUrl, centre.pendant);
    const liW = await wrist(first.mqttUrl, li!.wearable, true);
    const wangW = await wrist(first.mqttUrl, wang!.wearable, allBack);
    clients.push(pendant, liW, wangW);
    for (const w of [li!, wang!]) await waitFor(async () => (await api.call('GET', `/api/devices/${w.wearable.id}`)).body.online === true);
    await press(pendant, centre.pendant.id);
    const alarm = await waitFor(async () => ((await api.call('GET', '/api/alarms?status=open')).body as Array<{ id: string; stepDeadline: string }>)[0]);
    await new Promise((r) => setTimeout(r, 1_000));
    first.proc.kill('SIGKILL');
    await first.exited;
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(alarm.stepDeadline) - Date.now()) + 1_000));
    const second = await spawnService(env, 60_000);
    const listening = Date.now(); // (the child prints its addresses once the broker listens)
    try {
      const api2 = apiClient(second.httpUrl);
      await api2.login();
      const d = await waitFor(async () => {
        const x = (await api2.call('GET', `/api/alarms/${alarm.id}`)).body;
        return x.step === 2 && x;
      }, 60_000);
      const started = d.timeline.filter((t: { code: string }) => t.code === 'step.started')[1];
      const step2 = d.notifications.filter((n: { step: number }) => n.step === 2).map((n: { channel: string; recipientName: string }) => `${n.channel}:${n.recipientName}`).sort();
      return { afterListenMs: Date.parse(started.at) - listening, step2: step2.join(' ') };
    } finally {
      second.proc.kill('SIGKILL');
      await second.exited;
    }
  } finally {
    for (const c of clients) c.end(true);
    first.proc.kill('SIGKILL');
    dir.remove();
  }
}

for (const allBack of [true, false]) {
  const rs = [];
  for (let i = 0; i < RUNS; i++) rs.push(await run(allBack));
  process.stdout.write(
    `${allBack ? 'every wrist comes back (1 s reconnect)' : 'one wrist never comes back'}, grace ${args['grace-ms']} ms, ${RUNS} runs\n` +
      `  step 2 after the restarted service listened (ms): ${rs.map((r) => r.afterListenMs).join(', ')}\n` +
      `  step 2 went to: ${[...new Set(rs.map((r) => r.step2))].join(' | ')}\n`,
  );
}
process.exit(0);
