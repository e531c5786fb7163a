import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../../common/logger.ts';
import type { AuditAction, AuditResource, NewAuditEntry } from '../../contract/audit.ts';
import { insertAuditEntries } from '../../db/queries/audit.ts';
import type { Db } from '../../db/types.ts';

/** Batches wait at most this long (or until this many lines): small batches keep each insert short, so an alarm write queued behind one (the embedded database runs one statement at a time) waits little. */
const FLUSH_MS = 500;
const FLUSH_LINES = 50;
/** Kept in memory while the database is away; past this the oldest lines are dropped, loudly. */
const MAX_BUFFER = 50_000;

const RESOURCES: Record<string, AuditResource> = {
  residents: 'resident',
  alarms: 'alarm',
  devices: 'device',
  import: 'resident', // a centre's residents (and their devices, caregivers) created or updated at once
  caregivers: 'caregiver',
  users: 'user',
  areas: 'area',
  shifts: 'shift',
  // duty planning: a rota, an absence and who is on duty are shift records to the trail
  rotas: 'shift',
  absences: 'shift',
  'on-duty': 'shift',
  reports: 'report',
  audit: 'audit',
};

/** What an answered /api request did, in the trail's words (undefined: nothing to audit). */
export function auditLineOf(method: string, route: string, status: number): { action: AuditAction; resource: AuditResource } | undefined {
  if (route === '/api/login') return { action: status < 300 ? 'login' : 'login_failed', resource: 'session' };
  if (route === '/api/logout') return { action: 'logout', resource: 'session' };
  const m = /^\/api\/([a-z-]+)(\/:id)?(\/(.+))?$/.exec(route);
  const resource = m && RESOURCES[m[1]!];
  if (!resource) return undefined; // service info, event counts: no one's record
  if (m[4] === 'secret') return { action: 'reveal', resource };
  if (m[4] === 'export') return { action: 'export', resource };
  if (m[4] === 'activity') return { action: 'read', resource }; // a resident's activity chart: a read of their record
  if (route === '/api/residents/untested') return { action: 'read', resource }; // the weekly button test list
  if (m[4] === 'erase') return { action: 'delete', resource }; // erasure on request: the personal fields are deleted
  if (m[4] !== undefined) return { action: 'act', resource }; // /api/alarms/:id/accept …
  const action = ({ GET: 'read', POST: 'create', PATCH: 'update', PUT: 'update', DELETE: 'delete' } as const)[method as 'GET'];
  return action ? { action, resource } : undefined;
}

/**
 * The audit trail of the console: who read or changed which record, when, from where. Lines are
 * collected as requests are answered and written in batches off the request path (an alarm or
 * a console answer never waits for them); the table takes inserts only (010_audit_log.sql).
 */
export class AuditTrail {
  private buffer: NewAuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  record(entry: NewAuditEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length > MAX_BUFFER) {
      const dropped = this.buffer.splice(0, this.buffer.length - MAX_BUFFER);
      this.logger.error({ dropped: dropped.length }, 'audit lines dropped: the database has been away too long');
    }
    if (this.buffer.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes what is buffered (in order); resolves when written or given back to the buffer. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await insertAuditEntries(this.db, batch);
      } catch (err) {
        this.logger.warn({ err, lines: batch.length }, 'audit lines not written yet; kept for the next try');
        this.buffer = [...batch, ...this.buffer];
        this.timer ??= setTimeout(() => void this.flush(), 5 * FLUSH_MS).unref();
      }
    });
    return this.writing;
  }

  /** Every answered /api request of a signed-in user, and every login attempt. */
  install(app: FastifyInstance): void {
    // a created record's id is only in the answer
    const created = new WeakMap<FastifyRequest, string>();
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'POST' && reply.statusCode === 201 && typeof payload === 'string' && request.routeOptions.url?.startsWith('/api/')) {
        const id = idOf(payload);
        if (id) created.set(request, id);
      }
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url;
      if (!route?.startsWith('/api/')) return;
      const what = auditLineOf(request.method, route, reply.statusCode);
      if (!what) return;
      const user = request.user;
      const username = user?.username ?? (route === '/api/login' ? usernameTried(request) : null);
      if (!user && what.resource !== 'session') return; // refused before anyone was known: the auth log has it
      this.record({
        at: new Date(),
        userId: user?.id ?? null,
        username,
        ...what,
        resourceId: idParam(request) ?? created.get(request) ?? null,
        method: request.method,
        route,
        status: reply.statusCode,
        ip: request.ip ?? null,
      });
    });
    app.addHook('onClose', async () => this.flush());
  }
}

const idParam = (r: FastifyRequest): string | null => {
  const id = (r.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
};
const idOf = (json: string): string | undefined => {
  try {
    const id = (JSON.parse(json) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};
const usernameTried = (r: FastifyRequest): string | null => {
  const u = (r.body as { username?: unknown } | undefined)?.username;
  return typeof u === 'string' ? u.slice(0, 100) : null;
};
