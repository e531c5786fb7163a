import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../../common/config.ts';

/** TLS_CERT and TLS_KEY (PEM): the console answers HTTPS on HTTP_PORT instead of HTTP. */
export interface HttpsOptions {
  cert: string;
  key: string;
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError('HTTP_PORT', `port ${port} on ${host} is already in use; stop the other program or set HTTP_PORT to a free port (0 picks one)`);
  }
  if (code === 'EACCES') {
    return new ConfigError('HTTP_PORT', `not allowed to listen on port ${port}; choose a port above 1023`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError('HTTP_HOST', `${host} is not an address of this machine`);
  }
  return err;
}

/**
 * Starts listening. A taken or forbidden port becomes a ConfigError naming HTTP_PORT (an
 * unusable host, HTTP_HOST), so `npm start` can stop with one clear line. With `https`, the
 * app is served by an HTTPS server of its own (see serveHttps).
 */
export async function listen(
  app: FastifyInstance,
  host: string,
  port: number,
  https?: HttpsOptions | undefined,
): Promise<{ host: string; port: number; url: string }> {
  let bound: number;
  try {
    if (https) bound = await serveHttps(app, host, port, https);
    else {
      await app.listen({ host, port });
      bound = (app.server.address() as AddressInfo).port;
    }
  } catch (err) {
    throw listenError(err, host, port);
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  return { host, port: bound, url: `${https ? 'https' : 'http'}://${shown}:${bound}` };
}

/**
 * Fastify picks HTTP or HTTPS when the instance is built; buildApp builds a plain one, so
 * HTTPS is an https.Server in front of it: requests go to the app's own handler
 * (`app.routing`, what its http server would call), WebSocket upgrades and client errors
 * to the handlers the app and its plugins put on `app.server`, which itself never listens.
 * The server closes with the app.
 */
async function serveHttps(app: FastifyInstance, host: string, port: number, tls: HttpsOptions): Promise<number> {
  const server: HttpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => app.routing(req, res));
  const plain = app.server;
  // the timeouts Fastify set on its own server
  server.keepAliveTimeout = plain.keepAliveTimeout;
  server.headersTimeout = plain.headersTimeout;
  server.requestTimeout = plain.requestTimeout;
  server.timeout = plain.timeout;
  server.maxRequestsPerSocket = plain.maxRequestsPerSocket;
  server.on('upgrade', (req, socket, head) => plain.emit('upgrade', req, socket, head));
  server.on('clientError', (err, socket) => plain.emit('clientError', err, socket));
  server.on('tlsClientError', (err) => app.log.debug({ err: err.message }, 'https handshake failed'));
  app.addHook('onClose', async () => {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  });
  await app.ready();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
