// `npm run demo`: the service on its embedded defaults plus a simulated care centre
// (residents, sensors, caregivers' wearables) sending realistic traffic.
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { alarmStats } from '../db/queries/alarms.ts';
import { DEMO_SIM_PREFIX, provisionCentre, runTraffic } from '../device-sim/index.ts';
import { preferPort } from './free-port.ts';
import { runUntilSignal, stopWithOneLine } from './process-lifecycle.ts';
import { startService } from './service.ts';

const DEMO_PASSWORD = 'Demo-care-centre-1';

/** Default ports the demo found taken and stepped off, to say so once it listens. */
const moved: Array<{ what: 'HTTP' | 'MQTT' | 'MQTT over WebSocket'; port: number }> = [];

async function demoConfig(): Promise<Config> {
  const env = { ...process.env };
  // its own data dir and a known admin password, so the simulator can log in every time
  env.DATA_DIR ??= './data/demo';
  env.ADMIN_PASSWORD ??= DEMO_PASSWORD;
  env.LOG_LEVEL ??= 'warn'; // a readable terminal: progress lines below, problems as logs
  // the absence rules look every 5 s instead of once a minute: a scenario's missed check-in or
  // inactivity (npm run sim -- --scenario …) shows within seconds of falling due; cheap at demo size
  env.ABSENCE_CHECK_S ??= '5';
  const base = loadConfig(env);
  // unlike npm start, the demo steps aside when a default port is taken (e.g. a local Mosquitto)
  const step = async (what: (typeof moved)[number]['what'], port: number, host: string) => {
    const chosen = await preferPort(port, host);
    if (chosen !== port) moved.push({ what, port });
    return chosen;
  };
  if (!process.env.HTTP_PORT) base.http.port = await step('HTTP', base.http.port, base.http.host);
  if (!process.env.MQTT_PORT) base.mqtt.port = await step('MQTT', base.mqtt.port, base.mqtt.host);
  if (!process.env.MQTT_WS_PORT) base.mqtt.wsPort = await step('MQTT over WebSocket', base.mqtt.wsPort, base.mqtt.host);
  return base;
}

let config: Config;
try {
  config = await demoConfig();
} catch (err) {
  stopWithOneLine(err);
}
const logger = createLogger(config.logLevel);
const demoEnv = z
  .object({
    DEMO_RESIDENTS: z.coerce.number({ error: 'must be a whole number from 1 to 2000' }).int().min(1).max(2000).default(30),
    DEMO_RATE: z.coerce.number({ error: 'must be a number of events per second, above 0' }).positive().max(10_000).default(5),
  })
  .safeParse(process.env);
if (!demoEnv.success) {
  const issue = demoEnv.error.issues[0]!;
  stopWithOneLine(new ConfigError(String(issue.path[0]), issue.message));
}
const { DEMO_RESIDENTS: residents, DEMO_RATE: rate } = demoEnv.data;

try {
  const service = await startService(config, logger);
  const password = config.admin.password ?? DEMO_PASSWORD;
  const centre = await provisionCentre({
    httpUrl: service.httpUrl,
    username: config.admin.username,
    password,
    residents,
    // the demo's own devices (demo-…): `npm run sim` beside it uses sim-… and never touches these
    prefix: DEMO_SIM_PREFIX,
    statePath: join(config.database.dataDir, 'sim-state.json'),
    logger: logger.child({ part: 'sim' }),
  });
  const traffic = runTraffic({
    mqttUrl: service.mqttUrl,
    devices: centre.devices,
    wearables: centre.wearables,
    ratePerSecond: rate,
    // about one alarm every 20 s whatever the rate: what four simulated caregivers keep up with
    buttonPressProbability: Math.min(1, 1 / (20 * rate)),
    // a device whose secret the state file lost is rotated and reconnects: a restart heals it
    renewSecret: centre.renewSecret,
    logger: logger.child({ part: 'sim' }),
  });
  const portOf = (url: string) => new URL(url).port;
  const now = { HTTP: portOf(service.httpUrl), MQTT: portOf(service.mqttUrl), 'MQTT over WebSocket': portOf(service.mqttWsUrl) };
  const movedLines = moved.map(({ what, port }) => `  note      ${port} is taken by another program; ${what} is on ${now[what]} instead`);
  process.stderr.write(
    [
      '',
      'Home-care alarm demo is running.',
      ...movedLines,
      `  console   ${service.httpUrl}/   (open it in a browser)`,
      `  login     ${config.admin.username} / ${password}`,
      `  API       ${service.httpUrl}/api   (described at ${service.httpUrl}/docs; POST /api/login for a Bearer token)`,
      `  metrics   ${service.httpUrl}/metrics`,
      `  mqtt      ${service.mqttUrl}   (MQTT over WebSocket: ${service.mqttWsUrl})`,
      `  more      npm run sim -- --url ${service.httpUrl} --password ${password} --duration 60   (a second simulator beside this one)`,
      `  scenarios npm run sim -- --url ${service.httpUrl} --password ${password} --scenario fall   (one situation played out; --list names them)`,
      `  simulated ${centre.devices.length} devices for ${residents} residents and ${centre.wearables.length} caregivers' wearables, ${rate} events/s`,
      '  Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  const since = new Date();
  const progress = setInterval(async () => {
    const stored = (await service.metrics.eventsStored.get()).values[0]?.value ?? 0;
    const s = traffic.stats();
    const p50 = s.latencyMs.p50 === null ? '–' : `${s.latencyMs.p50.toFixed(1)} ms`;
    const a = await alarmStats(service.db, since).catch(() => undefined);
    const alarms = a
      ? `  alarms open ${a.open} handling ${a.handling} resolved ${a.resolved} cancelled ${a.cancelled} accept p50 ${a.acceptP50S === null ? '–' : `${a.acceptP50S.toFixed(1)} s`}`
      : '';
    process.stderr.write(`${new Date().toLocaleTimeString()}  events stored ${stored}  devices connected ${s.connected}  PUBACK p50 ${p50}${alarms}\n`);
  }, 10_000);
  progress.unref();
  runUntilSignal(async () => {
    process.stderr.write('\nstopping: disconnecting the simulated devices, committing what was received…\n');
    clearInterval(progress);
    await traffic.stop();
    await service.close();
    process.stderr.write('demo stopped cleanly; its data stays in ' + config.database.dataDir + '\n');
  }, logger);
} catch (err) {
  logger.fatal({ err }, 'demo failed to start');
  stopWithOneLine(err);
}
