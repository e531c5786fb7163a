import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { onDutySchema } from '../../../contract/duty.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { dutyNow, onDutyAnswer } from '../duty-answers.ts';
import { errorResponses, instantSchema } from './shared-schemas.ts';

const query = z.strictObject({ at: instantSchema.optional().describe('the ISO 8601 instant to answer for (default now; no offset: server TZ)') });

export const onDutyRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const ctx = { db: deps.db, directory: deps.dispatch?.directory };
  app.get(
    '/api/on-duty',
    {
      onRequest: auth.requireRole('operator'),
      schema: {
        operationId: 'onDuty',
        summary: 'Who is on duty, per grid',
        description:
          "Roles: operator, admin. Every grid in the caller's area with the caregivers covering it (assigned to it or to an area above it) " +
          'who are on duty at `at`, from rotas + one-off shifts − absences: exactly what routing uses. `until`: when their current duty ends. ' +
          'A grid nobody covers has an empty list.',
        querystring: query,
        response: { 200: onDutySchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => onDutyAnswer(ctx, scopeOf(request), request.query.at ?? dutyNow(ctx)),
  );
};
