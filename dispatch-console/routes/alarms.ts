import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { alarmActionBodySchema, operatorActions, type Actor } from '../../contract/alarms.ts';
import { alarmDetailSchema, alarmViewSchema } from '../../contract/alarm-view.ts';
import { getAlarm, getNotifications, getTimeline, listAlarms } from '../../db/queries/alarms.ts';
import { alarmVisibleTo, presentAlarm } from '../present-alarm.ts';
import type { RouteOptions } from '../app.ts';
import { currentUser } from '../auth.ts';
import type { Dispatcher } from '../dispatcher/dispatcher.ts';
import { idParams, idSchema, instantSchema } from './shared-schemas.ts';

const dates = (...values: unknown[]) => values.every((v) => v instanceof Date);
const listQuery = z
  .strictObject({
    status: z.enum(['open', 'closed', 'all']).default('open'),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    areaId: idSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .refine((q) => !dates(q.from, q.to) || q.from!.getTime() < q.to!.getTime(), { message: 'from must be before to', path: ['to'] });

const actionParams = z.object({ id: idSchema, action: z.enum(operatorActions) });

export const alarmRoutes: FastifyPluginAsyncZod<RouteOptions & { dispatcher: Dispatcher }> = async (app, { deps, auth, dispatcher }) => {
  const { db } = deps;
  const anyStaff = auth.requireRole('operator', 'caregiver');

  const visible = alarmVisibleTo;

  app.get('/api/alarms', { onRequest: anyStaff, schema: { querystring: listQuery, response: { 200: z.array(alarmViewSchema) } } }, async (request) => {
    const user = currentUser(request);
    if (user.role === 'caregiver' && user.caregiverId === null) return [];
    const rows = await listAlarms(db, { ...request.query, ...(user.role === 'caregiver' && { caregiverId: user.caregiverId! }) });
    return rows.map(presentAlarm);
  });

  app.get('/api/alarms/:id', { onRequest: anyStaff, schema: { params: idParams, response: { 200: alarmDetailSchema } } }, async (request) => {
    const a = await getAlarm(db, request.params.id);
    if (!a || !visible(currentUser(request), a)) throw new NotFoundError('alarm', request.params.id);
    const [timeline, notifications] = await Promise.all([getTimeline(db, a.id), getNotifications(db, a.id)]);
    return { ...presentAlarm(a), timeline, notifications };
  });

  app.post(
    '/api/alarms/:id/:action',
    { onRequest: anyStaff, schema: { params: actionParams, body: alarmActionBodySchema.nullish(), response: { 200: alarmViewSchema } } },
    async (request) => {
      const user = currentUser(request);
      const { id, action } = request.params;
      const body = request.body ?? {};
      if (action === 'reassign' && !body.caregiverId) throw new ValidationError('caregiverId: whom to reassign the alarm to');
      if (action === 'note' && !body.note) throw new ValidationError('note: the text to add to the timeline');
      let actor: Actor = { kind: 'operator', id: user.id, name: user.username };
      if (user.role === 'caregiver') {
        if (user.caregiverId === null) throw new ForbiddenError('this login is not linked to a caregiver');
        if (action === 'cancel' || action === 'reassign') throw new ForbiddenError(`only operators may ${action} an alarm`);
        // a caregiver acts on the alarms they see: those they were alerted to or hold
        const seen = await getAlarm(db, id);
        if (!seen || !visible(user, seen)) throw new NotFoundError('alarm', id);
        actor = { kind: 'caregiver', id: user.caregiverId, name: user.username };
      }
      const a = await dispatcher.act(id, {
        action,
        actor,
        caregiverId: user.role === 'caregiver' ? user.caregiverId! : undefined,
        targetCaregiverId: body.caregiverId,
        outcome: body.outcome,
        note: body.note,
        via: 'console',
      });
      return presentAlarm(a);
    },
  );
};
