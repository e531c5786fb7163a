import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../common/errors.ts';
import { residentSchema, type Contact, type Resident } from '../../../contract/residents.ts';
import { residentSettingsSchema } from '../../../contract/resident-settings.ts';
import { effectiveSettingsView, residentRules } from '../../core/resident-rules.ts';
import { centreRuleDefaults } from '../../dispatcher/resident-rules.ts';
import { getArea } from '../../../db/queries/areas.ts';
import { deleteResident, getResident, insertResident, listResidents, updateResident } from '../../../db/queries/residents.ts';
import type { Scope } from '../../../db/scope.ts';
import type { Queryable } from '../../../db/types.ts';
import { scopeOf } from '../auth.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, idParams, idSchema, nameSchema, noContent, nonEmptyPatch, phoneSchema, textSchema } from './shared-schemas.ts';

// the contract's Contact as a request may send it: validated, and checked against the type
const contactBody = z.strictObject({
  name: nameSchema,
  phone: phoneSchema,
  relation: textSchema(100).optional(),
}) satisfies z.ZodType<Contact>;

const fields = {
  name: nameSchema,
  areaId: idSchema,
  address: textSchema(500).nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  // medical and key-safe notes that go to the caregiver's wrist with an alarm
  notes: textSchema(2000).nullable().optional(),
  // key safe code, door access: its own field so it can be shown at the door and erased on its own
  accessInfo: textSchema(500).nullable().optional(),
  contacts: z.array(contactBody).max(20).optional(),
  // rule settings over the centre's defaults (DESIGN "Per-resident settings"); replaced whole
  settings: residentSettingsSchema.optional(),
};
const createBody = z.strictObject(fields);
const patchBody = nonEmptyPatch(z.strictObject({ ...fields, name: fields.name.optional(), areaId: fields.areaId.optional() }));
// strict: a misspelt filter must not silently answer the unfiltered list
const listQuery = z.strictObject({ areaId: idSchema.optional().describe('only residents in this area or any area below it') });

const ROLES = 'Roles: operator, admin.';
const FIELDS =
  'areaId must be a grid. `notes` (medical, key safe) go to the caregiver\'s wearable with each alarm; ' +
  '`accessInfo` (key safe code, door access) goes with it too; `contacts` are the family reached by SMS when escalation gets that far. ' +
  '`settings` override the centre\'s rule defaults for this resident (inactivityHours 1..72, wakingHours "HH-HH", checkinBy "HH:MM" | true (the centre\'s CHECKIN_BY) | null (no daily check-in, the default), ' +
  'nightDoorAlarm, bedReturnMinutes, cancelWindowS, away {from, until, reason}); a PATCH replaces the whole object. A single resident answers with `effectiveSettings`: the rules in force and which came from the resident.';

/** Residents live in grids: that is where their caregivers are assigned. */
async function checkGrid(tx: Queryable, scope: Scope, areaId: string): Promise<void> {
  const area = await getArea(tx, scope, areaId, 'share');
  if (!area) throw new ValidationError(`area ${areaId} does not exist`);
  if (area.kind !== 'grid') throw new ValidationError(`residents belong to a grid area, but ${areaId} is a ${area.kind}`);
}

export const residentRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const defaults = centreRuleDefaults(deps.config.dispatch);
  const withEffective = (r: Resident): Resident => ({ ...r, effectiveSettings: effectiveSettingsView(residentRules(defaults, r.settings), r.settings) });
  const staff = auth.requireRole('operator');

  app.get(
    '/api/residents',
    {
      onRequest: staff,
      schema: {
        operationId: 'listResidents',
        summary: 'List residents',
        description: ROLES,
        querystring: listQuery,
        response: { 200: z.array(residentSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listResidents(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/residents',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createResident',
        summary: 'Register a resident',
        description: `${ROLES} ${FIELDS}`,
        body: createBody,
        response: { 201: residentSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const resident = await db.withTransaction(async (tx) => {
        await checkGrid(tx, scopeOf(request), b.areaId);
        return insertResident(tx, {
          name: b.name,
          areaId: b.areaId,
          address: b.address ?? null,
          phone: b.phone ?? null,
          notes: b.notes ?? null,
          accessInfo: b.accessInfo ?? null,
          contacts: b.contacts ?? [],
          settings: b.settings ?? {},
        });
      });
      return reply.code(201).send(resident);
    },
  );

  app.get(
    '/api/residents/:id',
    {
      onRequest: staff,
      schema: {
        operationId: 'getResident',
        summary: 'Get a resident',
        description: ROLES,
        params: idParams,
        response: { 200: residentSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const resident = await getResident(db, scopeOf(request), request.params.id);
      if (!resident) throw new NotFoundError('resident', request.params.id);
      return withEffective(resident);
    },
  );

  app.patch(
    '/api/residents/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'updateResident',
        summary: 'Change a resident',
        description: `${ROLES} Send at least one field; null clears address, phone, notes or accessInfo, and \`contacts\` replaces the whole list. ${FIELDS}`,
        params: idParams,
        body: patchBody,
        response: { 200: residentSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const patch = request.body;
      const resident = await db.withTransaction(async (tx) => {
        const scope = scopeOf(request);
        if (patch.areaId !== undefined) await checkGrid(tx, scope, patch.areaId);
        return updateResident(tx, scope, id, patch);
      });
      if (!resident) throw new NotFoundError('resident', id);
      return withEffective(resident);
    },
  );

  app.delete(
    '/api/residents/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteResident',
        summary: 'Delete a resident',
        description: `${ROLES} 204; the resident's devices stay registered, unassigned. 409 once alarms or history refer to the resident.`,
        params: idParams,
        response: { 204: noContent('Deleted'), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await deleteResident(db, scopeOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
};
