import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { NotFoundError } from '../../../common/errors.ts';
import { activityEventTypes, activityQuerySchema, residentActivitySchema } from '../../../contract/resident-record.ts';
import { residentActivity } from '../../../db/queries/resident-activity.ts';
import { activityWindow } from '../../core/activity-window.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { errorResponses, idParams } from './shared-schemas.ts';

const KINDS = Object.entries(activityEventTypes)
  .map(([kind, types]) => `${kind} (${types.join(', ')})`)
  .join(', ');

/**
 * The resident record's own data (issue 12): the activity chart. The rest of the record is read
 * from the existing lists (`/api/alarms?residentId=`, `/api/devices?residentId=`).
 */
export const residentRecordRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  const { db } = deps;

  app.get(
    '/api/residents/:id/activity',
    {
      onRequest: auth.requireRole('operator'),
      schema: {
        operationId: 'residentActivity',
        summary: "A resident's sensor activity per hour",
        description:
          `Roles: operator, admin. Counts of the resident's sensor events per hour over the last \`days\` days, by kind: ${KINDS}; ` +
          'other event types are not counted. Hours are whole UTC hours (`at` is the start), the last one is the current hour, ' +
          'and every hour is present (zeros when quiet), oldest first. Outside the caller\'s area: 404.',
        params: idParams,
        querystring: activityQuerySchema,
        response: { 200: residentActivitySchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const window = activityWindow(new Date(), request.query.days);
      const hours = await residentActivity(db, scopeOf(request), id, window, db.timescale);
      if (!hours) throw new NotFoundError('resident', id);
      const sum = (k: 'motion' | 'door' | 'bed') => hours.reduce((n, h) => n + h[k], 0);
      return { residentId: id, ...window, hours, totals: { motion: sum('motion'), door: sum('door'), bed: sum('bed') } };
    },
  );
};
