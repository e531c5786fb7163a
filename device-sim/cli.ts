import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createLogger } from '../common/logger.ts';
import { ApiError } from './api-client.ts';
import { DEFAULT_SIM_PREFIX, simPrefixSchemaPattern } from './demo-data.ts';
import { runSimulation } from './run.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { findScenario, runScenario } from './scenarios/runner.ts';
import type { TrafficStats } from './traffic.ts';
import { SimError } from './types.ts';

export const USAGE = `Usage: npm run sim -- [flags]

Builds a demo care centre through the console API (or finds the one built before), then
connects its devices and wearables over MQTT and sends realistic traffic.

  --url <http-url>            console API (default http://127.0.0.1:3000)
  --mqtt <mqtt-url>           broker (default: the address the service reports, GET /api/service)
  --username <name>           staff login (default admin)
  --password <secret>         staff password (default: $SIM_PASSWORD or $ADMIN_PASSWORD)
  --residents <n>             residents to simulate, ~10 per grid (default 20)
  --caregivers <n>            caregivers with a wearable (default: one per grid + a supervisor)
  --rate <per-second>         total device events per second, a hard ceiling (default 10)
  --duration <seconds>        stop after this long (default: until Ctrl-C)
  --max-messages <n>          stop after this many events
  --press-probability <0..1>  chance an activity event is a resident's alarm instead (default 0.01)
  --connect-rate <per-second> new MQTT connections per second (default 50)
  --prefix <name>             device id prefix this simulator owns (default sim; the demo's is demo):
                              two simulators with different prefixes never touch each other's devices
  --state <path>              where device secrets are kept, mode 0600 (default ./data/sim-state-<prefix>.json)
  --summary-every <seconds>   periodic summary interval, 0 = off (default 10)
  --log-level <level>         fatal|error|warn|info|debug|trace|silent (default info)
  --scenario <name>           instead of traffic: play one situation on a fresh home of its own and
                              watch its outcome (exit 0 when seen in time, 1 otherwise); see --list
  --list                      the scenarios, with what each shows
  -h, --help                  this text`;

const urlFlag = (flag: string, protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `${flag} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
const numberFlag = (flag: string, check: (n: number) => boolean, what: string) =>
  z
    .string()
    .transform((v) => (v.trim() === '' ? NaN : Number(v)))
    .refine((n) => Number.isFinite(n) && check(n), { message: `${flag} must be ${what}` });
const intFlag = (flag: string, min: number, max: number) =>
  numberFlag(flag, (n) => Number.isInteger(n) && n >= min && n <= max, `a whole number from ${min} to ${max}`);

const flagsSchema = z.object({
  url: urlFlag('--url', ['http:', 'https:']).default('http://127.0.0.1:3000'),
  mqtt: urlFlag('--mqtt', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']).optional(),
  prefix: z
    .string()
    .regex(simPrefixSchemaPattern, '--prefix must be 1 to 16 lower-case letters or digits, starting with a letter')
    .default(DEFAULT_SIM_PREFIX),
  username: z.string().min(1, '--username must not be empty').default('admin'),
  password: z.string({ message: '--password is required (or set SIM_PASSWORD)' }).min(1, '--password must not be empty'),
  residents: intFlag('--residents', 1, 10_000).default(20),
  caregivers: intFlag('--caregivers', 1, 1_000).optional(),
  rate: numberFlag('--rate', (n) => n > 0 && n <= 100_000, 'a number above 0 and at most 100000').default(10),
  duration: numberFlag('--duration', (n) => n > 0, 'a number of seconds above 0').optional(),
  'max-messages': intFlag('--max-messages', 1, Number.MAX_SAFE_INTEGER).optional(),
  'press-probability': numberFlag('--press-probability', (n) => n >= 0 && n <= 1, 'a number from 0 to 1').default(0.01),
  'connect-rate': numberFlag('--connect-rate', (n) => n > 0, 'a number above 0').default(50),
  state: z.string().min(1, '--state must not be empty').optional(),
  scenario: z.string().min(1, '--scenario needs a name (see --list)').optional(),
  'summary-every': numberFlag('--summary-every', (n) => n >= 0, 'a number of seconds, 0 or more').default(10),
  'log-level': z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: '--log-level must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});
export type CliOptions = z.infer<typeof flagsSchema> & { state: string };

const stringFlags = Object.fromEntries(Object.keys(flagsSchema.shape).map((k) => [k, { type: 'string' as const }]));

/**
 * Parses and validates the command line. Returns `'help'` for --help; throws SimError with
 * one line naming the offending flag otherwise.
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions | 'help' | 'list' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { ...stringFlags, help: { type: 'boolean', short: 'h' }, list: { type: 'boolean' } } }));
  } catch (err) {
    throw new SimError(`${describeParseError(err as Error & { code?: string })} (see --help)`);
  }
  if (values.help) return 'help';
  if (values.list) return 'list';
  // a misspelt scenario is answered before anything is asked of the service
  if (typeof values.scenario === 'string') findScenario(values.scenario);
  const password = values.password ?? env.SIM_PASSWORD ?? env.ADMIN_PASSWORD;
  const parsed = flagsSchema.safeParse({ ...values, password: password === '' ? undefined : password });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SimError(`${issue?.message ?? 'invalid flags'} (see --help)`);
  }
  return { ...parsed.data, state: parsed.data.state ?? `./data/sim-state-${parsed.data.prefix}.json` };
}

function describeParseError(err: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag ? `flag ${flag} needs a value` : err.message;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']+)'/.exec(err.message)?.[1];
      return `unexpected argument ${arg ? `"${arg}"` : ''}; flags look like --rate 20`;
    }
    default:
      return err.message;
  }
}

export function formatSummary(s: TrafficStats, stored: number): string {
  const rate = s.elapsedSeconds > 0 ? (s.published / s.elapsedSeconds).toFixed(1) : '0';
  const ms = (v: number | null) => (v === null ? 'n/a' : `${v} ms`);
  return (
    `device-sim: ${s.published} events published, ${stored} acknowledged and stored (by the service's count; ` +
    `${s.acked} PUBACKs), ${s.errors} errors, ${s.refused} connections refused ` +
    `in ${s.elapsedSeconds} s (${rate}/s); PUBACK p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}; ` +
    `${s.peakConnected}/${s.devices} devices connected at peak; ${s.commands} device commands, ` +
    `${s.alerts} wearable alerts, ${s.wearableAcks} wearable acks`
  );
}

async function main(): Promise<number> {
  let opts: CliOptions | 'help' | 'list';
  try {
    opts = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`device-sim: ${(err as Error).message}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts === 'list') {
    process.stdout.write(`${SCENARIOS.map((s) => `${s.name.padEnd(16)}${s.shows}`).join('\n')}\n`);
    return 0;
  }
  if (opts.scenario) {
    try {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const r = await runScenario({ httpUrl: opts.url, username: opts.username, password: opts.password, mqttUrl: opts.mqtt, name: opts.scenario, out });
      return r.ok ? 0 : 1;
    } catch (err) {
      if (err instanceof SimError || err instanceof ApiError) {
        process.stderr.write(`device-sim: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }
  const logger = createLogger(opts['log-level'], 'device-sim');
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130); // second Ctrl-C: do not wait for the clean stop
    logger.info('stopping: disconnecting devices cleanly (Ctrl-C again to quit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let result;
  try {
    result = await runSimulation({
      httpUrl: opts.url,
      username: opts.username,
      password: opts.password,
      residents: opts.residents,
      caregivers: opts.caregivers,
      prefix: opts.prefix,
      statePath: opts.state,
      mqttUrl: opts.mqtt,
      rate: opts.rate,
      durationSeconds: opts.duration,
      maxMessages: opts['max-messages'],
      pressProbability: opts['press-probability'],
      connectsPerSecond: opts['connect-rate'],
      summaryEverySeconds: opts['summary-every'],
      logger,
      signal: abort.signal,
    });
  } catch (err) {
    if (err instanceof SimError || err instanceof ApiError) {
      process.stderr.write(`device-sim: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const final = result.stats;
  process.stdout.write(`${formatSummary(final, result.stored)}\n`);
  if (final.peakConnected === 0) {
    process.stderr.write(`device-sim: no device could connect to ${result.mqttUrl}; is the gateway running?\n`);
    return 1;
  }
  if (result.stored < final.acked) {
    process.stderr.write(
      `device-sim: ${final.acked - result.stored} events were acknowledged by ${result.mqttUrl} but not stored by the service; ` +
        `its devices connect at ${result.serviceMqttUrl}\n`,
    );
    return 1;
  }
  return 0;
}

// Runs only as the entry point, so tests can import parseCliArgs without side effects.
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}
if (isEntryPoint()) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`device-sim: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
