import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import { lockCaregiver } from '../../../db/queries/caregivers.ts';
import { deleteShift, findOverlappingShift, getShift, insertShift, listShifts, shiftSchema } from '../../../db/queries/shifts.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { errorResponses, idParams, idSchema, instantSchema, noContent } from './shared-schemas.ts';

const MAX_SHIFT_MS = 24 * 3600_000;

// zod still runs object refinements when a field failed; then that field is no Date.
const dates = (...values: unknown[]) => values.every((v) => v instanceof Date);

const createBody = z
  .strictObject({ caregiverId: idSchema, start: instantSchema, end: instantSchema })
  .refine((s) => !dates(s.start, s.end) || s.end.getTime() > s.start.getTime(), { message: 'end must be after start', path: ['end'] })
  .refine((s) => !dates(s.start, s.end) || s.end.getTime() - s.start.getTime() <= MAX_SHIFT_MS, { message: 'a shift lasts at most 24 hours', path: ['end'] });

// strict: a misspelt filter must not silently answer the unfiltered list
const listQuery = z
  .strictObject({
    caregiverId: idSchema.optional().describe("only this caregiver's shifts"),
    from: instantSchema.optional().describe('only shifts ending after this ISO 8601 instant, e.g. 2026-11-22T08:00:00Z (no offset: server TZ)'),
    to: instantSchema.optional().describe('only shifts starting before this ISO 8601 instant (after from)'),
    // on duty at that instant
    at: instantSchema.optional().describe('only shifts on duty at this ISO 8601 instant'),
  })
  .refine((q) => !dates(q.from, q.to) || q.from!.getTime() < q.to!.getTime(), { message: 'from must be before to', path: ['to'] });

const ROLES = 'Roles: operator, admin.';

export const shiftRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const staff = auth.requireRole('operator');

  // Without from/to/at: shifts that have not ended (on duty now, and planned).
  app.get(
    '/api/shifts',
    {
      onRequest: staff,
      schema: {
        operationId: 'listShifts',
        summary: 'List shifts',
        description: `${ROLES} Earliest start first. Without from, to or at: the shifts that have not ended (on duty now, and planned).`,
        querystring: listQuery,
        response: { 200: z.array(shiftSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listShifts(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/shifts',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createShift',
        summary: 'Plan a shift',
        description:
          `${ROLES} start and end are ISO 8601 date-times (no offset: server TZ); end after start, at most 24 hours. ` +
          "A shift overlapping one of the caregiver's others answers 409. Who is on duty, and so alerted, follows from the shifts.",
        body: createBody,
        response: { 201: shiftSchema, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const { caregiverId, start, end } = request.body;
      const shift = await db.withTransaction(async (tx) => {
        // the lock makes the overlap check and the insert atomic per caregiver
        if (!(await lockCaregiver(tx, scopeOf(request), caregiverId))) throw new ValidationError(`caregiverId: caregiver ${caregiverId} does not exist`);
        const clash = await findOverlappingShift(tx, caregiverId, start, end);
        if (clash) {
          throw new ConflictError(
            `caregiver ${caregiverId} already has a shift from ${clash.start.toISOString()} to ${clash.end.toISOString()} that overlaps`,
            { shiftId: clash.id },
          );
        }
        return insertShift(tx, { caregiverId, start, end });
      });
      return reply.code(201).send(shift);
    },
  );

  app.get(
    '/api/shifts/:id',
    {
      onRequest: staff,
      schema: {
        operationId: 'getShift',
        summary: 'Get a shift',
        description: ROLES,
        params: idParams,
        response: { 200: shiftSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const shift = await getShift(db, scopeOf(request), request.params.id);
      if (!shift) throw new NotFoundError('shift', request.params.id);
      return shift;
    },
  );

  app.delete(
    '/api/shifts/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteShift',
        summary: 'Delete a shift',
        description: `${ROLES} 204.`,
        params: idParams,
        response: { 204: noContent('Deleted'), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await deleteShift(db, scopeOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
};
