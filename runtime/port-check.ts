import { createServer } from 'node:net';
import { ConfigError } from '../common/config.ts';

export interface PortClaim {
  /** The variable that sets it, named in the one-line refusal. */
  variable: string;
  host: string;
  port: number;
}

function probe({ variable, host, port }: PortClaim): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new ConfigError(variable, `port ${port} on ${host} is already in use; stop the other program or set ${variable} to a free port (0 picks one)`));
      } else if (err.code === 'EACCES') {
        reject(new ConfigError(variable, `not allowed to listen on port ${port}; choose a port above 1023`));
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(new ConfigError(variable, `${host} is not an address of this machine`));
      } else reject(err);
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * Every fixed port is tried before the database is opened, so a start that cannot listen
 * creates nothing (no migration, no first admin whose generated password would be lost).
 * The real listeners still map their own errors the same way: another program may take a
 * port in between.
 */
export async function checkPortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) if (claim.port !== 0) await probe(claim);
}
