import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
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

/** MQTT over TCP and over WebSocket (path-agnostic, subprotocol "mqtt"), both guarded by MqttConnection. */
export async function listenMqtt(
  aedes: Aedes,
  opts: { host: string; port: number; wsPort: number; maxPacketBytes: number; logger: Logger; metrics: Metrics } & ConnectionLimitOptions,
): Promise<MqttListeners> {
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
  const guarded = (socket: Duplex, remote: string | undefined) => new MqttConnection(socket, limits, onRefused(remote));
  const tcp = createNetServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(guarded(socket, socket.remoteAddress));
  });
  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });

  const port = await listen(tcp, opts.host, opts.port, 'MQTT_PORT');
  let wsPort: number;
  try {
    wsPort = await listen(http, opts.host, opts.wsPort, 'MQTT_WS_PORT');
  } catch (err) {
    await closeServer(tcp);
    throw err;
  }
  // Attached only once listening: a WebSocketServer re-emits its http server's errors on itself,
  // so one attached before made a taken MQTT_WS_PORT an unhandled 'error' (a crash, exit 1).
  const wss = new WebSocketServer({ server: http, maxPayload: opts.maxPacketBytes + 16 });
  wss.on('error', (err) => opts.logger.error({ err }, 'mqtt-over-websocket listener error'));
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on('error', () => ws.terminate());
    aedes.handle(guarded(stream, req.socket.remoteAddress), req);
  });
  opts.logger.info({ port, wsPort }, 'mqtt broker listening');
  return {
    port,
    wsPort,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await Promise.all([closeServer(tcp), new Promise<void>((r) => wss.close(() => r())), closeServer(http)]);
    },
  };
}
