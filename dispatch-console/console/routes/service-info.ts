import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ValidationError } from '../../../common/errors.ts';
import { eventCountSchema, serviceInfoSchema } from '../../../contract/service-info.ts';
import { countEventsByDevice } from '../../../db/queries/events.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, instantSchema } from './shared-schemas.ts';
import { scopeOf } from '../auth.ts';

const countsQuery = z.strictObject({
  from: instantSchema.describe('window start, ISO 8601 instant, inclusive (by the time the service received the event)'),
  to: instantSchema.optional().describe('window end, exclusive (default: now)'),
});
const MAX_SPAN_MS = 31 * 24 * 3_600_000;

/**
 * Where devices connect, and how many events the service really stored: a simulator or an
 * installer checks what a device's broker acknowledged against what reached the database.
 */
export const serviceInfoRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const staff = auth.requireRole('operator');

  app.get(
    '/api/service',
    {
      onRequest: staff,
      schema: {
        operationId: 'getServiceInfo',
        summary: "The service's device endpoints and clock",
        description:
          'Roles: operator, admin. The MQTT addresses devices connect to (the embedded broker may run on another port than 1883 when the demo moved it) and the service time.',
        response: { 200: serviceInfoSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async () => {
      const endpoints = deps.endpoints?.();
      if (!endpoints) throw new AppError('unavailable', 'the device broker is not listening yet');
      // Node sets the process zone from TZ (validated at start); the resolved zone is the configured one
      return { ...endpoints, now: new Date().toISOString(), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    },
  );

  app.get(
    '/api/events/counts',
    {
      onRequest: staff,
      schema: {
        operationId: 'countEventsByDevice',
        summary: 'Events stored per device in a window',
        description:
          'Roles: operator, admin. Counts the device events stored with a receive time in [from, to) (at most 31 days), per device, busiest first; devices with none are left out.',
        querystring: countsQuery,
        response: { 200: z.array(eventCountSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const to = request.query.to ?? new Date();
      const from = request.query.from;
      if (from.getTime() >= to.getTime()) throw new ValidationError('from must be before to');
      if (to.getTime() - from.getTime() > MAX_SPAN_MS) throw new ValidationError('the window may span at most 31 days');
      return countEventsByDevice(deps.db, scopeOf(request), from, to);
    },
  );
};
