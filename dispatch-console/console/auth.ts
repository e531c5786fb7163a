import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../common/config.ts';
import { ConflictError, ForbiddenError, UnauthorizedError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { PASSWORD_COST, generateToken, hashSecret, tokenDigest, verifySecret } from '../../common/secrets.ts';
import { deleteExpiredSessions, deleteSession, getSessionUser, insertSession } from '../../db/queries/sessions.ts';
import { firstAdmin, getUserByUsername, insertUser, staffRoleSchema, type StaffRole } from '../../db/queries/users.ts';
import type { Db, Queryable } from '../../db/types.ts';
import { errorResponses, noContent, storableText } from './routes/shared-schemas.ts';

/** The signed-in staff member of a request. */
export interface AuthUser {
  id: string;
  username: string;
  role: StaffRole;
  caregiverId: string | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Auth.requireRole, for routes registered by later features. */
    requireRole: Auth['requireRole'];
  }
  interface FastifyRequest {
    /** Set by a requireRole() hook; null on public routes. */
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** An /api route without requireRole() must say so explicitly (see installAuth). */
    public?: boolean;
    /**
     * Every /api write says whether it changes whom alarms are routed to (areas, residents,
     * devices, caregivers, shifts): after a successful 'changes' the dispatcher re-reads its
     * routing data before the answer leaves (see app.ts, which refuses a write that says neither).
     */
    routing?: 'changes' | 'unchanged';
  }
}

export interface Auth {
  /** The staff member a session token belongs to (the live stream's `?token=`); throws Unauthorized. */
  userForToken(token: string): Promise<AuthUser>;
  /** onRequest hook: 401 without a valid session, 403 unless the role is listed (admin always passes). */
  requireRole(...roles: StaffRole[]): onRequestAsyncHookHandler;
}

const roleChecks = new WeakSet<object>();

/** The signed-in user of a request behind requireRole(); a route without one is a bug. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new UnauthorizedError();
  return request.user;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function createAuth(db: Db): Auth {
  const userForToken = async (token: string): Promise<AuthUser> => {
    const digest = tokenDigest(token);
    const session = await getSessionUser(db, digest);
    if (!session) throw new UnauthorizedError('invalid or expired token; log in again', 'session_expired');
    if (session.expiresAt.getTime() <= Date.now()) {
      await deleteSession(db, digest);
      throw new UnauthorizedError('invalid or expired token; log in again', 'session_expired');
    }
    return { id: session.userId, username: session.username, role: session.role, caregiverId: session.caregiverId };
  };
  const authenticate = (request: FastifyRequest): Promise<AuthUser> => {
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError('authentication required: send Authorization: Bearer <token> (POST /api/login)');
    return userForToken(token);
  };

  return {
    userForToken,
    requireRole(...roles) {
      const hook: onRequestAsyncHookHandler = async (request) => {
        const user = await authenticate(request);
        request.user = user;
        if (user.role !== 'admin' && !roles.includes(user.role)) {
          throw new ForbiddenError(`this needs the role ${['admin', ...roles.filter((r) => r !== 'admin')].join(' or ')}`, 'role_required');
        }
      };
      roleChecks.add(hook);
      return hook;
    },
  };
}

/**
 * Fails closed: every /api route must carry a requireRole() onRequest hook (checked before the
 * body is parsed, so anonymous callers learn nothing from validation) or be marked
 * `config: { public: true }`. A route that forgets both stops the app from building.
 */
export function installAuth(app: FastifyInstance, auth: Auth): void {
  app.decorate('requireRole', auth.requireRole);
  app.decorateRequest('user', null);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.config?.public === true) return;
    const hooks = [route.onRequest ?? []].flat();
    if (!hooks.some((h) => roleChecks.has(h))) {
      throw new Error(`route ${String(route.method)} ${route.url} has no onRequest: app.requireRole(...) and is not marked config: { public: true }`);
    }
  });
}

const loginBody = z.strictObject({
  // looked up in the database, which refuses NUL in text
  username: storableText().min(1).max(200),
  password: z.string().min(1).max(1000),
});
const loginReply = z.object({
  token: z.string(),
  expiresAt: z.date(),
  role: staffRoleSchema,
  username: z.string(),
  caregiverId: z.string().nullable(),
});

// Unknown users still cost one scrypt, so response time does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;
const timingDecoy = () => (dummyHash ??= hashSecret(generateToken(), PASSWORD_COST));

/** POST /api/login, POST /api/logout, GET /api/me. */
export const authRoutes: FastifyPluginAsyncZod<{ db: Db; config: Config; auth: Auth }> = async (app, { db, config, auth }) => {
  app.post(
    '/api/login',
    {
      config: { public: true, routing: 'unchanged' },
      schema: {
        operationId: 'login',
        summary: 'Log in: get a bearer token',
        description:
          'No authentication. Answers a session token to send as `Authorization: Bearer <token>` (or `/ws?token=`), its expiry, ' +
          'the role and, for a caregiver login, its caregiverId. Unknown user, wrong password and disabled login answer the same 401.',
        security: [],
        body: loginBody,
        response: { 200: loginReply, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const user = await getUserByUsername(db, username);
      const ok = user ? await verifySecret(password, user.passwordHash) : (await verifySecret(password, await timingDecoy()), false);
      // One message for unknown user, wrong password and disabled login alike.
      if (!user || !ok || user.disabled) throw new UnauthorizedError('invalid username or password', 'bad_credentials');

      const now = Date.now();
      const token = generateToken();
      const expiresAt = new Date(now + config.tokenTtlMs);
      await insertSession(db, { tokenHash: tokenDigest(token), userId: user.id, expiresAt });
      // housekeeping piggybacks on logins, which are rare compared with other requests
      await deleteExpiredSessions(db, new Date(now));
      request.log.info({ username: user.username, role: user.role }, 'staff logged in');
      return { token, expiresAt, role: user.role, username: user.username, caregiverId: user.caregiverId };
    },
  );

  app.post(
    '/api/logout',
    {
      config: { routing: 'unchanged' },
      onRequest: auth.requireRole('operator', 'caregiver'),
      schema: {
        operationId: 'logout',
        summary: 'Log out',
        description: 'Roles: operator, admin, caregiver. Ends the session of the bearer token sent; 204.',
        response: { 204: noContent('Logged out'), ...errorResponses(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const token = bearerToken(request);
      if (token) await deleteSession(db, tokenDigest(token));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me',
    {
      onRequest: auth.requireRole('operator', 'caregiver'),
      schema: {
        operationId: 'getMe',
        summary: 'Who am I',
        description: 'Roles: operator, admin, caregiver. The signed-in login: id, username, role and, for a caregiver login, its caregiverId.',
        response: {
          200: z.object({ id: z.string(), username: z.string(), role: staffRoleSchema, caregiverId: z.string().nullable() }),
          ...errorResponses(401, 503),
        },
      },
    },
    async (request) => currentUser(request),
  );
};

/**
 * Makes sure the centre has an admin: with none, creates ADMIN_USERNAME with ADMIN_PASSWORD,
 * or with a generated password that is logged once (and returned, so the demo can print it).
 */
export async function ensureFirstAdmin(
  db: Queryable,
  admin: Config['admin'],
  logger: Logger,
): Promise<{ username: string; password?: string; created: boolean }> {
  const existing = await firstAdmin(db);
  if (existing) return { username: existing.username, created: false };

  const generated = admin.password === undefined;
  const password = admin.password ?? generateToken(12);
  const passwordHash = await hashSecret(password, PASSWORD_COST);
  try {
    await insertUser(db, { username: admin.username, passwordHash, role: 'admin', caregiverId: null });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    // Another instance starting at the same time may have won; otherwise the name is taken.
    const raced = await firstAdmin(db);
    if (raced) return { username: raced.username, created: false };
    throw new ConflictError(`ADMIN_USERNAME: "${admin.username}" is taken by a non-admin or disabled login; choose another ADMIN_USERNAME`);
  }
  if (generated) {
    // the password itself goes to the terminal as a plain line (runtime/main.ts), never into the log
    logger.warn({ username: admin.username }, 'created the first admin with a generated password; it is printed once on the terminal');
    return { username: admin.username, password, created: true };
  }
  logger.info({ username: admin.username }, 'created the first admin from ADMIN_USERNAME / ADMIN_PASSWORD');
  return { username: admin.username, created: true };
}
