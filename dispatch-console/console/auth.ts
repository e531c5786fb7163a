import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { systemClock, type Clock } from '../../common/clock.ts';
import type { Config } from '../../common/config.ts';
import { AppError, ConflictError, ForbiddenError, UnauthorizedError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { PASSWORD_COST, generateToken, hashSecret, tokenDigest, verifySecret } from '../../common/secrets.ts';
import { clearLoginFailures, lockedUntil, pruneLoginFailures, recordLoginFailure, type LockoutRule } from '../../db/queries/login-attempts.ts';
import { deleteExpiredSessions, deleteSession, getSessionUser, insertSession } from '../../db/queries/sessions.ts';
import { firstAdmin, getUserByUsername, insertUser, staffRoleSchema, type StaffRole, type UserWithHash } from '../../db/queries/users.ts';
import { areaScope, type Scope } from '../../db/scope.ts';
import type { AuthUser } from './auth-user.ts';
import type { Db, Queryable } from '../../db/types.ts';
import { recheckLiveStreamsOf } from './live/console-hub.ts';
import { errorBodySchema, errorResponses, noContent, storableText } from './routes/shared-schemas.ts';

/** The signed-in staff member of a request. */
export type { AuthUser } from './auth-user.ts';

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
  /**
   * A password check under the login limits: the source address's bucket and the username's
   * lockout are looked at before any hashing (TooManyLoginsError), the hash waits for a slot
   * (503 when too many wait), and the outcome is counted. The enabled login, or 401.
   */
  checkLogin(username: string, password: string, address: string): Promise<UserWithHash>;
  /** A login's sessions were ended (logout, disabled, deleted, new password): its live streams close now. */
  sessionsEnded(userId: string): Promise<void>;
  /** Password hashes run by logins so far (tests: a refused attempt costs none). */
  readonly loginHashes: number;
  /** The clock sessions are issued and expire by (the service's clock port). */
  readonly clock: Clock;
}

/** Limits on logins: per username (persisted, shared by instances) and per source address (in memory). */
export interface LoginLimits extends LockoutRule {
  /** Failed logins an address may make at once … */
  addressBurst: number;
  /** … and then this many per second. A successful login does not count. */
  addressPerSecond: number;
  /** Password hashes (scrypt, ~32 MB and tens of ms each) running at once … */
  hashConcurrency: number;
  /** … and waiting for a slot; beyond that a login is answered 503 at once. */
  hashQueue: number;
}

// The lockout and the address bucket are settings: LOGIN_LOCK_AFTER, LOGIN_LOCK_BASE_S, LOGIN_LOCK_MAX_S,
// LOGIN_ADDR_BURST, LOGIN_ADDR_PER_S (common/config.ts, whose defaults are these values; the service passes
// them as createAuth's options.limits). forgetAfterMs and the hash gate are fixed.
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  lockAfter: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 3600_000,
  addressBurst: 20,
  addressPerSecond: 1,
  hashConcurrency: 2,
  hashQueue: 32,
};

export interface AuthOptions {
  /** Lockouts and the address buckets read time here (tests pass a ManualClock). */
  clock?: Clock;
  limits?: Partial<LoginLimits>;
}

/** 429: the username is locked or the address has used its attempts; `retryAfterS` goes out as Retry-After. */
export class TooManyLoginsError extends Error {
  readonly statusCode = 429;
  readonly code = 'too_many_attempts';
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'TooManyLoginsError';
  }
}

/** The 12-or-more-character rule and friends; the reasons a password is refused (none: fine). */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if ([...password].length < 12) problems.push('at least 12 characters');
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{Ll}\p{Lu}\p{N}]/u].filter((k) => k.test(password)).length;
  if (kinds < 2) problems.push('at least two kinds of characters (lower case, upper case, digits, others such as spaces or punctuation)');
  if (new Set(password).size < 4) problems.push('not one or a few characters repeated');
  const name = username.trim().toLowerCase();
  if (name.length >= 3 && password.toLowerCase().includes(name)) problems.push('must not contain the username');
  return problems;
}

/** 400 naming every rule the password breaks. */
export function assertStrongPassword(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length === 0) return;
  throw new ValidationError(
    `password too weak: ${problems.join('; ')}`,
    problems.map((message) => ({ path: 'password', message, code: 'weak_password' })),
  );
}

/** At most `limit` at once, `queue` more waiting; the rest are refused at once. */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly limit: number,
    private readonly queue: number,
  ) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.queue) throw new AppError('unavailable', 'too many logins at once; try again in a few seconds');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on
      else this.active--;
    }
  }
}

const MAX_BUCKETS = 10_000;

/** Per source address: `burst` attempts, refilled at `perSecond`; in memory, per instance. */
class AddressBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}
  private level(address: string, now: number): { tokens: number; at: number } {
    const b = this.buckets.get(address);
    if (!b) return { tokens: this.burst, at: now };
    return { tokens: Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond), at: now };
  }
  /** Takes one attempt; the seconds to wait when there is none left. */
  take(address: string, now: number): number | undefined {
    const b = this.level(address, now);
    if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
    b.tokens -= 1;
    if (!this.buckets.has(address) && this.buckets.size >= MAX_BUCKETS) this.prune(now);
    this.buckets.set(address, b);
    return undefined;
  }
  /** A successful login gives its attempt back. */
  refund(address: string, now: number): void {
    const b = this.level(address, now);
    b.tokens = Math.min(this.burst, b.tokens + 1);
    if (b.tokens >= this.burst) this.buckets.delete(address);
    else this.buckets.set(address, b);
  }
  private prune(now: number): void {
    for (const [a, b] of this.buckets) if (this.level(a, now).tokens >= this.burst || b.at < now - 3600_000) this.buckets.delete(a);
    // still full of busy addresses: the oldest go (they get a fresh burst, the lockouts still hold)
    for (const a of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(a);
    }
  }
}

const roleChecks = new WeakSet<object>();

/** The signed-in user of a request behind requireRole(); a route without one is a bug. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new UnauthorizedError();
  return request.user;
}

/** The signed-in user's scope: the one every read of a request passes down (db/scope.ts). */
export function scopeOf(request: FastifyRequest): Scope {
  return currentUser(request).scope;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function createAuth(db: Db, options: AuthOptions = {}): Auth {
  const clock = options.clock ?? systemClock;
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...options.limits };
  const gate = new Gate(limits.hashConcurrency, limits.hashQueue);
  const addresses = new AddressBuckets(limits.addressBurst, limits.addressPerSecond);
  let loginHashes = 0;
  const hashed = async (password: string, stored: string) => {
    loginHashes++;
    return verifySecret(password, stored);
  };

  // addresses with a login being checked: one at a time each, so one address's burst cannot fill the hash queue ahead of everyone else
  const checking = new Set<string>();

  const checkLogin = async (username: string, password: string, address: string): Promise<UserWithHash> => {
    if (checking.has(address)) throw new TooManyLoginsError('a login from this address is still being checked; try again in 1 s', 1);
    const wait = addresses.take(address, clock.now().getTime());
    if (wait !== undefined) throw new TooManyLoginsError(`too many failed logins from this address; try again in ${wait} s`, wait);
    const now = clock.now();
    const until = await lockedUntil(db, username, now);
    if (until) {
      const s = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
      throw new TooManyLoginsError(`too many failed logins for this username; try again in ${s} s`, s);
    }
    checking.add(address);
    let user: UserWithHash | undefined;
    let ok: boolean;
    try {
      user = await getUserByUsername(db, username);
      const found = user;
      ok = await gate.run(async () => (found ? hashed(password, found.passwordHash) : (await hashed(password, await timingDecoy()), false)));
    } finally {
      checking.delete(address);
    }
    if (!user || !ok || user.disabled) {
      await recordLoginFailure(db, username, clock.now(), limits);
      // One message for unknown user, wrong password and disabled login alike.
      throw new UnauthorizedError('invalid username or password', 'bad_credentials');
    }
    addresses.refund(address, clock.now().getTime());
    await clearLoginFailures(db, username);
    return user;
  };

  const userForToken = async (token: string): Promise<AuthUser> => {
    const digest = tokenDigest(token);
    const session = await getSessionUser(db, digest);
    if (!session) throw new UnauthorizedError('invalid or expired token; log in again', 'session_expired');
    if (session.expiresAt.getTime() <= clock.now().getTime()) {
      await deleteSession(db, digest);
      throw new UnauthorizedError('invalid or expired token; log in again', 'session_expired');
    }
    const { userId: id, username, role, caregiverId, areaId } = session;
    return { id, username, role, caregiverId, areaId, scope: areaScope(areaId) };
  };
  const authenticate = (request: FastifyRequest): Promise<AuthUser> => {
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError('authentication required: send Authorization: Bearer <token> (POST /api/login)');
    return userForToken(token);
  };

  return {
    clock,
    userForToken,
    checkLogin,
    sessionsEnded: (userId) => recheckLiveStreamsOf(userId),
    get loginHashes() {
      return loginHashes;
    },
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
  /** The area the login sees (null: the whole centre). */
  areaId: z.string().nullable(),
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
          'the role and, for a caregiver login, its caregiverId. Unknown user, wrong password and disabled login answer the same 401. ' +
          'After too many failures in a row a username is locked for a time that doubles with each further failure, and even the right password ' +
          'is answered 429 `too_many_attempts` with Retry-After; an address that keeps failing is answered the same. Settings, with their defaults: ' +
          `LOGIN_LOCK_AFTER (${DEFAULT_LOGIN_LIMITS.lockAfter} failures), LOGIN_LOCK_BASE_S (first lock ${DEFAULT_LOGIN_LIMITS.baseLockMs / 1000} s), ` +
          `LOGIN_LOCK_MAX_S (at most ${DEFAULT_LOGIN_LIMITS.maxLockMs / 1000} s), LOGIN_ADDR_BURST (${DEFAULT_LOGIN_LIMITS.addressBurst} failures from an address at once) ` +
          `and LOGIN_ADDR_PER_S (then ${DEFAULT_LOGIN_LIMITS.addressPerSecond} per second).`,
        security: [],
        body: loginBody,
        response: { 200: loginReply, ...errorResponses(400, 401, 503), 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      let user: UserWithHash;
      try {
        user = await auth.checkLogin(username, password, request.ip);
      } catch (err) {
        if (err instanceof TooManyLoginsError) {
          void reply.header('Retry-After', String(err.retryAfterS));
          request.log.warn({ username, address: request.ip }, 'login refused: too many failed attempts');
        }
        throw err;
      }

      const now = auth.clock.now().getTime();
      const token = generateToken();
      const expiresAt = new Date(now + config.tokenTtlMs);
      await insertSession(db, { tokenHash: tokenDigest(token), userId: user.id, expiresAt });
      // housekeeping piggybacks on logins, which are rare compared with other requests
      await deleteExpiredSessions(db, new Date(now));
      await pruneLoginFailures(db, new Date(now - DEFAULT_LOGIN_LIMITS.forgetAfterMs));
      request.log.info({ userId: user.id, username: user.username, role: user.role, areaId: user.areaId }, 'staff logged in');
      return { token, expiresAt, role: user.role, username: user.username, caregiverId: user.caregiverId, areaId: user.areaId };
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
      // the live streams opened with this token end now, not at the hub's next session check
      await auth.sessionsEnded(currentUser(request).id);
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
          200: z.object({ id: z.string(), username: z.string(), role: staffRoleSchema, caregiverId: z.string().nullable(), areaId: z.string().nullable() }),
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
  let password = admin.password ?? generateToken(12);
  while (generated && passwordProblems(password, admin.username).length > 0) password = generateToken(12);
  if (!generated) {
    const problems = passwordProblems(password, admin.username);
    // refusing to start would lock the centre out; the admin is told to change it
    if (problems.length > 0) logger.warn({ username: admin.username, problems }, 'ADMIN_PASSWORD is weak; change it (PATCH /api/users/:id)');
  }
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
