import { createServer } from 'node:net';

/** The preferred port when nothing listens on it, else 0 (the OS picks a free one). */
export function preferPort(preferred: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, host, () => probe.close(() => resolve(preferred)));
  });
}
