import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../../common/errors.ts';
import { PASSWORD_COST, hashSecret } from '../../../common/secrets.ts';
import { deleteUser, getUser, insertUser, listUsers, staffRoleSchema, userSchema } from '../../../db/queries/users.ts';
import type { RouteOptions } from '../app.ts';
import { errorResponses, idParams, idSchema, noContent } from './shared-schemas.ts';

const createBody = z
  .strictObject({
    username: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, ".", "_", "@" or "-"'),
    password: z.string().min(8, 'at least 8 characters').max(200),
    role: staffRoleSchema,
    caregiverId: idSchema.nullable().optional(),
  })
  // a caregiver login sees that caregiver's own alarms, so it must name one; staff logins must not
  .refine((u) => u.role !== 'caregiver' || !!u.caregiverId, { message: 'a caregiver login needs caregiverId', path: ['caregiverId'] })
  .refine((u) => u.role === 'caregiver' || !u.caregiverId, { message: 'only caregiver logins have a caregiverId', path: ['caregiverId'] });

const ROLE = 'Role: admin.';

export const userRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;
  const admin = auth.requireRole('admin');

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
    async () => listUsers(db),
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
          'A caregiver login must name its caregiverId and then sees only the alarms that caregiver was alerted to or accepted; other roles have none.',
        body: createBody,
        response: { 201: userSchema, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      const passwordHash = await hashSecret(password, PASSWORD_COST);
      const user = await insertUser(db, { username, passwordHash, role, caregiverId: request.body.caregiverId ?? null });
      request.log.info({ username, role }, 'staff login created');
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
      const user = await getUser(db, request.params.id);
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
      await deleteUser(db, request.params.id);
      request.log.info({ userId: request.params.id }, 'staff login deleted');
      return reply.code(204).send();
    },
  );
};
