import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { createMetrics, type Metrics } from '../../common/metrics.ts';
import type { Db } from '../../db/types.ts';
import { buildApp, type HealthStatus } from '../../dispatch-console/console/app.ts';
import { ensureFirstAdmin } from '../../dispatch-console/console/auth.ts';
import { createTestDb, type TestDbKind } from './test-db.ts';

export const ADMIN = { username: 'root', password: 'correct horse battery staple' };

export interface ConsoleHarness {
  app: FastifyInstance;
  db: Db;
  config: Config;
  metrics: Metrics;
  /** Device ids passed to onDeviceRevoked, in order. */
  revoked: string[];
  /** What deps.health() answers; tests flip it. */
  health: HealthStatus;
  adminToken: string;
  close(): Promise<void>;
}

/** A console app on a fresh real database, with the first admin created and logged in. */
export async function startConsole(kind: TestDbKind): Promise<ConsoleHarness> {
  const { db, cleanup } = await createTestDb(kind);
  const config = loadConfig({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const revoked: string[] = [];
  const harness = {
    db,
    config,
    metrics,
    revoked,
    health: { ok: true, checks: { database: { ok: true } } } as HealthStatus,
  } as ConsoleHarness;
  await ensureFirstAdmin(db, config.admin, logger);
  const app = await buildApp({
    config,
    db,
    logger,
    metrics,
    health: async () => harness.health,
    onDeviceRevoked: (id) => revoked.push(id),
  });
  await app.ready();
  harness.app = app;
  harness.close = async () => {
    await app.close();
    await cleanup();
  };
  harness.adminToken = await login(app, ADMIN.username, ADMIN.password);
  return harness;
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

export interface ApiResponse {
  status: number;
  // test code reads arbitrary fields of the answer
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Record<string, unknown>;
}

/** JSON requests through app.inject() with a bearer token. */
export function client(app: FastifyInstance, token: string | undefined) {
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<ApiResponse> => {
    const res = await app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    const text = res.body;
    let body: unknown = undefined;
    if (text !== '' && String(res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
    return { status: res.statusCode, body, text, headers: res.headers };
  };
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload: unknown = {}) => send('POST', url, payload),
    patch: (url: string, payload: unknown) => send('PATCH', url, payload),
    del: (url: string) => send('DELETE', url),
  };
}
export type Client = ReturnType<typeof client>;
