import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../../common/config.ts';

/**
 * Starts listening. A taken or forbidden port becomes a ConfigError naming HTTP_PORT (an
 * unusable host, HTTP_HOST), so `npm start` can stop with one clear line.
 */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<{ host: string; port: number; url: string }> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError('HTTP_PORT', `port ${port} on ${host} is already in use; stop the other program or set HTTP_PORT to a free port (0 picks one)`);
    }
    if (code === 'EACCES') {
      throw new ConfigError('HTTP_PORT', `not allowed to listen on port ${port}; choose a port above 1023`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new ConfigError('HTTP_HOST', `${host} is not an address of this machine`);
    }
    throw err;
  }
  const bound = (app.server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { host, port: bound, url: `http://${shown}:${bound}` };
}
