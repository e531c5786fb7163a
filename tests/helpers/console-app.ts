import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../common/clock.ts';
import { loadConfig, type Config } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { createMetrics, type Metrics } from '../../common/metrics.ts';
import type { Db } from '../../db/types.ts';
import { buildApp, type HealthStatus } from '../../dispatch-console/console/app.ts';
import { ensureFirstAdmin } from '../../dispatch-console/console/auth.ts';
import { ADMIN, apiClient } from './api-client.ts';
import { createTestDb, type TestDbKind } from './test-db.ts';

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
export async function startConsole(kind: TestDbKind, o: { clock?: Clock } = {}): Promise<ConsoleHarness> {
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
    clock: o.clock,
  });
  await app.ready();
  harness.app = app;
  harness.close = async () => {
    await app.close();
    await cleanup();
  };
  harness.adminToken = await apiClient(app).login();
  return harness;
}
