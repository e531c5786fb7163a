import type { FastifyInstance } from 'fastify';
import { ConfigError, redactUrl, type Config } from '../common/config.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { createMetrics, type Metrics } from '../common/metrics.ts';
import { markAllDevicesOffline } from '../db/queries/device-presence.ts';
import { openDb, type Db } from '../db/index.ts';
import { buildApp } from '../dispatch-console/console/app.ts';
import { ensureFirstAdmin } from '../dispatch-console/console/auth.ts';
import { listen } from '../dispatch-console/console/server.ts';
import { DispatchDirectory } from '../dispatch-console/dispatcher/directory.ts';
import { Dispatcher } from '../dispatch-console/dispatcher/dispatcher.ts';
import { DeviceSupervision } from '../dispatch-console/dispatcher/supervision.ts';
import { Notifier, type Outbound } from '../dispatch-console/dispatcher/notifier.ts';
import { DEFAULT_SMS_RETRY } from '../dispatch-console/dispatcher/sms/sms-provider.ts';
import { createTwilioProvider } from '../dispatch-console/dispatcher/sms/twilio-provider.ts';
import type { IntakeListeners } from '../gateway/message-intake.ts';
import { healthChecks } from './health-checks.ts';
import { startMaintenance } from './maintenance.ts';
import { checkPortsFree } from './port-check.ts';
import { Gateway } from '../gateway/gateway.ts';
import { ExternalBrokerLink } from '../gateway/external-broker-link.ts';
import { listenDevices, type DeviceListeners } from '../gateway/listeners.ts';
import type { DeviceLink } from '../gateway/message-intake.ts';

export interface RunningService {
  config: Config;
  db: Db;
  /** The device transport in use: the embedded broker, or an external one (MQTT_URL). */
  link: DeviceLink;
  /** The embedded broker, when it is the transport. */
  gateway: Gateway | undefined;
  app: FastifyInstance;
  dispatcher: Dispatcher;
  /** Device supervision: tests run a sweep with `sweep()` after moving a manual clock. */
  supervision: DeviceSupervision;
  metrics: Metrics;
  clock: Clock;
  httpUrl: string;
  mqttUrl: string;
  mqttWsUrl: string;
  /** MQTT over TLS and over secure WebSocket, when TLS_CERT/TLS_KEY are set. */
  mqttsUrl: string | undefined;
  mqttWssUrl: string | undefined;
  admin: { username: string; password?: string; created: boolean };
  close(): Promise<void>;
}

async function connectExternal(config: Config, db: Db, logger: Logger, metrics: Metrics, listeners: IntakeListeners): Promise<DeviceLink> {
  if (!config.mqtt.clientIdExplicit) {
    logger.warn(
      { clientIdPrefix: config.mqtt.clientIdPrefix },
      'MQTT_CLIENT_ID is not set: the broker session is tied to this hostname; set a stable id per instance, or messages queued for a replaced container are never collected',
    );
  }
  try {
    return await ExternalBrokerLink.connect({
      url: config.mqtt.externalUrl!,
      shareGroup: config.mqtt.shareGroup,
      lanes: config.mqtt.ingestLanes,
      clientIdPrefix: config.mqtt.clientIdPrefix,
      sessionExpirySeconds: config.mqtt.sessionExpirySeconds,
      db,
      logger: logger.child({ part: 'mqtt-link' }),
      metrics,
      maxPayloadBytes: config.mqtt.maxPayload,
      listeners,
    });
  } catch (err) {
    throw new ConfigError('MQTT_URL', `cannot use the broker at ${redactUrl(config.mqtt.externalUrl!)}: ${(err as Error).message}`);
  }
}

async function openDatabase(config: Config, logger: Logger): Promise<Db> {
  try {
    return await openDb(
      {
        ...config.database,
        onFatal: (err) => {
          logger.fatal({ err }, 'database lost; exiting so the supervisor restarts the service');
          process.exit(1);
        },
      },
      logger,
    );
  } catch (err) {
    const message = (err as Error).message;
    if (!config.database.url) throw new ConfigError('DATA_DIR', message.replace(/^DATA_DIR /, ''));
    if (/migration/.test(message)) throw err; // our bug or a damaged schema: not a setting to change
    throw new ConfigError('DATABASE_URL', `cannot use the database at ${redactUrl(config.database.url)}: ${message}`);
  }
}

/** The dispatcher with its routing directory and notifier; sends go through the link once it exists. */
async function startDispatcher(config: Config, db: Db, logger: Logger, metrics: Metrics, clock: Clock, link: () => DeviceLink, reconnecting: readonly string[]) {
  const outbound: Outbound = {
    toWearable: (id, message) => link().publishToWearable(id, message),
    toDevice: (id, command) => link().publishToDevice(id, command),
  };
  const t = config.twilio;
  const notifier = new Notifier({
    clock,
    db,
    logger: logger.child({ part: 'notifier' }),
    metrics,
    outbound,
    sms: t ? createTwilioProvider({ accountSid: t.accountSid, authToken: t.authToken, from: t.from, apiBaseUrl: t.apiUrl, logger }) : undefined,
    retry: DEFAULT_SMS_RETRY,
    statusCallbackUrl: t ? new URL('/twilio/status', config.http.publicUrl).toString() : undefined,
  });
  const directory = new DispatchDirectory(db, clock);
  const unfollow = directory.follow(logger.child({ part: 'directory' }));
  const dispatcher = new Dispatcher({ db, logger: logger.child({ part: 'dispatcher' }), metrics, directory, notifier, settings: config.dispatch, clock });
  await dispatcher.start({ reconnecting });
  return { dispatcher, directory, notifier, unfollow };
}

/** Everything in one process: database, broker, console. Each part closes in reverse order. */
/** `clock`: time and timers for the dispatcher (tests pass a ManualClock). */
export async function startService(config: Config, logger: Logger, clock: Clock = systemClock): Promise<RunningService> {
  const metrics = createMetrics();
  const embeddedBroker = !config.mqtt.externalUrl;
  await checkPortsFree([
    ...(embeddedBroker
      ? [
          ...(config.mqtt.tcpOff ? [] : [{ variable: 'MQTT_PORT', host: config.mqtt.host, port: config.mqtt.port }]),
          ...(config.mqtt.wsOff ? [] : [{ variable: 'MQTT_WS_PORT', host: config.mqtt.host, port: config.mqtt.wsPort }]),
          ...(config.tls
            ? [
                { variable: 'MQTTS_PORT', host: config.mqtt.host, port: config.mqtt.tlsPort },
                { variable: 'MQTT_WSS_PORT', host: config.mqtt.host, port: config.mqtt.wssPort },
              ]
            : []),
        ]
      : []),
    { variable: 'HTTP_PORT', host: config.http.host, port: config.http.port },
  ]);
  const db = await openDatabase(config, logger);
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const unwind = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => logger.error({ err }, 'cleanup failed'));
  };
  try {
    // the embedded broker is the only one: whatever a previous run left "online" is not (yet);
    // escalation steps give the wrists that were online a grace to come back (ReconnectGrace)
    const reconnecting = embeddedBroker ? await markAllDevicesOffline(db, new Date()) : [];
    const dispatch = await startDispatcher(config, db, logger, metrics, clock, () => link, reconnecting);
    cleanups.push(async () => {
      await dispatch.unfollow();
      await dispatch.dispatcher.stop();
    });
    // device supervision: any message counts as heard; silent devices raise device.offline
    const d = dispatch.dispatcher;
    const supervision = new DeviceSupervision({ db, clock, logger: logger.child({ part: 'supervision' }), settings: config.supervision, host: d });
    cleanups.push(() => supervision.stop());
    const listeners: IntakeListeners = {
      event: (e) => (supervision.heard(e.device.deviceId), d.handleEvent(e)),
      ack: (a) => (supervision.heard(a.device.deviceId), d.handleAck(a)),
      status: (st) => {
        d.handleStatus(st);
        void supervision.status(st).catch((err: unknown) => logger.error({ err, deviceId: st.deviceId }, 'battery supervision failed'));
      },
    };
    // bound late: the dispatcher sends through it
    let link: DeviceLink;
    let gateway: Gateway | undefined;
    let mqtt: DeviceListeners | undefined;
    if (config.mqtt.externalUrl) {
      link = await connectExternal(config, db, logger, metrics, listeners);
      cleanups.push(() => link.close());
    } else {
      gateway = await Gateway.create({
        db,
        logger: logger.child({ part: 'gateway' }),
        metrics,
        maxPayloadBytes: config.mqtt.maxPayload,
        maxConnectionsPerDevice: config.mqtt.maxConnectionsPerDevice,
        authLimits: config.mqtt.authLimits,
        listeners,
      });
      link = gateway;
      const g = gateway;
      cleanups.push(async () => {
        const closing = mqtt?.close();
        await g.close();
        await closing;
        await markAllDevicesOffline(db, new Date()); // no broker, no connected device
      });
      const tls = config.tls;
      if (tls?.clientCa && (!config.mqtt.tcpOff || !config.mqtt.wsOff)) {
        logger.warn('TLS_CLIENT_CA is set but a plain MQTT listener is on: devices connecting there present no certificate; set MQTT_PORT=off and MQTT_WS_PORT=off');
      }
      mqtt = await listenDevices(gateway.aedes, {
        host: config.mqtt.host,
        port: config.mqtt.tcpOff ? null : config.mqtt.port,
        wsPort: config.mqtt.wsOff ? null : config.mqtt.wsPort,
        tls: tls && { cert: tls.cert, key: tls.key, clientCa: tls.clientCa, port: config.mqtt.tlsPort, wssPort: config.mqtt.wssPort },
        maxPacketBytes: config.mqtt.maxPayload * 4,
        logger,
        metrics,
        ...config.mqtt.limits,
      });
    }
    dispatch.dispatcher.listening();
    supervision.start();

    const health = healthChecks({ db, link, dispatcher: dispatch.dispatcher, smsProvider: config.twilio ? 'twilio' : undefined });
    let endpoints: { mqttUrl: string; mqttWsUrl: string | null; embeddedBroker: boolean } | undefined;
    const app = await buildApp({
      config,
      db,
      logger: logger.child({ part: 'console' }),
      metrics,
      health,
      onDeviceRevoked: (id) => link.revokeDevice(id),
      dispatch,
      endpoints: () => endpoints,
      clock,
    });
    cleanups.push(() => app.close());
    const maintenance = startMaintenance(db, logger.child({ part: 'maintenance' }), dispatch.dispatcher, config.retention.eventDays, config.absenceCheckS);
    cleanups.push(() => maintenance.stop());
    const http = await listen(app, config.http.host, config.http.port, config.tls);
    const mqttHost = config.mqtt.host === '0.0.0.0' || config.mqtt.host === '::' ? '127.0.0.1' : config.mqtt.host;
    const at = (scheme: string, port: number | undefined) => (port === undefined ? undefined : `${scheme}://${mqttHost}:${port}`);
    const mqttsUrl = at('mqtts', mqtt?.tlsPort);
    const mqttWssUrl = at('wss', mqtt?.wssPort);
    // the plain listener where there is one, else its TLS counterpart
    const mqttUrl = mqtt ? (at('mqtt', mqtt.port) ?? mqttsUrl!) : redactUrl(config.mqtt.externalUrl!);
    const wsUrl = mqtt ? (at('ws', mqtt.wsPort) ?? mqttWssUrl) : undefined;
    const mqttWsUrl = mqtt ? (wsUrl ?? 'off') : 'n/a (external broker)';
    endpoints = { mqttUrl, mqttWsUrl: wsUrl ?? null, embeddedBroker: mqtt !== undefined };
    // Last, once everything listens: a start that fails earlier must not use up a generated password.
    const admin = await ensureFirstAdmin(db, config.admin, logger);
    logger.info({ http: http.url, mqtt: mqttUrl, mqttWs: mqttWsUrl, mqtts: mqttsUrl, mqttWss: mqttWssUrl, database: db.kind, timescale: db.timescale }, 'homecare service started');
    return {
      config,
      db,
      link,
      gateway,
      app,
      dispatcher: dispatch.dispatcher,
      supervision,
      metrics,
      clock,
      admin,
      httpUrl: http.url,
      mqttUrl,
      mqttWsUrl,
      mqttsUrl,
      mqttWssUrl,
      close: unwind,
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
