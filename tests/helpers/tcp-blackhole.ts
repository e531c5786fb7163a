import { createServer, connect, type Socket, type AddressInfo } from 'node:net';

/**
 * A TCP pass-through that can turn into a black hole: connections stay open and new ones are
 * accepted, but nothing gets through and nothing is answered (a firewall dropping packets, a
 * database host that hangs). Unlike tests/helpers/tcp-proxy.ts's cut, nobody is told the link
 * is gone: only a deadline notices.
 */
export async function startTcpBlackhole(targetHost: string, targetPort: number) {
  const sockets = new Set<Socket>();
  let holding = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => s.destroy()).on('close', () => sockets.delete(s));
  };
  const server = createServer((client) => {
    track(client);
    if (holding) return void client.on('data', () => undefined); // read and drop: the peer's sends succeed
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    // forwarded only while not holding; what arrives while holding is dropped, as on a dead route
    client.on('data', (chunk) => holding || upstream.write(chunk));
    upstream.on('data', (chunk) => holding || client.write(chunk));
    const drop = () => (client.destroy(), upstream.destroy());
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    /** From now on nothing passes in either direction, and nothing is closed. */
    blackhole: () => {
      holding = true;
    },
    /** Traffic passes again; connections that lost bytes in the hole are reset, as their peers would find. */
    restore: () => {
      holding = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => {
      holding = true;
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
