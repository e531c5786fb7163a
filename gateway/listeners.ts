import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Aedes } from 'aedes';
import { ConfigError } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { MqttConnection, type ConnectionLimits } from './mqtt-connection.ts';
import { PacketTooLargeError } from './packet-size-guard.ts';

export interface MqttListeners {
  port: number;
  wsPort: number;
  close(): Promise<void>;
}

/** TLS_CERT/TLS_KEY (PEM) and, with TLS_CLIENT_CA, the CA that signs the devices' certificates. */
export interface TlsListenOptions {
  cert: string;
  key: string;
  clientCa?: string | undefined;
  /** MQTTS_PORT and MQTT_WSS_PORT (0 picks one). */
  port: number;
  wssPort: number;
}

/** The device listeners that run: a plain one set `off` (null) is absent, as are TLS ones without TLS. */
export interface DeviceListeners {
  port: number | undefined;
  wsPort: number | undefined;
  tlsPort: number | undefined;
  wssPort: number | undefined;
  close(): Promise<void>;
}

/** Per-connection limits besides the packet size (see MqttConnection); each has a default. */
export type ConnectionLimitOptions = Partial<Omit<ConnectionLimits, 'maxPacketBytes'>>;

export const CONNECTION_LIMIT_DEFAULTS: Omit<ConnectionLimits, 'maxPacketBytes'> = {
  readDeadlineMs: 10_000,
  // an alert is a few KB: a wrist that leaves a megabyte unread, or takes nothing for
  // 5 s, is not going to show the next one in time (the dispatcher falls back to SMS)
  maxUnsentBytes: 1024 * 1024,
  drainTimeoutMs: 5_000,
};

function listen(server: NetServer | HttpServer, host: string, port: number, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new ConfigError(variable, `port ${port} is already in use or not allowed; set ${variable} to a free port (0 picks one)`)
          : err,
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

const NOT_AUTHORIZED = 5;

/**
 * With TLS_CLIENT_CA, a device's certificate names it (CN = device id): a CONNECT whose username
 * is another id is refused with CONNACK 5 before the broker's own authentication (the secret)
 * runs. `names` holds the CN of each connection that came in with a verified certificate.
 */
function requireCertificateName(aedes: Aedes, names: WeakMap<object, string>, logger: Logger, metrics: Metrics): () => void {
  const inner = aedes.authenticate;
  aedes.authenticate = (client, username, password, done) => {
    const name = names.get(client.conn);
    if (name !== undefined && name !== username) {
      metrics.mqttConnectRefused.inc({ reason: 'certificate_mismatch' });
      logger.warn({ username, certificate: name }, 'mqtt connect refused: the client certificate names another device');
      return done(Object.assign(new Error('not authorised'), { returnCode: NOT_AUTHORIZED }), null);
    }
    inner.call(aedes, client, username, password, done);
  };
  return () => {
    aedes.authenticate = inner;
  };
}

/** The subject CN of a verified peer certificate ('' when it has none: it then names no device). */
function peerName(socket: TLSSocket): string {
  const cn = socket.getPeerCertificate()?.subject?.CN as string | string[] | undefined;
  return typeof cn === 'string' ? cn : '';
}

/** MQTT over TCP and over WebSocket (path-agnostic, subprotocol "mqtt"), both guarded by MqttConnection. */
export async function listenMqtt(
  aedes: Aedes,
  opts: { host: string; port: number; wsPort: number; maxPacketBytes: number; logger: Logger; metrics: Metrics } & ConnectionLimitOptions,
): Promise<MqttListeners> {
  const l = await listenDevices(aedes, opts);
  return { port: l.port!, wsPort: l.wsPort!, close: l.close };
}

/**
 * Every device listener, each guarded by the same MqttConnection (size, read deadline, slow
 * reader): MQTT over TCP and over WebSocket unless `null` (off), and with `tls` MQTT over TLS
 * and over secure WebSocket. WebSocket listeners are path-agnostic, subprotocol "mqtt".
 */
export async function listenDevices(
  aedes: Aedes,
  opts: {
    host: string;
    port: number | null;
    wsPort: number | null;
    tls?: TlsListenOptions | undefined;
    maxPacketBytes: number;
    logger: Logger;
    metrics: Metrics;
  } & ConnectionLimitOptions,
): Promise<DeviceListeners> {
  const limits: ConnectionLimits = {
    maxPacketBytes: opts.maxPacketBytes,
    readDeadlineMs: opts.readDeadlineMs ?? CONNECTION_LIMIT_DEFAULTS.readDeadlineMs,
    maxUnsentBytes: opts.maxUnsentBytes ?? CONNECTION_LIMIT_DEFAULTS.maxUnsentBytes,
    drainTimeoutMs: opts.drainTimeoutMs ?? CONNECTION_LIMIT_DEFAULTS.drainTimeoutMs,
  };
  const onRefused = (remote: string | undefined) => (err: Error) => {
    if (err instanceof PacketTooLargeError) {
      opts.metrics.messagesRejected.inc({ code: 'packet_too_large' });
      opts.logger.warn({ remote, reason: err.message }, 'mqtt connection dropped: packet too large');
    } else {
      opts.metrics.mqttConnectRefused.inc({ reason: 'protocol_version' });
      opts.logger.warn({ remote, reason: err.message }, 'mqtt connect refused: unacceptable protocol version');
    }
  };
  const certificateNames = new WeakMap<object, string>();
  const mutualTls = opts.tls?.clientCa !== undefined;
  const guarded = (socket: Duplex, remote: string | undefined, tlsSocket?: TLSSocket) => {
    const conn = new MqttConnection(socket, limits, onRefused(remote));
    if (mutualTls && tlsSocket) certificateNames.set(conn, peerName(tlsSocket));
    return conn;
  };
  const upgradeOnly = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  };
  const tlsOptions: TlsOptions | undefined = opts.tls && {
    cert: opts.tls.cert,
    key: opts.tls.key,
    ...(opts.tls.clientCa !== undefined ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    // a peer that never completes the handshake holds a socket no longer than a stalled packet
    handshakeTimeout: limits.readDeadlineMs > 0 ? limits.readDeadlineMs : 10_000,
  };

  const servers: Array<NetServer | HttpServer> = [];
  const sockets: WebSocketServer[] = [];
  const closeAll = async () => {
    for (const wss of sockets) for (const client of wss.clients) client.terminate();
    await Promise.all([...servers.map(closeServer), ...sockets.map((wss) => new Promise<void>((r) => wss.close(() => r())))]);
  };
  const attachWebSocket = (server: HttpServer, label: string) => {
    // Attached only once listening: a WebSocketServer re-emits its http server's errors on itself,
    // so one attached before made a taken MQTT_WS_PORT an unhandled 'error' (a crash, exit 1).
    const wss = new WebSocketServer({ server, maxPayload: opts.maxPacketBytes + 16 });
    wss.on('error', (err) => opts.logger.error({ err }, `${label} listener error`));
    wss.on('connection', (ws, req) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      const tlsSocket = (req.socket as TLSSocket).encrypted ? (req.socket as TLSSocket) : undefined;
      aedes.handle(guarded(stream, req.socket.remoteAddress, tlsSocket), req);
    });
    sockets.push(wss);
  };
  const onTlsError = (err: Error, socket: TLSSocket) =>
    opts.logger.debug({ remote: socket.remoteAddress, err: err.message }, 'tls handshake failed');

  // in place before any listener accepts a connection
  const restore = mutualTls ? requireCertificateName(aedes, certificateNames, opts.logger, opts.metrics) : () => undefined;
  const close = async () => {
    await closeAll();
    restore();
  };
  const result: DeviceListeners = { port: undefined, wsPort: undefined, tlsPort: undefined, wssPort: undefined, close };
  try {
    if (opts.port !== null) {
      const tcp = createNetServer((socket) => {
        socket.setNoDelay(true);
        aedes.handle(guarded(socket, socket.remoteAddress));
      });
      result.port = await listen(tcp, opts.host, opts.port, 'MQTT_PORT');
      servers.push(tcp);
    }
    if (opts.wsPort !== null) {
      const http = createHttpServer(upgradeOnly);
      result.wsPort = await listen(http, opts.host, opts.wsPort, 'MQTT_WS_PORT');
      servers.push(http);
      attachWebSocket(http, 'mqtt-over-websocket');
    }
    if (opts.tls && tlsOptions) {
      const tls = createTlsServer(tlsOptions, (socket) => {
        socket.setNoDelay(true);
        aedes.handle(guarded(socket, socket.remoteAddress, socket));
      });
      tls.on('tlsClientError', onTlsError);
      result.tlsPort = await listen(tls, opts.host, opts.tls.port, 'MQTTS_PORT');
      servers.push(tls);
      const https = createHttpsServer(tlsOptions, upgradeOnly);
      https.on('tlsClientError', onTlsError);
      result.wssPort = await listen(https, opts.host, opts.tls.wssPort, 'MQTT_WSS_PORT');
      servers.push(https);
      attachWebSocket(https, 'mqtt-over-secure-websocket');
    }
  } catch (err) {
    await close();
    throw err;
  }
  const { port, wsPort, tlsPort: mqttsPort, wssPort } = result;
  opts.logger.info({ port, wsPort, mqttsPort, wssPort, clientCertificates: mutualTls }, 'mqtt broker listening');
  return result;
}
