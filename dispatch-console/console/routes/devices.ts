import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import { DEVICE_SECRET_COST, generateToken, hashSecret } from '../../../common/secrets.ts';
import { deviceIdSchema, deviceKindSchema } from '../../../contract/device-messages.ts';
import {
  deleteDevice,
  deviceSchema,
  deviceWearer,
  getDevice,
  insertDevice,
  listDevices,
  setDeviceSecretHash,
  updateDevice,
} from '../../../db/queries/devices.ts';
import { getResident } from '../../../db/queries/residents.ts';
import type { Scope } from '../../../db/scope.ts';
import type { Queryable } from '../../../db/types.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { deviceIdParams, errorResponses, idSchema, noContent, nonEmptyPatch } from './shared-schemas.ts';

// seconds between the messages a device must send (a week at most); null = the kind's default
const heartbeatS = z
  .number()
  .int()
  .min(0)
  .max(604_800)
  .nullable()
  .optional()
  .describe("supervision interval in seconds: silent for twice this raises a technical device.offline alarm; 0 = not supervised; null = the kind's default (300, sensors 900)");
const createBody = z.strictObject({
  id: deviceIdSchema.optional(),
  kind: deviceKindSchema,
  residentId: idSchema.nullable().optional(),
  heartbeatS,
});
const patchBody = nonEmptyPatch(
  z.strictObject({
    kind: deviceKindSchema.optional(),
    residentId: idSchema.nullable().optional(),
    // out of service (lost, stolen, returned): refused at connect, its connections dropped at once
    disabled: z.boolean().optional(),
    heartbeatS,
  }),
);
// strict: a misspelt filter must not silently answer the unfiltered list
const listQuery = z.strictObject({
  residentId: idSchema.optional().describe("only this resident's devices"),
  kind: deviceKindSchema.optional().describe('only devices of this kind'),
});
const withSecret = deviceSchema.extend({ secret: z.string() });
const secretReply = z.object({ id: z.string(), secret: z.string() });

const ROLES = 'Roles: operator, admin.';
const HEARTBEAT =
  '`heartbeatS`: how often the device must be heard (any message); silent for twice that raises one technical `device.offline` alarm, ' +
  "resolved (`restored`) when it is heard again. Stored null = the kind's default (300 s; 900 s for sensors); 0 = not supervised. " +
  'Answers show the effective value.';
const RECONNECT = "the device's MQTT connections are dropped";

/** A wearable is worn by a caregiver; it has no resident. */
function checkWearable(kind: string, residentId: string | null): void {
  if (kind === 'wearable' && residentId !== null) {
    throw new ValidationError('a wearable belongs to a caregiver (set caregivers.wearableId), not to a resident: residentId must be null');
  }
}

/** Device ids are MQTT usernames and topic levels; the generated ones are plain and unique. */
function newDeviceId(): string {
  return deviceIdSchema.parse(`dev-${generateToken(9)}`);
}

export const deviceRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const staff = auth.requireRole('operator');
  const admin = auth.requireRole('admin');

  // a resident outside the login's area is as unknown as one that does not exist
  const checkResident = async (scope: Scope, residentId: string | null, q: Queryable = db) => {
    if (residentId !== null && !(await getResident(q, scope, residentId))) throw new ValidationError(`resident ${residentId} does not exist`);
  };

  // Whatever the gateway does on revocation (disconnect, forget cached auth) must not undo
  // the change already committed here, so its failure is logged rather than answered.
  const revoked = (id: string, log: { error(obj: object, msg: string): void }) => {
    try {
      deps.onDeviceRevoked?.(id);
    } catch (err) {
      log.error({ err, deviceId: id }, 'onDeviceRevoked failed');
    }
  };

  app.get(
    '/api/devices',
    {
      onRequest: staff,
      schema: {
        operationId: 'listDevices',
        summary: 'List devices',
        description: ROLES,
        querystring: listQuery,
        response: { 200: z.array(deviceSchema), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listDevices(db, scopeOf(request), request.query),
  );

  app.post(
    '/api/devices',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'createDevice',
        summary: 'Provision a device',
        description:
          `${ROLES} Answers the device with its MQTT password \`secret\`, once: only a hash is kept, so store it now ` +
          '(a lost secret is replaced with POST /api/devices/{id}/secret). Without `id` one is generated (`dev-…`). ' +
          'A wearable belongs to a caregiver (caregivers.wearableId), not a resident: its residentId must be null. ' +
          HEARTBEAT,
        body: createBody,
        response: { 201: withSecret, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const residentId = request.body.residentId ?? null;
      checkWearable(request.body.kind, residentId);
      await checkResident(scopeOf(request), residentId);
      const id = request.body.id ?? newDeviceId();
      // The secret exists in clear only in this answer; the database keeps its hash.
      const secret = generateToken();
      const secretHash = await hashSecret(secret, DEVICE_SECRET_COST);
      const device = await insertDevice(db, { id, kind: request.body.kind, residentId, secretHash, heartbeatS: request.body.heartbeatS });
      request.log.info({ deviceId: id, kind: device.kind }, 'device provisioned');
      return reply.code(201).send({ ...device, secret });
    },
  );

  app.get(
    '/api/devices/:id',
    {
      onRequest: staff,
      schema: {
        operationId: 'getDevice',
        summary: 'Get a device',
        description: ROLES,
        params: deviceIdParams,
        response: { 200: deviceSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const device = await getDevice(db, scopeOf(request), request.params.id);
      if (!device) throw new NotFoundError('device', request.params.id);
      return device;
    },
  );

  app.patch(
    '/api/devices/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'updateDevice',
        summary: 'Change a device',
        description:
          `${ROLES} Send at least one field. When kind or residentId changes, ${RECONNECT} (it reconnects with its new identity). ` +
          `\`disabled: true\` takes the device out of service: ${RECONNECT} at once and it is refused (CONNACK 5) until \`disabled: false\`. ` +
          "A caregiver's wearable cannot change kind until it is unassigned (409). " +
          HEARTBEAT,
        params: deviceIdParams,
        body: patchBody,
        response: { 200: deviceSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      // locked, so that a caregiver cannot be given this wearable while it stops being one
      const { before, after } = await db.withTransaction(async (tx) => {
        const scope = scopeOf(request);
        const current = await getDevice(tx, scope, id, 'update');
        if (!current) throw new NotFoundError('device', id);
        if (request.body.residentId !== undefined) await checkResident(scope, request.body.residentId, tx);
        const kind = request.body.kind ?? current.kind;
        checkWearable(kind, request.body.residentId === undefined ? current.residentId : request.body.residentId);
        if (current.kind === 'wearable' && kind !== 'wearable') {
          const wearer = await deviceWearer(tx, id);
          if (wearer) throw new ConflictError(`device ${id} is the wearable of caregiver ${wearer}; unassign it first`);
        }
        const device = await updateDevice(tx, id, request.body);
        if (!device) throw new NotFoundError('device', id);
        return { before: current, after: device };
      });
      // its connections carry the old identity (kind, resident): make them reconnect
      if (before.kind !== after.kind || before.residentId !== after.residentId || (after.disabled && !before.disabled)) revoked(id, request.log);
      if (before.disabled !== after.disabled) request.log.info({ deviceId: id, disabled: after.disabled }, after.disabled ? 'device disabled' : 'device enabled');
      return after;
    },
  );

  app.delete(
    '/api/devices/:id',
    {
      config: { routing: 'changes' },
      onRequest: staff,
      schema: {
        operationId: 'deleteDevice',
        summary: 'Delete a device',
        description: `${ROLES} 204, and ${RECONNECT}. 409 once alarms or history refer to it.`,
        params: deviceIdParams,
        response: { 204: noContent('Deleted'), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await deleteDevice(db, scopeOf(request), request.params.id);
      request.log.info({ deviceId: request.params.id }, 'device deleted');
      revoked(request.params.id, request.log);
      return reply.code(204).send();
    },
  );

  // Rotation: the old secret stops working at once, connected sessions are dropped.
  app.post(
    '/api/devices/:id/secret',
    {
      config: { routing: 'changes' },
      onRequest: admin,
      schema: {
        operationId: 'rotateDeviceSecret',
        summary: "Rotate a device's secret",
        description: `Role: admin. Answers the new secret, once; the old one stops working at once and ${RECONNECT}.`,
        params: deviceIdParams,
        response: { 200: secretReply, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const secret = generateToken();
      const found = await setDeviceSecretHash(db, scopeOf(request), id, await hashSecret(secret, DEVICE_SECRET_COST));
      if (!found) throw new NotFoundError('device', id);
      request.log.info({ deviceId: id }, 'device secret rotated');
      revoked(id, request.log);
      return { id, secret };
    },
  );
};
