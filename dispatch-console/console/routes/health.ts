import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HealthStatus, RouteOptions } from '../app-deps.ts';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/**
 * Each check's own deadline (runtime/health-checks.ts runs them in parallel): one that does not
 * answer in time fails, named, and the others are still reported. Load balancers give up on a
 * probe after a second or so; a database that swallows packets must not make them wait 5.
 */
export const CHECK_DEADLINE_MS = 800;
// Whatever deps.health does, the answer leaves by then (the checks' deadlines come first).
const ANSWER_DEADLINE_MS = 950;

function withTimeout(check: () => Promise<HealthStatus>): Promise<HealthStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health checks took longer than ${ANSWER_DEADLINE_MS} ms`)), ANSWER_DEADLINE_MS);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/** /healthz and /metrics: unauthenticated, for load balancers and Prometheus. */
export const healthRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  // Probes and scrapes arrive every few seconds: keep them out of the info log. Only ever
  // quieter than the app's level (a route level of 'warn' would un-silence a silent logger).
  const logLevel = LEVELS[Math.max(LEVELS.indexOf(app.log.level as (typeof LEVELS)[number]), LEVELS.indexOf('warn'))]!;

  const healthz = {
    operationId: 'getHealth',
    summary: 'Liveness: broker, database, SMS provider',
    description:
      'No authentication. 200 `{"status":"ok","checks":{…}}` when every check (database, broker, sms, dispatcher: each `{"ok","detail"}`) passes, ' +
      `otherwise 503 with "status":"degraded". The checks run in parallel, each within ${CHECK_DEADLINE_MS} ms: one that does not answer in time ` +
      'fails with a detail naming it (`"database: no answer within …"`), so the answer comes within a second.',
    security: [],
  };
  app.get('/healthz', { logLevel, schema: healthz }, async (request, reply) => {
    let status: HealthStatus;
    try {
      status = await withTimeout(deps.health);
    } catch (err) {
      request.log.error({ err }, 'health check failed');
      status = { ok: false, checks: { health: { ok: false, detail: 'health check failed' } } };
    }
    return reply.code(status.ok ? 200 : 503).send({ status: status.ok ? 'ok' : 'degraded', checks: status.checks });
  });

  const metrics = {
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description: 'No authentication. Prometheus text exposition format.',
    security: [],
  };
  app.get('/metrics', { logLevel, schema: metrics }, async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
};
