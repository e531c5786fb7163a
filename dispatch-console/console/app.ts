import websocket from '@fastify/websocket';
import Fastify, { errorCodes, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { ValidationError } from '../../common/errors.ts';
import { authRoutes, createAuth, installAuth } from './auth.ts';
import type { AppDeps, RouteOptions } from './app-deps.ts';
import { useOpenApi } from './openapi.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './error-handler.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { liveStreamRoutes } from './routes/live-stream.ts';
import { areaRoutes } from './routes/areas.ts';
import { twilioWebhookRoutes } from './routes/twilio-webhooks.ts';
import { caregiverRoutes } from './routes/caregivers.ts';
import { deviceRoutes } from './routes/devices.ts';
import { importRoutes } from './routes/import.ts';
import { healthRoutes } from './routes/health.ts';
import { reportRoutes } from './routes/reports.ts';
import { residentRoutes } from './routes/residents.ts';
import { residentDataRoutes } from './routes/resident-data.ts';
import { residentRecordRoutes } from './routes/resident-record.ts';
import { serviceInfoRoutes } from './routes/service-info.ts';
import { shiftRoutes } from './routes/shifts.ts';
import { rotaRoutes } from './routes/rotas.ts';
import { absenceRoutes } from './routes/absences.ts';
import { onDutyRoutes } from './routes/on-duty.ts';
import { userRoutes } from './routes/users.ts';
import { auditRoutes } from './routes/audit.ts';
import { buttonTestRoutes } from './routes/button-tests.ts';
import { AuditTrail } from './audit-trail.ts';
import { webPageRoutes } from './routes/web-page.ts';

export type { AppDeps, HealthStatus, RouteOptions } from './app-deps.ts';

/** The API's version in its OpenAPI description (the package version). */
const API_VERSION = '0.1.0';

// The largest legitimate body (a resident with notes and contacts) is a few KB.
const BODY_LIMIT = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON is the only body the API reads. Bytes that are not UTF-8 are refused (decoding them
 * would store U+FFFD in place of what was sent); an empty body is fine on a route that takes
 * none (a DELETE from a client that always sends Content-Type: application/json); parsing
 * itself is Fastify's, with its __proto__ / constructor protection.
 */
function useJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // text/plain would reach the schemas as a string: a 415 says what is wrong instead
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      done(new ValidationError('the body is not valid UTF-8 text'), undefined);
      return;
    }
    if (text.trim() === '') {
      if (request.routeOptions.schema?.body === undefined) done(null, undefined);
      else done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/** Query parameters whose values are credentials (`/ws?token=…`): their values never reach a log line. */
const SECRET_QUERY = /([?&](?:token|access_token|password|secret)=)[^&#]*/gi;

/** A URL as it may be logged: credential query values replaced by `[redacted]`. */
export function urlForLog(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

/**
 * Fastify's own `req` serializer (the "incoming request" line), with the URL's credentials
 * redacted: the live stream takes its session token in the query string.
 */
function requestForLog(req: { method: string; url: string; host?: string; ip?: string; headers?: Record<string, unknown>; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: urlForLog(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * The console's HTTP API, not yet listening (see server.ts). Later features register more
 * routes on the returned instance; each /api route needs `onRequest: app.requireRole(...)`
 * (see installAuth).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; saying so keeps the instance the plain FastifyInstance type
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // behind a reverse proxy the client is in X-Forwarded-For, believed only from the listed proxies
    ...(deps.config.http.trustProxy.length > 0 && { trustProxy: deps.config.http.trustProxy }),
    frameworkErrors,
    clientErrorHandler,
  });
  useJsonBodies(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  const auth = createAuth(deps.db, { limits: deps.config.loginLimits, ...(deps.clock && { clock: deps.clock }) });
  installAuth(app, auth);

  // Unmatched URLs share one label value, so scanners cannot blow up the series count.
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    });
  });

  // A write route that forgot to say whether it changes routing would leave the dispatcher
  // routing with stale data: refused when the app is built, not found in production.
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!route.url.startsWith('/api/') || methods.every((m) => m === 'GET' || m === 'HEAD')) return;
    if (route.config?.routing === undefined) {
      throw new Error(`route ${methods.join(',')} ${route.url} must declare config: { routing: 'changes' | 'unchanged' }`);
    }
  });
  // who read or changed which record: every answered request of a signed-in user, and logins
  new AuditTrail(deps.db, deps.logger.child({ part: 'audit' })).install(app);

  const dispatch = deps.dispatch;
  if (dispatch) {
    // the routing data is in memory: a change answers only once the dispatcher sees it
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.config.routing === 'changes' && reply.statusCode < 300) await dispatch.directory.changed();
      return payload;
    });
  }

  await useOpenApi(app, API_VERSION, deps.config.http.publicUrl);
  const opts: RouteOptions = { deps, auth };
  await app.register(healthRoutes, opts);
  await app.register(authRoutes, { db: deps.db, config: deps.config, auth });
  await app.register(areaRoutes, opts);
  await app.register(residentRoutes, opts);
  await app.register(buttonTestRoutes, opts);
  await app.register(residentDataRoutes, opts);
  await app.register(residentRecordRoutes, opts);
  await app.register(deviceRoutes, opts);
  await app.register(importRoutes, opts);
  await app.register(caregiverRoutes, opts);
  await app.register(shiftRoutes, opts);
  await app.register(rotaRoutes, opts);
  await app.register(absenceRoutes, opts);
  await app.register(onDutyRoutes, opts);
  await app.register(userRoutes, opts);
  await app.register(reportRoutes, opts);
  await app.register(serviceInfoRoutes, opts);
  await app.register(auditRoutes, opts);
  await app.register(webPageRoutes);
  if (dispatch) {
    await app.register(alarmRoutes, { ...opts, dispatcher: dispatch.dispatcher });
    // on the app itself (injectWS for tests); client messages are a ping or a resync: a few bytes
    await app.register(websocket, { options: { maxPayload: 4096 } });
    await app.register(liveStreamRoutes, { db: deps.db, logger: deps.logger, metrics: deps.metrics, liveLimits: deps.liveLimits, dispatch, auth });
    await app.register(twilioWebhookRoutes, {
      dispatcher: dispatch.dispatcher,
      notifier: dispatch.notifier,
      authToken: deps.config.twilio?.authToken,
      publicUrl: deps.config.http.publicUrl,
    });
  }
  return app;
}
