import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../../common/errors.ts';
import { auditEntrySchema } from '../../../contract/audit.ts';
import { listAudit } from '../../../db/queries/audit.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, instantSchema } from './shared-schemas.ts';
import { scopeOf } from '../auth.ts';

const auditQuery = z.strictObject({
  from: instantSchema.optional().describe('from this instant, inclusive (default: 24 h ago)'),
  to: instantSchema.optional().describe('until this instant, exclusive (default: now)'),
  userId: z.uuid().optional().describe('only what this user did'),
  residentId: z.uuid().optional().describe("only what concerned this resident (their record, devices and alarms)"),
  limit: z.coerce.number().int().min(1).max(1000).default(200).describe('newest first, at most this many'),
});

/** GET /api/audit: the audit trail, for admins. Reading it is itself audited. */
export const auditRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  app.get(
    '/api/audit',
    {
      onRequest: auth.requireRole('admin'),
      schema: {
        operationId: 'listAudit',
        summary: 'Who read or changed which record',
        description:
          'Role: admin. Every answered API request of a signed-in user (read, create, update, delete, alarm actions, secret reveals) and every login, failed login and logout, with when and from which address; append-only. Lines reach it within about a second.',
        querystring: auditQuery,
        response: { 200: z.array(auditEntrySchema.extend({ at: z.iso.datetime() })), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3_600_000);
      if (from.getTime() >= to.getTime()) throw new ValidationError('from must be before to', undefined, undefined);
      const rows = await listAudit(deps.db, scopeOf(request), { from, to, userId: q.userId, residentId: q.residentId, limit: q.limit });
      return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
    },
  );
};
