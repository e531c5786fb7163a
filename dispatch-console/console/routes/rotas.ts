import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../common/errors.ts';
import { dutyDeleteSchema, rotaFields, rotaSchema, rotaWriteSchema } from '../../../contract/duty.ts';
import { lockCaregiver } from '../../../db/queries/caregivers.ts';
import { deleteRota, getRota, insertRota, listRotas, updateRota, type RotaFields } from '../../../db/queries/rotas.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { gapsAfterChange } from '../duty-answers.ts';
import { errorResponses, idParams, idSchema, nonEmptyPatch } from './shared-schemas.ts';

const ROLES = 'Roles: operator, admin.';
const PATTERN =
  'days: 1-7 distinct of mon…sun; start/end: HH:MM local time (TZ), end ≤ start runs past midnight into the next day (the day counts by its start); ' +
  'from/until: inclusive local dates (YYYY-MM-DD) bounding the start day, until null = open-ended, from ≤ until. ' +
  'The answer carries gaps: windows in the next 7 days where a grid the caregiver covers has nobody on duty (allowed, flagged).';

const inOrder = (from: unknown, until: unknown) => typeof from !== 'string' || typeof until !== 'string' || from <= until;
const UNTIL_BEFORE_FROM = { message: 'until must be on or after from', path: ['until'] };

const createBody = z
  .strictObject({ caregiverId: idSchema, ...rotaFields, until: rotaFields.until.optional().default(null) })
  .refine((r) => inOrder(r.from, r.until), UNTIL_BEFORE_FROM);

const patchBody = nonEmptyPatch(
  z.strictObject({
    days: rotaFields.days.optional(),
    start: rotaFields.start.optional(),
    end: rotaFields.end.optional(),
    from: rotaFields.from.optional(),
    until: rotaFields.until.optional(),
  }),
);

const listQuery = z.strictObject({ caregiverId: idSchema.optional().describe("only this caregiver's rotas") });

export const rotaRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const staff = auth.requireRole('operator');
  const ctx = { db, directory: deps.dispatch?.directory };

  app.get(
    '/api/rotas',
    {
      onRequest: staff,
      schema: {
        operationId: 'listRotas',
        summary: 'List rotas',
        description: `${ROLES} Weekly duty patterns of the caregivers in the caller's area.`,
        querystring: listQuery,
        response: { 200: z.array(rotaSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listRotas(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/rotas',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createRota',
        summary: 'Add a weekly rota',
        description: `${ROLES} ${PATTERN} A caregiver outside the caller's area or unknown answers 400. Who is on duty, and so alerted, follows at once.`,
        body: createBody,
        response: { 201: rotaWriteSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { caregiverId, ...fields } = request.body;
      const scope = scopeOf(request);
      const rota = await db.withTransaction(async (tx) => {
        if (!(await lockCaregiver(tx, scope, caregiverId))) throw new ValidationError(`caregiverId: caregiver ${caregiverId} does not exist`);
        return insertRota(tx, caregiverId, fields);
      });
      return reply.code(201).send({ ...rota, gaps: await gapsAfterChange(ctx, scope, caregiverId) });
    },
  );

  app.get(
    '/api/rotas/:id',
    {
      onRequest: staff,
      schema: {
        operationId: 'getRota',
        summary: 'Get a rota',
        description: ROLES,
        params: idParams,
        response: { 200: rotaSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const rota = await getRota(db, scopeOf(request), request.params.id);
      if (!rota) throw new NotFoundError('rota', request.params.id);
      return rota;
    },
  );

  app.patch(
    '/api/rotas/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'updateRota',
        summary: 'Change a rota',
        description: `${ROLES} Any of days, start, end, from, until (the caregiver stays). ${PATTERN}`,
        params: idParams,
        body: patchBody,
        response: { 200: rotaWriteSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const rota = await db.withTransaction(async (tx) => {
        const old = await getRota(tx, scope, request.params.id, true);
        if (!old) throw new NotFoundError('rota', request.params.id);
        const p = request.body;
        const next: RotaFields = {
          days: p.days ?? old.days,
          start: p.start ?? old.start,
          end: p.end ?? old.end,
          from: p.from ?? old.from,
          until: p.until === undefined ? old.until : p.until,
        };
        if (!inOrder(next.from, next.until)) throw new ValidationError(`until: must be on or after from (${next.from})`);
        return updateRota(tx, old.id, old.caregiverId, next);
      });
      return { ...rota, gaps: await gapsAfterChange(ctx, scope, rota.caregiverId) };
    },
  );

  app.delete(
    '/api/rotas/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteRota',
        summary: 'Delete a rota',
        description: `${ROLES} Answers the id and the gaps the caregiver's grids are left with in the next 7 days.`,
        params: idParams,
        response: { 200: dutyDeleteSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const caregiverId = await deleteRota(db, scope, request.params.id);
      return { id: request.params.id, gaps: await gapsAfterChange(ctx, scope, caregiverId) };
    },
  );
};
