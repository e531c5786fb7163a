import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import { parsePolicyConfig, type PolicyConfig } from '../contract/escalation-policy.ts';

// Empty strings count as unset: `FOO= npm start` should mean "default", not "invalid".
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = (fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : Number(v)),
    z.number({ error: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0).max(65535),
  );

/** A port, or `off`: that listener is not started (null). */
const portOrOff = (fallback: number) =>
  z.union([z.string().trim().toLowerCase().pipe(z.literal('off')).transform(() => null), port(fallback)], {
    error: 'must be a port number from 0 to 65535, or off',
  });

/** A PEM file named by a variable: read once here, so a bad path stops the start with its name. */
const pemFile = (what: 'certificate' | 'private key') =>
  optionalString.transform((path, ctx): { path: string; pem: string } | undefined => {
    if (path === undefined) return undefined;
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return z.NEVER;
    }
    const marker = what === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;
    let parses = marker.test(pem);
    if (parses && what === 'certificate') {
      try {
        new X509Certificate(pem);
      } catch {
        parses = false;
      }
    }
    if (!parses) {
      ctx.addIssue({ code: 'custom', message: `${path} is not a PEM ${what}` });
      return z.NEVER;
    }
    return { path, pem };
  });

const positiveInt = (fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : Number(v)),
    z.number({ error: 'must be a whole number above 0' }).int('must be a whole number above 0').positive('must be a whole number above 0'),
  );

const positiveNumber = (fallback: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : Number(v)),
    z.number({ error: 'must be a number above 0' }).positive('must be a number above 0').max(max, `must be at most ${max}`),
  );

/** A whole number, 0 or more (a queue that may be empty). */
const wholeNumber = (fallback: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : Number(v)),
    z.number({ error: 'must be a whole number, 0 or more' }).int('must be a whole number, 0 or more').min(0, 'must be a whole number, 0 or more').max(max, `must be at most ${max}`),
  );

const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

export const envSchema = z
  .object({
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    DATA_DIR: optionalString.transform((v) => v ?? './data'),
    MQTT_PORT: portOrOff(1883),
    MQTT_WS_PORT: portOrOff(8083),
    MQTTS_PORT: port(8883),
    MQTT_WSS_PORT: port(8084),
    TLS_CERT: pemFile('certificate'),
    TLS_KEY: pemFile('private key'),
    TLS_CLIENT_CA: pemFile('certificate'),
    MQTT_HOST: optionalString.transform((v) => v ?? '0.0.0.0'),
    MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
    MQTT_MAX_PAYLOAD: positiveInt(16 * 1024),
    MQTT_SHARE_GROUP: optionalString
      .transform((v) => v ?? 'homecare')
      .refine((v) => /^[A-Za-z0-9_-]+$/.test(v), { message: 'letters, digits, "_" or "-" only' }),
    MQTT_INGEST_LANES: positiveInt(4),
    MQTT_DRAIN_TIMEOUT_MS: positiveNumber(5_000, 120_000),
    MQTT_MAX_UNSENT_KB: positiveNumber(1024, 1024 * 1024),
    MQTT_READ_DEADLINE_MS: positiveNumber(10_000, 600_000),
    MQTT_MAX_CONNECTIONS_PER_DEVICE: positiveInt(4),
    MQTT_CLIENT_ID: optionalString,
    MQTT_SESSION_EXPIRY: z.preprocess(
      (v) => (v === undefined || v === '' ? 86_400 : Number(v)),
      z.number({ error: 'must be a number of seconds, 0 or more' }).int().min(0),
    ),
    HTTP_HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
    // the reverse proxies whose X-Forwarded-For is believed: addresses or CIDRs, never "everyone"
    TRUST_PROXY: optionalString.transform((v, ctx): string[] => {
      if (v === undefined) return [];
      const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
      for (const entry of list) {
        const [addr, bits, extra] = entry.split('/');
        const family = isIP(addr ?? '');
        const maxBits = family === 6 ? 128 : 32;
        const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
        if (family === 0 || !bitsOk || extra !== undefined) {
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR (list the proxies' addresses, comma-separated)` });
          return z.NEVER;
        }
      }
      return list;
    }),
    HTTP_PORT: port(3000),
    TWILIO_ACCOUNT_SID: optionalString,
    TWILIO_AUTH_TOKEN: optionalString,
    TWILIO_FROM: optionalString,
    TWILIO_API_URL: url(['http:', 'https:']),
    // parsed here, once: the config carries the PolicyConfig
    ALARM_POLICY: optionalString.transform((v, ctx): PolicyConfig => {
      const r = parsePolicyConfig(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }),
    CANCEL_WINDOW_S: z.preprocess(
      (v) => (v === undefined || v === '' ? 120 : Number(v)),
      z.number({ error: 'must be a number of seconds, 0 or more' }).int().min(0).max(86_400),
    ),
    NIGHT_HOURS: optionalString
      .transform((v) => v ?? '22-7')
      .refine((v) => /^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/.test(v), { message: 'must be "start-end" hours, e.g. 22-7' }),
    TEMPERATURE_RANGE_C: optionalString
      .transform((v) => v ?? '12..35')
      .refine((v) => /^-?\d+(\.\d+)?\.\.-?\d+(\.\d+)?$/.test(v) && Number(v.split('..')[0]) < Number(v.split('..')[1]), {
        message: 'must be "min..max" degrees Celsius, e.g. 12..35',
      }),
    BED_RETURN_MINUTES: positiveNumber(30, 24 * 60),
    CHECKIN_BY: optionalString
      .transform((v) => v ?? '10:00')
      .refine((v) => /^([01]?\d|2[0-3]):[0-5]\d$/.test(v), { message: 'must be a local time "HH:MM", e.g. 10:00' }),
    CHECKIN_GRACE_MINUTES: positiveNumber(60, 12 * 60),
    INACTIVITY_HOURS: positiveNumber(12, 72),
    // a door opening at night opens an urgent alarm (wandering); a resident's nightDoorAlarm overrides it
    NIGHT_DOOR_ALARM: optionalString
      .transform((v) => (v ?? 'on').toLowerCase())
      .refine((v) => v === 'on' || v === 'off', { message: 'must be "on" or "off"' })
      .transform((v) => v === 'on'),
    // how often the absence rules look (bed return, check-in, inactivity); short for demos that compress time
    ABSENCE_CHECK_S: z.preprocess(
      (v) => (v === undefined || v === '' ? 60 : Number(v)),
      z
        .number({ error: 'must be a whole number of seconds that divides 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)' })
        .refine((n) => Number.isInteger(n) && n >= 1 && n <= 60 && 60 % n === 0, { message: 'must be a whole number of seconds that divides 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)' }),
    ),
    DB_DEADLINE_MS: positiveNumber(1_000, 30_000),
    STARTUP_GRACE_MS: positiveNumber(5_000, 120_000),
    WRIST_LOST_AFTER_S: positiveNumber(3, 600),
    /** Device supervision: how often silent devices are looked for and last-heard times written (seconds). */
    SUPERVISION_SWEEP_S: positiveNumber(5, 300),
    /** A centre outage needs at least this many devices silent at once (and more than half of the supervised). */
    CENTRE_OUTAGE_MIN_DEVICES: positiveInt(10),
    PUBLIC_URL: url(['http:', 'https:']).transform((v) => v ?? 'http://localhost:3000'),
    ADMIN_USERNAME: optionalString.transform((v) => v ?? 'admin'),
    ADMIN_PASSWORD: optionalString,
    TOKEN_TTL_HOURS: positiveInt(12),
    // guessing limits (issue 11): wrong MQTT secrets per source address, and staff logins
    MQTT_AUTH_FAIL_BURST: positiveInt(50),
    MQTT_AUTH_FAIL_PER_S: positiveNumber(1, 10_000),
    MQTT_AUTH_CONCURRENCY: positiveInt(2),
    MQTT_AUTH_QUEUE: wholeNumber(128, 100_000),
    LOGIN_LOCK_AFTER: positiveInt(5),
    LOGIN_LOCK_BASE_S: positiveNumber(30, 86_400),
    LOGIN_LOCK_MAX_S: positiveNumber(900, 7 * 86_400),
    LOGIN_ADDR_BURST: positiveInt(20),
    LOGIN_ADDR_PER_S: positiveNumber(1, 10_000),
    // data lifecycle: sensor events are kept this many days (alarms and timelines longer)
    EVENT_RETENTION_DAYS: positiveInt(400),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .optional()
      .transform((v) => v ?? 'info'),
    TZ: optionalString,
  })
  .superRefine((env, ctx) => {
    // the missed check-in alarm is due the same local day: past midnight it would never come
    const [h, m] = env.CHECKIN_BY.split(':').map(Number) as [number, number];
    if (h * 60 + m + env.CHECKIN_GRACE_MINUTES >= 24 * 60) {
      ctx.addIssue({ code: 'custom', path: ['CHECKIN_GRACE_MINUTES'], message: `CHECKIN_BY (${env.CHECKIN_BY}) plus the grace must end before midnight` });
    }
    if ((env.TLS_CERT === undefined) !== (env.TLS_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: [env.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT'], message: 'set both TLS_CERT and TLS_KEY (PEM files), or neither' });
    } else if (env.TLS_CERT && env.TLS_KEY) {
      try {
        createSecureContext({ cert: env.TLS_CERT.pem, key: env.TLS_KEY.pem });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['TLS_KEY'], message: `cannot be used with the certificate in TLS_CERT: ${(err as Error).message}` });
      }
    }
    if (env.TLS_CLIENT_CA && !env.TLS_CERT) {
      ctx.addIssue({ code: 'custom', path: ['TLS_CLIENT_CA'], message: 'needs TLS_CERT and TLS_KEY: client certificates are asked for on the TLS listeners only' });
    }
    if (env.MQTT_PORT === null && env.MQTT_WS_PORT === null && !env.TLS_CERT && !env.MQTT_URL) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_PORT'], message: 'MQTT_PORT and MQTT_WS_PORT are both off and TLS_CERT is not set: devices could not connect at all' });
    }
    if (env.LOGIN_LOCK_MAX_S < env.LOGIN_LOCK_BASE_S) {
      ctx.addIssue({ code: 'custom', path: ['LOGIN_LOCK_MAX_S'], message: `must be at least LOGIN_LOCK_BASE_S (${env.LOGIN_LOCK_BASE_S})` });
    }
    const twilio = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM];
    const set = twilio.filter((v) => v !== undefined).length;
    if (set !== 0 && set !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_ACCOUNT_SID'],
        message: 'set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM, or none',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** The service's configuration: the environment, validated and shaped in one schema. */
export const configSchema = envSchema.transform((e) => ({
  database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
  mqtt: {
    host: e.MQTT_HOST,
    // plain listeners; `off` leaves the number at its default for code that only shows it
    port: e.MQTT_PORT ?? 1883,
    wsPort: e.MQTT_WS_PORT ?? 8083,
    tcpOff: e.MQTT_PORT === null,
    wsOff: e.MQTT_WS_PORT === null,
    /** MQTT over TLS and over secure WebSocket: used when `tls` is set. */
    tlsPort: e.MQTTS_PORT,
    wssPort: e.MQTT_WSS_PORT,
    externalUrl: e.MQTT_URL,
    maxPayload: e.MQTT_MAX_PAYLOAD,
    shareGroup: e.MQTT_SHARE_GROUP,
    ingestLanes: e.MQTT_INGEST_LANES,
    limits: { drainTimeoutMs: e.MQTT_DRAIN_TIMEOUT_MS, maxUnsentBytes: Math.round(e.MQTT_MAX_UNSENT_KB * 1024), readDeadlineMs: e.MQTT_READ_DEADLINE_MS },
    maxConnectionsPerDevice: e.MQTT_MAX_CONNECTIONS_PER_DEVICE,
    clientIdPrefix: e.MQTT_CLIENT_ID ?? `homecare-${hostname()}`,
    clientIdExplicit: e.MQTT_CLIENT_ID !== undefined,
    sessionExpirySeconds: e.MQTT_SESSION_EXPIRY,
    /** Wrong device secrets per source address, and secret checks (scrypt) at once / waiting (gateway/connect-limiter.ts). */
    authLimits: {
      failureBurst: e.MQTT_AUTH_FAIL_BURST,
      failureRefillPerSecond: e.MQTT_AUTH_FAIL_PER_S,
      scryptConcurrency: e.MQTT_AUTH_CONCURRENCY,
      scryptQueue: e.MQTT_AUTH_QUEUE,
    },
  },
  /** trustProxy: the proxies whose X-Forwarded-For names the client (audit addresses, login limits). */
  http: { host: e.HTTP_HOST, port: e.HTTP_PORT, publicUrl: e.PUBLIC_URL, trustProxy: e.TRUST_PROXY },
  /** TLS_CERT/TLS_KEY (and TLS_CLIENT_CA): MQTTS, MQTT over WSS and HTTPS on HTTP_PORT. */
  tls:
    e.TLS_CERT && e.TLS_KEY
      ? { cert: e.TLS_CERT.pem, key: e.TLS_KEY.pem, clientCa: e.TLS_CLIENT_CA?.pem, certPath: e.TLS_CERT.path }
      : undefined,
  twilio:
    e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM
      ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, from: e.TWILIO_FROM, apiUrl: e.TWILIO_API_URL }
      : undefined,
  dispatch: {
    policy: e.ALARM_POLICY,
    cancelWindowS: e.CANCEL_WINDOW_S,
    nightHours: { start: Number(e.NIGHT_HOURS.split('-')[0]), end: Number(e.NIGHT_HOURS.split('-')[1]) },
    temperature: { minC: Number(e.TEMPERATURE_RANGE_C.split('..')[0]), maxC: Number(e.TEMPERATURE_RANGE_C.split('..')[1]) },
    nightDoorAlarm: e.NIGHT_DOOR_ALARM,
    absence: {
      bedReturnMinutes: e.BED_RETURN_MINUTES,
      checkinBy: { hour: Number(e.CHECKIN_BY.split(':')[0]), minute: Number(e.CHECKIN_BY.split(':')[1]) },
      checkinGraceMinutes: e.CHECKIN_GRACE_MINUTES,
      inactivityHours: e.INACTIVITY_HOURS,
    },
    dbDeadlineMs: e.DB_DEADLINE_MS,
    startupGraceMs: e.STARTUP_GRACE_MS,
    wristLostAfterS: e.WRIST_LOST_AFTER_S,
  },
  admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
  tokenTtlMs: e.TOKEN_TTL_HOURS * 3600_000,
  /** Staff logins: the username's lockout with backoff and the source address's bucket (console/auth.ts LoginLimits). */
  loginLimits: {
    lockAfter: e.LOGIN_LOCK_AFTER,
    baseLockMs: Math.round(e.LOGIN_LOCK_BASE_S * 1000),
    maxLockMs: Math.round(e.LOGIN_LOCK_MAX_S * 1000),
    addressBurst: e.LOGIN_ADDR_BURST,
    addressPerSecond: e.LOGIN_ADDR_PER_S,
  },
  /** Seconds between the absence checks (runtime/maintenance.ts). */
  absenceCheckS: e.ABSENCE_CHECK_S,
  /** Device supervision (dispatcher/supervision.ts). */
  supervision: { sweepS: e.SUPERVISION_SWEEP_S, outageMinDevices: e.CENTRE_OUTAGE_MIN_DEVICES },
  retention: { eventDays: e.EVENT_RETENTION_DAYS },
  logLevel: e.LOG_LEVEL,
}));
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** A rejected value as it may appear in a log line: never a secret. */
function shown(variable: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (/TOKEN|PASSWORD|SECRET|SID/.test(variable)) return 'a value (hidden)';
  return JSON.stringify(redactUrl(value));
}

/** A URL (valid or not) with any password replaced by ***, for logs and error lines. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^/@\s]*)@/, (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
}

/** Parse the environment once at start-up; the first problem names the variable to change. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, `${issue.message} (got ${shown(variable, env[variable])})`);
  }
  return parsed.data;
}
