import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import type { Db } from '../db/types.ts';
import { authRoutes, createAuth, installAuth, type Auth } from './auth.ts';
import { installErrorHandler } from './error-handler.ts';
import { areaRoutes } from './routes/areas.ts';
import { caregiverRoutes } from './routes/caregivers.ts';
import { deviceRoutes } from './routes/devices.ts';
import { healthRoutes } from './routes/health.ts';
import { residentRoutes } from './routes/residents.ts';
import { shiftRoutes } from './routes/shifts.ts';
import { userRoutes } from './routes/users.ts';

export interface HealthStatus {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  health: () => Promise<HealthStatus>;
  /** A device was deleted or its secret rotated: the gateway drops its connections. */
  onDeviceRevoked?: (deviceId: string) => void;
}

/** What every route plugin receives. */
export interface RouteOptions {
  deps: AppDeps;
  auth: Auth;
}

// The largest legitimate body (a resident with notes and contacts) is a few KB.
const BODY_LIMIT = 64 * 1024;

/**
 * The console's HTTP API, not yet listening (see server.ts). Later features register more
 * routes on the returned instance; each /api route needs `onRequest: app.requireRole(...)`
 * (see installAuth).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; saying so keeps the instance the plain FastifyInstance type
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: BODY_LIMIT });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  const auth = createAuth(deps.db);
  installAuth(app, auth);

  // Unmatched URLs share one label value, so scanners cannot blow up the series count.
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    });
  });

  const opts: RouteOptions = { deps, auth };
  await app.register(healthRoutes, opts);
  await app.register(authRoutes, { db: deps.db, config: deps.config, auth });
  await app.register(areaRoutes, opts);
  await app.register(residentRoutes, opts);
  await app.register(deviceRoutes, opts);
  await app.register(caregiverRoutes, opts);
  await app.register(shiftRoutes, opts);
  await app.register(userRoutes, opts);
  return app;
}
