import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ValidationError } from '../../../common/errors.ts';
import { eraseRequestSchema, erasureResultSchema, residentExportSchema } from '../../../contract/resident-export.ts';
import { eraseResidentData, exportResidentData } from '../../../db/queries/resident-data.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { errorResponses, idParams } from './shared-schemas.ts';

/**
 * One resident's data (issue 11, "data lifecycle"): the export of everything held about them
 * and the erasure on request. Both are audited by the trail (audit-trail.ts names the action
 * from the route's last segment: `export`, and `delete` for `erase`). Outside the caller's area: 404.
 */
export const residentDataRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;

  app.get(
    '/api/residents/:id/export',
    {
      onRequest: auth.requireRole('operator'),
      schema: {
        operationId: 'exportResident',
        summary: "Export one resident's data",
        description:
          'Roles: operator, admin. One JSON document (a download) of everything the service holds about the resident: the ' +
          'resident, their devices (no secrets), sensor events, alarms with timelines and notifications (SMS bodies ' +
          'included), SMS replies to those alarms and the audit lines naming them. Audited as `export`.',
        params: idParams,
        response: { 200: residentExportSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const scope = scopeOf(request);
      const data = await db.withTransaction((tx) => exportResidentData(tx, scope, id, new Date()));
      return reply.header('content-disposition', `attachment; filename="resident-${id}.json"`).send(data);
    },
  );

  app.post(
    '/api/residents/:id/erase',
    {
      // devices are unassigned and contacts removed: whom alarms reach changes
      config: { routing: 'changes' },
      onRequest: auth.requireRole('admin'),
      schema: {
        operationId: 'eraseResident',
        summary: "Erase one resident's personal data",
        description:
          'Roles: admin. Body `{"confirm": "<the resident\'s id>"}` (400 when it is not this id: nothing changes). In one ' +
          'transaction, removes the personal fields everywhere they were copied: the resident (name becomes "Erased ' +
          'resident", address, phone, notes and contacts cleared, `erasedAt` set), the alarms\' resident snapshots, SMS ' +
          'bodies and family numbers in the notifications, names and numbers in the timelines, SMS replies, sensor ' +
          'events\' data; their devices are unassigned. Response-time facts stay, so reports stay true; the audit log ' +
          'holds only ids and is kept. Answers the rows changed per table. 409 when the resident was already erased (a ' +
          'second erasure is refused, not repeated) or has an alarm in progress. Audited as `delete`.',
        params: idParams,
        body: eraseRequestSchema,
        response: { 200: erasureResultSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (request.body.confirm.trim().toLowerCase() !== id.toLowerCase()) {
        throw new ValidationError('confirm must be the id of the resident to erase', { confirm: 'does not match the id in the path' });
      }
      const scope = scopeOf(request);
      return db.withTransaction((tx) => eraseResidentData(tx, scope, id, new Date()));
    },
  );
};
