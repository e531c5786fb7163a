import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import {
  areaDependants,
  areaKindSchema,
  areaKinds,
  areaSchema,
  deleteArea,
  getArea,
  insertArea,
  listAreas,
  updateArea,
  type AreaKind,
} from '../../../db/queries/areas.ts';
import type { Scope } from '../../../db/scope.ts';
import type { Queryable } from '../../../db/types.ts';
import { scopeOf } from '../auth.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, idParams, idSchema, nameSchema, noContent, nonEmptyPatch } from './shared-schemas.ts';

const createBody = z.strictObject({
  name: nameSchema,
  kind: areaKindSchema,
  parentId: idSchema.nullable().optional(),
});
const patchBody = nonEmptyPatch(
  z.strictObject({
    name: nameSchema.optional(),
    kind: areaKindSchema.optional(),
    parentId: idSchema.nullable().optional(),
  }),
);
// strict: a misspelt filter must not silently answer the unfiltered list
const listQuery = z.strictObject({
  parentId: idSchema.optional().describe('only the direct sub-areas of this area'),
  kind: areaKindSchema.optional().describe('only areas of this kind'),
});

const ROLES = 'Roles: operator, admin.';
const PLACEMENT = 'A district has no parent (parentId null); a street, community or grid needs the parentId of an area exactly one level up.';

/**
 * district > street > community > grid: a parent is exactly one level up, a district has none.
 * Reads the parent with a share lock so its kind cannot change before the caller commits.
 */
async function checkPlacement(tx: Queryable, scope: Scope, kind: AreaKind, parentId: string | null): Promise<void> {
  const level = areaKinds.indexOf(kind);
  if (level === 0) {
    if (parentId !== null) throw new ValidationError('a district is a top-level area: parentId must be null');
    // a login bound to an area cannot add or move anything outside it
    if (scope.areaId !== null) throw new ValidationError(`a district is a top-level area, outside this login's area ${scope.areaId}`);
    return;
  }
  const expected = areaKinds[level - 1]!;
  if (parentId === null) throw new ValidationError(`a ${kind} needs a parentId: the ${expected} it belongs to`);
  const parent = await getArea(tx, scope, parentId, 'share');
  if (!parent) throw new ValidationError(`parent area ${parentId} does not exist`);
  if (parent.kind !== expected) {
    throw new ValidationError(`a ${kind} must be inside a ${expected}, but ${parentId} is a ${parent.kind}`);
  }
}

export const areaRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const staff = auth.requireRole('operator');

  app.get(
    '/api/areas',
    {
      onRequest: staff,
      schema: {
        operationId: 'listAreas',
        summary: 'List areas',
        description: `${ROLES} The hierarchy is district → street → community → grid; filter by parentId to walk it.`,
        querystring: listQuery,
        response: { 200: z.array(areaSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listAreas(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/areas',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createArea',
        summary: 'Create an area',
        description: `${ROLES} ${PLACEMENT}`,
        body: createBody,
        response: { 201: areaSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { name, kind } = request.body;
      const parentId = request.body.parentId ?? null;
      const area = await db.withTransaction(async (tx) => {
        await checkPlacement(tx, scopeOf(request), kind, parentId);
        return insertArea(tx, { name, kind, parentId });
      });
      return reply.code(201).send(area);
    },
  );

  app.get(
    '/api/areas/:id',
    {
      onRequest: staff,
      schema: {
        operationId: 'getArea',
        summary: 'Get an area',
        description: ROLES,
        params: idParams,
        response: { 200: areaSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const area = await getArea(db, scopeOf(request), request.params.id);
      if (!area) throw new NotFoundError('area', request.params.id);
      return area;
    },
  );

  app.patch(
    '/api/areas/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'updateArea',
        summary: 'Change an area',
        description: `${ROLES} Send at least one field. ${PLACEMENT} The kind changes only while the area has no sub-areas or residents (409).`,
        params: idParams,
        body: patchBody,
        response: { 200: areaSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const patch = request.body;
      return db.withTransaction(async (tx) => {
        const scope = scopeOf(request);
        const current = await getArea(tx, scope, id, 'update');
        if (!current) throw new NotFoundError('area', id);
        const kind = patch.kind ?? current.kind;
        const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
        if (kind !== current.kind) {
          // children and residents were placed for the old kind
          const d = await areaDependants(tx, id);
          if (d.children > 0 || d.residents > 0) {
            throw new ConflictError(
              `cannot change the kind of area ${id}: it contains ${d.children} sub-area(s) and ${d.residents} resident(s)`,
              d,
            );
          }
        }
        if (kind !== current.kind || parentId !== current.parentId) await checkPlacement(tx, scope, kind, parentId);
        return (await updateArea(tx, id, patch))!;
      });
    },
  );

  app.delete(
    '/api/areas/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteArea',
        summary: 'Delete an area',
        description: `${ROLES} 204; 409 while it still has sub-areas or residents.`,
        params: idParams,
        response: { 204: noContent('Deleted'), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await deleteArea(db, scopeOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
};
