import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import { deviceIdSchema, serviceKindSchema } from '../../../contract/device-messages.ts';
import { missingAreaIds } from '../../../db/queries/areas.ts';
import {
  caregiverRoleSchema,
  caregiverSchema,
  deleteCaregiver,
  getCaregiver,
  insertCaregiver,
  listCaregivers,
  updateCaregiver,
} from '../../../db/queries/caregivers.ts';
import { getDevice } from '../../../db/queries/devices.ts';
import type { Queryable } from '../../../db/types.ts';
import type { Scope } from '../../../db/scope.ts';
import { currentUser, scopeOf } from '../auth.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, idParams, idSchema, nameSchema, noContent, nonEmptyPatch, phoneSchema } from './shared-schemas.ts';

const areaIds = z
  .array(idSchema)
  .max(500)
  .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]);

// the service kinds they do; the whole set is replaced on a patch
const skills = z
  .array(serviceKindSchema)
  .max(50)
  .transform((list) => [...new Set(list)]);

const createBody = z.strictObject({
  name: nameSchema,
  // the SMS fallback when the wearable is out of reach
  phone: phoneSchema.nullable().optional(),
  wearableId: deviceIdSchema.nullable().optional(),
  areaIds: areaIds.optional(),
  role: caregiverRoleSchema.optional(),
  skills: skills.optional(),
});
const patchBody = nonEmptyPatch(
  z.strictObject({
    name: nameSchema.optional(),
    phone: phoneSchema.nullable().optional(),
    wearableId: deviceIdSchema.nullable().optional(),
    areaIds: areaIds.optional(),
    role: caregiverRoleSchema.optional(),
    skills: skills.optional(),
  }),
);
// strict: a misspelt filter must not silently answer the unfiltered list
const listQuery = z.strictObject({ areaId: idSchema.optional().describe('only caregivers assigned to this very area (sub-areas not included)') });

const ROLES = 'Roles: operator, admin.';
const FIELDS =
  '`phone` is the SMS fallback when the wearable is out of reach; `wearableId` must be a device of kind wearable not worn by another caregiver (409); ' +
  '`areaIds` are the areas they answer for (usually grids); `role` is caregiver (default) or supervisor; ' +
  '`skills` are the service kinds they do (meal, bathing, haircut, housekeeping, massage, doctor, other): a service order goes to on-duty caregivers with its kind first.';

async function checkRefs(tx: Queryable, scope: Scope, wearableId: string | null | undefined, ids: string[] | undefined): Promise<void> {
  if (wearableId) {
    const device = await getDevice(tx, scope, wearableId, 'share');
    if (!device) throw new ValidationError(`wearableId: device ${wearableId} does not exist`);
    if (device.kind !== 'wearable') {
      throw new ValidationError(`wearableId: device ${wearableId} is a ${device.kind}, not a wearable`);
    }
  }
  if (ids && ids.length > 0) {
    const missing = await missingAreaIds(tx, scope, ids);
    if (missing.length > 0) throw new ValidationError(`areaIds: no such area ${missing.join(', ')}`, { missing });
  }
}

export const caregiverRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const staff = auth.requireRole('operator');

  app.get(
    '/api/caregivers',
    {
      onRequest: staff,
      schema: {
        operationId: 'listCaregivers',
        summary: 'List caregivers',
        description: ROLES,
        querystring: listQuery,
        response: { 200: z.array(caregiverSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listCaregivers(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/caregivers',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createCaregiver',
        summary: 'Register a caregiver',
        description: `${ROLES} ${FIELDS}`,
        body: createBody,
        response: { 201: caregiverSchema, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const caregiver = await db.withTransaction(async (tx) => {
        const scope = scopeOf(request);
        // one the login could not see again would be lost to it
        if (scope.areaId !== null && (b.areaIds ?? []).length === 0) throw new ValidationError("areaIds: name at least one area inside this login's area");
        await checkRefs(tx, scope, b.wearableId, b.areaIds);
        return insertCaregiver(tx, scope, {
          name: b.name,
          phone: b.phone ?? null,
          wearableId: b.wearableId ?? null,
          role: b.role ?? 'caregiver',
          areaIds: b.areaIds ?? [],
          skills: b.skills ?? [],
        });
      });
      return reply.code(201).send(caregiver);
    },
  );

  // A caregiver may read their own record (their app shows it); staff read any.
  app.get(
    '/api/caregivers/:id',
    {
      onRequest: auth.requireRole('operator', 'caregiver'),
      schema: {
        operationId: 'getCaregiver',
        summary: 'Get a caregiver',
        description: 'Roles: operator, admin, caregiver. A caregiver login may read only its own caregiver record (403 otherwise).',
        params: idParams,
        response: { 200: caregiverSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { id } = request.params;
      if (user.role === 'caregiver' && user.caregiverId?.toLowerCase() !== id.toLowerCase()) {
        throw new ForbiddenError('caregivers may only read their own record');
      }
      const caregiver = await getCaregiver(db, user.scope, id);
      if (!caregiver) throw new NotFoundError('caregiver', id);
      return caregiver;
    },
  );

  app.patch(
    '/api/caregivers/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'updateCaregiver',
        summary: 'Change a caregiver',
        description: `${ROLES} Send at least one field; null clears phone or wearableId, and \`areaIds\` replaces the whole set. ${FIELDS}`,
        params: idParams,
        body: patchBody,
        response: { 200: caregiverSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const patch = request.body;
      const caregiver = await db.withTransaction(async (tx) => {
        const scope = scopeOf(request);
        await checkRefs(tx, scope, patch.wearableId, patch.areaIds);
        return updateCaregiver(tx, scope, id, patch);
      });
      if (!caregiver) throw new NotFoundError('caregiver', id);
      return caregiver;
    },
  );

  app.delete(
    '/api/caregivers/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteCaregiver',
        summary: 'Delete a caregiver',
        description: `${ROLES} 204; their shifts, area assignments and login go too. 409 once alarms or history refer to them.`,
        params: idParams,
        response: { 204: noContent('Deleted'), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await deleteCaregiver(db, scopeOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
};
