import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../../common/errors.ts';
import { absenceReasonSchema, absenceSchema, absenceWriteSchema, dutyDeleteSchema, MAX_ABSENCE_DAYS } from '../../../contract/duty.ts';
import { deleteAbsence, insertAbsence, listAbsences } from '../../../db/queries/absences.ts';
import { lockCaregiver } from '../../../db/queries/caregivers.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { gapsAfterChange } from '../duty-answers.ts';
import { errorResponses, idParams, idSchema, instantSchema } from './shared-schemas.ts';

const ROLES = 'Roles: operator, admin.';
const MAX_MS = MAX_ABSENCE_DAYS * 86_400_000;

// zod still runs object refinements when a field failed; then that field is no Date.
const dates = (...values: unknown[]) => values.every((v) => v instanceof Date);

const createBody = z
  .strictObject({ caregiverId: idSchema, start: instantSchema, end: instantSchema, reason: absenceReasonSchema })
  .refine((a) => !dates(a.start, a.end) || a.end.getTime() > a.start.getTime(), { message: 'end must be after start', path: ['end'] })
  .refine((a) => !dates(a.start, a.end) || a.end.getTime() - a.start.getTime() <= MAX_MS, {
    message: `an absence lasts at most ${MAX_ABSENCE_DAYS} days (enter a longer one as several)`,
    path: ['end'],
  });

const listQuery = z
  .strictObject({
    caregiverId: idSchema.optional().describe("only this caregiver's absences"),
    from: instantSchema.optional().describe('only absences ending after this ISO 8601 instant'),
    to: instantSchema.optional().describe('only absences starting before this ISO 8601 instant (after from)'),
  })
  .refine((q) => !dates(q.from, q.to) || q.from!.getTime() < q.to!.getTime(), { message: 'from must be before to', path: ['to'] });

export const absenceRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const staff = auth.requireRole('operator');
  const ctx = { db, directory: deps.dispatch?.directory };

  app.get(
    '/api/absences',
    {
      onRequest: staff,
      schema: {
        operationId: 'listAbsences',
        summary: 'List absences',
        description: `${ROLES} Earliest start first; from/to: those overlapping that window.`,
        querystring: listQuery,
        response: { 200: z.array(absenceSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listAbsences(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/absences',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createAbsence',
        summary: 'Record an absence',
        description:
          `${ROLES} Leave, sickness, training or other: the caregiver is off duty in [start, end), whatever rota or shift says ` +
          `(ISO 8601 instants, no offset: server TZ; end after start, at most ${MAX_ABSENCE_DAYS} days). Open alarms waiting on them move on. ` +
          'The answer carries gaps: windows in the next 7 days where a grid the caregiver covers has nobody on duty.',
        body: createBody,
        response: { 201: absenceWriteSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { caregiverId } = request.body;
      const scope = scopeOf(request);
      const absence = await db.withTransaction(async (tx) => {
        if (!(await lockCaregiver(tx, scope, caregiverId))) throw new ValidationError(`caregiverId: caregiver ${caregiverId} does not exist`);
        return insertAbsence(tx, request.body);
      });
      return reply.code(201).send({ ...absence, gaps: await gapsAfterChange(ctx, scope, caregiverId) });
    },
  );

  app.delete(
    '/api/absences/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteAbsence',
        summary: 'Delete an absence',
        description: `${ROLES} The caregiver is back on duty as rota and shifts say. Answers the id and the gaps left in the next 7 days.`,
        params: idParams,
        response: { 200: dutyDeleteSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const caregiverId = await deleteAbsence(db, scope, request.params.id);
      return { id: request.params.id, gaps: await gapsAfterChange(ctx, scope, caregiverId) };
    },
  );
};
