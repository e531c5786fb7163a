import { createServer, connect, type Socket, type AddressInfo } from 'node:net';

/**
 * A TCP pass-through we can cut and restore: a real network outage between the service and
 * its database, without touching the shared PostgreSQL server.
 */
export async function startTcpProxy(targetHost: string, targetPort: number) {
  const sockets = new Set<Socket>();
  let up = true;
  /** Blackholed: connections are accepted and kept, and nothing passes either way. */
  let held = false;
  const server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (d) => void (held || upstream.write(d)));
    upstream.on('data', (d) => void (held || client.write(d)));
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      up = true;
      if (held) {
        // what a blackhole leaves behind: connections that lost bytes are dead (keepalive, RST)
        held = false;
        for (const s of sockets) s.destroy();
        sockets.clear();
      }
    },
    /** A blackhole: nothing refused, nothing answered (a silently dead network); `restore` ends it. */
    hold: () => {
      held = true;
    },
    close: () => {
      up = false;
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;
