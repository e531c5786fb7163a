import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import { PASSWORD_COST, hashSecret } from '../../../common/secrets.ts';
import { deleteUserSessions } from '../../../db/queries/sessions.ts';
import { deleteUser, getUser, getUserByUsername, insertUser, listUsers, setUserArea, setUserDisabled, setUserPassword, staffRoleSchema, userSchema } from '../../../db/queries/users.ts';
import { assertStrongPassword, scopeOf } from '../auth.ts';
import { getArea } from '../../../db/queries/areas.ts';
import type { Scope } from '../../../db/scope.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, idParams, idSchema, noContent } from './shared-schemas.ts';

const createBody = z
  .strictObject({
    username: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, ".", "_", "@" or "-"'),
    // the strength rules (auth.ts passwordProblems) are checked in the handler, all reasons at once
    password: z.string().min(1).max(200),
    role: staffRoleSchema,
    caregiverId: idSchema.nullable().optional(),
    // the area the login sees and acts in; null or absent: the whole centre
    areaId: idSchema.nullable().optional(),
  })
  // a caregiver login sees that caregiver's own alarms, so it must name one; staff logins must not
  .refine((u) => u.role !== 'caregiver' || !!u.caregiverId, { message: 'a caregiver login needs caregiverId', path: ['caregiverId'] })
  .refine((u) => u.role === 'caregiver' || !u.caregiverId, { message: 'only caregiver logins have a caregiverId', path: ['caregiverId'] });

const updateBody = z
  .strictObject({
    disabled: z.boolean().optional(),
    password: z.string().min(1).max(200).optional(),
    areaId: idSchema.nullable().optional(),
  })
  .refine((u) => u.disabled !== undefined || u.password !== undefined || u.areaId !== undefined, { message: 'send disabled, password and/or areaId' });

const ROLE = 'Role: admin.';
const AREA =
  '`areaId` binds the login to an area (district, street, community or grid): it then sees and acts only on the residents, devices, caregivers, ' +
  'alarms, reports and live-stream messages inside that subtree, and anything outside answers 404. null is the whole centre. ' +
  "An admin bound to an area manages only logins inside it, and binds them inside it.";
const PASSWORD_RULES = 'A password needs at least 12 characters, two kinds of characters (lower case, upper case, digits, others), not one or a few characters repeated, and must not contain the username; a 400 names every rule it breaks.';

export const userRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const admin = auth.requireRole('admin');

  // an area-bound admin binds logins only inside its own area (and never to the whole centre)
  const checkArea = async (scope: Scope, areaId: string | null | undefined): Promise<string | null> => {
    const wanted = areaId ?? scope.areaId;
    if (wanted === null) return null;
    if (!(await getArea(db, scope, wanted))) throw new ValidationError(`areaId: area ${wanted} does not exist`);
    return wanted;
  };

  app.get(
    '/api/users',
    {
      onRequest: admin,
      schema: {
        operationId: 'listUsers',
        summary: 'List staff logins',
        description: ROLE,
        response: { 200: z.array(userSchema), ...errorResponses(401, 403, 503) },
      },
    },
    async (request) => listUsers(db, scopeOf(request)),
  );

  app.post(
    '/api/users',
    {
      config: { routing: 'unchanged' },
      onRequest: admin,
      schema: {
        operationId: 'createUser',
        summary: 'Create a staff login',
        description:
          `${ROLE} role admin (everything), operator (alarms, directory, reports) or caregiver (own alarms). ` +
          'A caregiver login must name its caregiverId and then sees only the alarms that caregiver was alerted to or accepted; other roles have none. ' +
          `${AREA} ${PASSWORD_RULES}`,
        body: createBody,
        response: { 201: userSchema, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      const areaId = await checkArea(scopeOf(request), request.body.areaId);
      // a taken name is the first thing to say (the insert below still decides races)
      if (await getUserByUsername(db, username)) throw new ConflictError(`username ${username} is already taken`);
      assertStrongPassword(password, username);
      const passwordHash = await hashSecret(password, PASSWORD_COST);
      const user = await insertUser(db, { username, passwordHash, role, caregiverId: request.body.caregiverId ?? null, areaId });
      request.log.info({ userId: user.id, username, role, areaId }, 'staff login created');
      return reply.code(201).send(user);
    },
  );

  app.get(
    '/api/users/:id',
    {
      onRequest: admin,
      schema: {
        operationId: 'getUser',
        summary: 'Get a staff login',
        description: ROLE,
        params: idParams,
        response: { 200: userSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const user = await getUser(db, scopeOf(request), request.params.id);
      if (!user) throw new NotFoundError('user', request.params.id);
      return user;
    },
  );

  app.delete(
    '/api/users/:id',
    {
      config: { routing: 'unchanged' },
      onRequest: admin,
      schema: {
        operationId: 'deleteUser',
        summary: 'Delete a staff login',
        description: `${ROLE} 204; 409 for the last enabled admin.`,
        params: idParams,
        response: { 204: noContent('Deleted'), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      if (!(await getUser(db, scopeOf(request), request.params.id))) throw new NotFoundError('user', request.params.id);
      await deleteUser(db, request.params.id);
      // its sessions went with it: its live streams close now
      await auth.sessionsEnded(request.params.id);
      request.log.info({ userId: request.params.id }, 'staff login deleted');
      return reply.code(204).send();
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { routing: 'unchanged' },
      onRequest: admin,
      schema: {
        operationId: 'updateUser',
        summary: 'Disable, re-enable or set the password of a staff login',
        description:
          `${ROLE} \`disabled: true\` ends the login's sessions and closes its live streams at once (409 for the last enabled admin); ` +
          `a new \`password\` or \`areaId\` does the same. ${AREA} ${PASSWORD_RULES}`,
        params: idParams,
        body: updateBody,
        response: { 200: userSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const scope = scopeOf(request);
      const existing = await getUser(db, scope, id);
      if (!existing) throw new NotFoundError('user', id);
      const { disabled, password } = request.body;
      const areaId = request.body.areaId === undefined ? undefined : await checkArea(scope, request.body.areaId);
      if (password !== undefined) assertStrongPassword(password, existing.username);
      let user = existing;
      if (password !== undefined) user = await setUserPassword(db, id, await hashSecret(password, PASSWORD_COST));
      if (disabled !== undefined) user = await setUserDisabled(db, id, disabled);
      if (areaId !== undefined) user = await setUserArea(db, id, areaId);
      // a narrower area must not leave an open live stream seeing the old one
      if (password !== undefined || disabled === true || areaId !== undefined) {
        await deleteUserSessions(db, id);
        await auth.sessionsEnded(id);
      }
      request.log.info({ userId: id, disabled, areaId, passwordChanged: password !== undefined }, 'staff login updated');
      return user;
    },
  );
};
