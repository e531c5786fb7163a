import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../common/clock.ts';
import { loadConfig, type Config } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { createMetrics } from '../../common/metrics.ts';
import type { DeviceCommand } from '../../contract/device-messages.ts';
import { updateDevicePresence } from '../../db/queries/device-presence.ts';
import { openDb } from '../../db/index.ts';
import type { Db } from '../../db/types.ts';
import { buildApp } from '../../dispatch-console/console/app.ts';
import { ensureFirstAdmin } from '../../dispatch-console/console/auth.ts';
import { DispatchDirectory } from '../../dispatch-console/dispatcher/directory.ts';
import { Dispatcher } from '../../dispatch-console/dispatcher/dispatcher.ts';
import { Notifier, type Outbound } from '../../dispatch-console/dispatcher/notifier.ts';
import { createTwilioProvider } from '../../dispatch-console/dispatcher/sms/twilio-provider.ts';
import type { ReceivedAck, ReceivedEvent } from '../../gateway/message-intake.ts';
import { ADMIN, apiClient, type ApiClient } from './api-client.ts';
import { provisionCentre, type TimelineRow } from './care-centre.ts';
import { startFakeTwilio, type FakeTwilio } from './fake-twilio.ts';
import { waitFor } from './gateway-harness.ts';
import { createPgDatabase, migratedEmbeddedDir, type TestDbKind } from './test-db.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** What left through the (recording) device link: alerts and withdrawals to wrists, commands to devices. */
export interface Sent {
  to: 'wearable' | 'device';
  id: string;
  // test code reads arbitrary fields of the message
  message: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: Date;
}

export const TWILIO = { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'fixture-auth-token-0123456789abcdef', from: '+15005550006' };
const PUBLIC_URL = 'https://care.example.test';

export interface DispatcherFixtureOptions {
  db?: TestDbKind;
  /** ALARM_POLICY as an object. */
  policy?: unknown;
  /** More settings, as environment variables (CANCEL_WINDOW_S, ...). */
  env?: Record<string, string>;
  /** SMS through the real twilio provider to a local fake Twilio (otherwise: the outbox). */
  twilio?: boolean;
  /** PostgreSQL only: instances reach it through a TCP proxy the test can cut or blackhole. */
  proxy?: boolean;
}

/** One dispatcher (directory, notifier) on the fixture's database, sending through the recording link. */
export interface Instance {
  db: Db;
  dispatcher: Dispatcher;
  directory: DispatchDirectory;
  notifier: Notifier;
  /** The console app on this instance (alarm routes through its dispatcher), admin logged in. */
  app: FastifyInstance;
  api: ApiClient;
  stop(): Promise<void>;
}

const silent = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const FAST_RETRY = { maxAttempts: 3, baseMs: 1, capMs: 5 };

/**
 * The dispatcher built directly, with edges only at the edges: a real migrated database (the
 * embedded one, or PostgreSQL), a ManualClock, the real DispatchDirectory/Notifier/Dispatcher,
 * a recording device link, and optionally the fake Twilio behind the real twilio provider.
 * Events and acks go in as the gateway hands them over (ReceivedEvent/ReceivedAck).
 */
export async function dispatcherFixture(opts: DispatcherFixtureOptions = {}): Promise<DispatcherFixture> {
  const kind = opts.db ?? 'embedded';
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const twilio: FakeTwilio | undefined = opts.twilio ? await startFakeTwilio(TWILIO) : undefined;
  const config: Config = loadConfig({
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    PUBLIC_URL,
    ...(opts.policy !== undefined && { ALARM_POLICY: JSON.stringify(opts.policy) }),
    ...(twilio && { TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: TWILIO.authToken, TWILIO_FROM: TWILIO.from, TWILIO_API_URL: twilio.url }),
    ...opts.env,
  });

  // the database: opened per instance (a restart opens it again; instances share PostgreSQL)
  let dbConfig: { url: string | undefined; dataDir: string };
  let proxy: TcpProxy | undefined;
  let dropDb: () => Promise<void>;
  if (kind === 'embedded') {
    const dir = await migratedEmbeddedDir('homecare-fixture-');
    dbConfig = { url: undefined, dataDir: dir.path };
    dropDb = async () => dir.remove();
  } else {
    const pg = await createPgDatabase();
    dbConfig = { url: pg.url, dataDir: '' };
    dropDb = pg.drop;
    if (opts.proxy) {
      const p = await startTcpProxy('127.0.0.1', Number(new URL(pg.url).port || 5432));
      proxy = p;
      const via = new URL(pg.url);
      via.hostname = '127.0.0.1';
      via.port = String(p.port);
      dbConfig = { url: via.toString(), dataDir: '' };
      dropDb = async () => {
        await p.close();
        await pg.drop();
      };
    }
  }

  const sent: Sent[] = [];
  const outbound: Outbound = {
    toWearable: async (id, message) => void sent.push({ to: 'wearable', id, message, at: clock.now() }),
    toDevice: async (id, command: DeviceCommand) => void sent.push({ to: 'device', id, message: command, at: clock.now() }),
  };

  const instances = new Set<Instance>();
  /** Builds and starts one instance (as startService wires it) on a connection of its own. */
  const instance = async (): Promise<Instance> => {
    const db = await openDb(dbConfig, silent);
    const metrics = createMetrics();
    const notifier = new Notifier({
      clock,
      db,
      logger: silent,
      metrics,
      outbound,
      sms: twilio ? createTwilioProvider({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken, from: TWILIO.from, apiBaseUrl: twilio.url, logger: silent }) : undefined,
      retry: FAST_RETRY,
      statusCallbackUrl: twilio ? `${PUBLIC_URL}/twilio/status` : undefined,
    });
    const directory = new DispatchDirectory(db, clock);
    const dispatcher = new Dispatcher({ db, logger: silent, metrics, directory, notifier, settings: config.dispatch, clock });
    await ensureFirstAdmin(db, config.admin, silent);
    await dispatcher.start();
    const app = await buildApp({ config, db, logger: silent, metrics, health: async () => ({ ok: true, checks: {} }), dispatch: { dispatcher, directory, notifier } });
    await app.ready();
    const api = apiClient(app);
    await api.login();
    let stopped = false;
    const inst: Instance = {
      db,
      dispatcher,
      directory,
      notifier,
      app,
      api,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        instances.delete(inst);
        await dispatcher.stop();
        await app.close();
        await db.close();
      },
    };
    instances.add(inst);
    return inst;
  };

  const main = await instance();
  let seq = 0;

  const f: DispatcherFixture = {
    clock,
    config,
    sent,
    twilio,
    proxy,
    instance,
    /** The first instance; tests may replace it (a restart). */
    main: main as Instance,
    get dispatcher(): Dispatcher {
      return f.main.dispatcher;
    },
    get api(): ApiClient {
      return f.main.api;
    },
    /** A small centre (grid, resident with family contact, pendant, caregivers with wearables on shift now). */
    centre: async (o: Parameters<typeof provisionCentre>[1] = {}): Promise<Awaited<ReturnType<typeof provisionCentre>>> => {
      const c = await provisionCentre(f.api, { now: clock.now(), ...o });
      for (const i of instances) await i.dispatcher.refreshDirectory();
      return c;
    },
    /** The wrists come online (as the gateway reports a status message). */
    online: async (...wearableIds: string[]) => {
      for (const id of wearableIds) {
        // what the gateway does: store the presence, then tell the dispatcher
        await updateDevicePresence(f.main.db, id, { online: true, at: clock.now() });
        for (const i of instances) i.dispatcher.handleStatus({ deviceId: id, online: true, at: clock.now() });
      }
    },
    /** A device event as the gateway hands it over; resolves when the device would get its PUBACK. */
    event: async (device: { id: string }, residentId: string | null, type = 'button.pressed', data: Record<string, unknown> = {}, via: Instance = f.main): Promise<void> => {
      const n = ++seq;
      const e: ReceivedEvent = {
        device: { deviceId: device.id, kind: 'pendant', residentId },
        event: { id: `fx-${n}`, type, ts: clock.now().toISOString(), data } as ReceivedEvent['event'],
        fingerprint: `fp-${n}`,
        receivedAt: clock.now(),
      };
      await via.dispatcher.handleEvent(e);
    },
    ack: async (wearableId: string, alarmId: string, action: 'accept' | 'decline' | 'arrived' | 'resolve', outcome?: string, via: Instance = f.main): Promise<void> => {
      const a: ReceivedAck = {
        device: { deviceId: wearableId, kind: 'wearable', residentId: null },
        ack: { alarmId, action, ts: clock.now().toISOString(), ...(outcome && { outcome }) } as ReceivedAck['ack'],
        receivedAt: clock.now(),
      };
      await via.dispatcher.handleAck(a);
    },
    /** Messages sent to one wrist or device, optionally of one type. */
    to: (id: string, type?: string): Sent[] => sent.filter((s) => s.id === id && (type === undefined || s.message.type === type)),
    /** The console's detail of an alarm (timeline, notifications). */
    alarm: async (id: string, via: Instance = f.main): Promise<AlarmDetail> => {
      const r = await via.api.get(`/api/alarms/${id}`);
      if (r.status !== 200) throw new Error(`GET /api/alarms/${id}: ${r.status} ${r.text}`);
      return r.body as AlarmDetail;
    },
    /**
     * Waits (clock frozen, real time only for database I/O) until the alarm's detail satisfies ok.
     * The clock's timers settle started promises, but a write may need a few more event-loop turns.
     */
    until: (id: string, ok: (d: AlarmDetail) => boolean, via: Instance = f.main): Promise<AlarmDetail> =>
      waitFor(async () => {
        const d = await f.alarm(id, via);
        return ok(d) && d;
      }, 15_000, 10),
    /** Waits until a message matching pred was sent (no clock movement). */
    sentWhere: (pred: (s: Sent) => boolean): Promise<Sent> => waitFor(async () => sent.find(pred), 15_000, 5),
    close: async () => {
      for (const i of [...instances]) await i.stop().catch(() => undefined);
      await twilio?.close();
      await dropDb();
    },
  };
  return f;
}


type Centre = Awaited<ReturnType<typeof provisionCentre>>;

export interface DispatcherFixture {
  clock: ManualClock;
  config: Config;
  /** Everything sent through the recording device link, in order. */
  sent: Sent[];
  twilio: FakeTwilio | undefined;
  /** With `proxy: true`: the way to the database, to cut or blackhole. */
  proxy: TcpProxy | undefined;
  /** Builds and starts another instance on the same database (a restart, a second instance). */
  instance(): Promise<Instance>;
  /** The instance the helpers use by default; tests replace it (a restart, a failover). */
  main: Instance;
  readonly dispatcher: Dispatcher;
  readonly api: ApiClient;
  /** A small centre (grid, resident with family contact, pendant, caregivers with wearables on shift now). */
  centre(o?: Parameters<typeof provisionCentre>[1]): Promise<Centre>;
  /** The wrists come online (stored, then reported to every instance, as the gateway does). */
  online(...wearableIds: string[]): Promise<void>;
  /** A device event as the gateway hands it over; resolves when the device would get its PUBACK. */
  event(device: { id: string }, residentId: string | null, type?: string, data?: Record<string, unknown>, via?: Instance): Promise<void>;
  ack(wearableId: string, alarmId: string, action: 'accept' | 'decline' | 'arrived' | 'resolve', outcome?: string, via?: Instance): Promise<void>;
  /** Messages sent to one wrist or device, optionally of one type. */
  to(id: string, type?: string): Sent[];
  /** The console's detail of an alarm (timeline, notifications). */
  alarm(id: string, via?: Instance): Promise<AlarmDetail>;
  /** Waits (clock frozen; real time passes only for database I/O) until the alarm's detail satisfies ok. */
  until(id: string, ok: (d: AlarmDetail) => boolean, via?: Instance): Promise<AlarmDetail>;
  /** Waits until a message matching pred was sent (the clock does not move). */
  sentWhere(pred: (s: Sent) => boolean): Promise<Sent>;
  close(): Promise<void>;
}

export interface AlarmDetail {
  id: string;
  status: string;
  priority: string;
  raisedAt: string;
  residentId: string | null;
  replyCode: string;
  acceptedBy: string | null;
  acceptedByName: string | null;
  step: number;
  stepKind: string | null;
  stepDeadline: string | null;
  // test code reads arbitrary fields
  [k: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  timeline: TimelineRow[];
  notifications: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const codes = (d: { timeline: TimelineRow[] }) => d.timeline.map((t) => t.code);
export const rows = (d: { timeline: TimelineRow[] }, code: string) => d.timeline.filter((t) => t.code === code);
