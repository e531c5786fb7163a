import WebSocket from 'ws';

/** A console's /ws connection over a real socket, collecting every message it gets. */
export interface ConsoleSocket {
  ws: WebSocket;
  messages: Array<{ type: string; data: any }>;
  /** The first message that matches: already received (unless `past` is false), or the next one. */
  next(match: (m: { type: string; data: any }) => boolean, ms?: number, past?: boolean): Promise<{ type: string; data: any }>;
  close(): void;
}

export function wsUrl(httpUrl: string, token: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;
}

export function openConsole(url: string): Promise<ConsoleSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: ConsoleSocket['messages'] = [];
    const waiters = new Set<{ match: (m: any) => boolean; done: (m: any) => void }>();
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      messages.push(m);
      for (const w of waiters) if (w.match(m)) (waiters.delete(w), w.done(m));
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        next(match, ms = 15_000, past = true) {
          const seen = past ? messages.find(match) : undefined;
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            const w = { match, done: (m: any) => (clearTimeout(t), res(m)) };
            const t = setTimeout(() => (waiters.delete(w), rej(new Error(`no matching console message within ${ms} ms; got ${messages.map((x) => x.type).join(', ')}`))), ms);
            waiters.add(w);
          });
        },
        close: () => ws.close(),
      }),
    );
  });
}

/** The HTTP status a refused upgrade answered with, and its body. */
export function refusedUpgrade(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => (ws.close(), reject(new Error('the upgrade was accepted'))));
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}
