import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Aedes } from 'aedes';
import { ConfigError } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { guardConnection } from './packet-size-guard.ts';

export interface MqttListeners {
  port: number;
  wsPort: number;
  close(): Promise<void>;
}


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

/** MQTT over TCP and over WebSocket (path-agnostic, subprotocol "mqtt"), both size-guarded. */
export async function listenMqtt(
  aedes: Aedes,
  opts: { host: string; port: number; wsPort: number; maxPacketBytes: number; logger: Logger; metrics: Metrics },
): Promise<MqttListeners> {
  const onReject = (remote: string | undefined) => (err: Error) => {
    opts.metrics.messagesRejected.inc({ code: 'packet_too_large' });
    opts.logger.warn({ remote, reason: err.message }, 'mqtt connection dropped: packet too large');
  };
  const tcp = createNetServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(guardConnection(socket, opts.maxPacketBytes, onReject(socket.remoteAddress)));
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
    aedes.handle(guardConnection(stream, opts.maxPacketBytes, onReject(req.socket.remoteAddress)), req);
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
