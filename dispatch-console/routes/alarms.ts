import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { alarmActionBodySchema, alarmStatuses, operatorActions, priorities, type Actor } from '../../contract/alarms.ts';
import { getAlarm, getNotifications, getTimeline, listAlarms, type AlarmRecord } from '../../db/queries/alarms.ts';
import type { RouteOptions } from '../app.ts';
import { currentUser } from '../auth.ts';
import type { Dispatcher } from '../dispatcher/dispatcher.ts';
import { idParams, idSchema, instantSchema } from './shared-schemas.ts';

const seconds = (from: Date, to: Date | null) => (to === null ? null : (to.getTime() - from.getTime()) / 1000);

export const alarmSchema = z.object({
  id: z.string(),
  status: z.enum(alarmStatuses),
  priority: z.enum(priorities),
  kind: z.string(),
  residentId: z.string().nullable(),
  resident: z.object({ name: z.string(), address: z.string().nullable(), grid: z.string().nullable(), notes: z.string().nullable(), phone: z.string().nullable() }),
  deviceId: z.string(),
  areaId: z.string().nullable(),
  raisedAt: z.date(),
  acceptedAt: z.date().nullable(),
  acceptedBy: z.string().nullable(),
  acceptedByName: z.string().nullable(),
  arrivedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  outcome: z.string().nullable(),
  acceptLimitS: z.number(),
  arriveLimitS: z.number(),
  /** When the accept limit runs out (the console's clock turns red). */
  acceptBy: z.date(),
  step: z.number(),
  stepKind: z.string().nullable(),
  stepDeadline: z.date().nullable(),
  notified: z.array(z.string()),
  declined: z.array(z.string()),
  replyCode: z.string(),
  eventCount: z.number(),
  lastEventAt: z.date(),
  arrivalOverdue: z.boolean(),
  timeToAcceptS: z.number().nullable(),
  timeToArriveS: z.number().nullable(),
  timeToResolveS: z.number().nullable(),
});

const timelineSchema = z.object({
  id: z.number(),
  at: z.date(),
  code: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
const notificationSchema = z.object({
  id: z.string(),
  step: z.number(),
  channel: z.string(),
  audience: z.string(),
  caregiverId: z.string().nullable(),
  recipientName: z.string().nullable(),
  target: z.string().nullable(),
  body: z.string().nullable(),
  status: z.string(),
  providerSid: z.string().nullable(),
  attempts: z.number(),
  error: z.string().nullable(),
  createdAt: z.date(),
});
const alarmDetailSchema = alarmSchema.extend({ timeline: z.array(timelineSchema), notifications: z.array(notificationSchema) });

export function presentAlarm(a: AlarmRecord): z.infer<typeof alarmSchema> {
  return {
    id: a.id,
    status: a.status,
    priority: a.priority,
    kind: a.kind,
    residentId: a.residentId,
    resident: { name: a.resident.name, address: a.resident.address, grid: a.resident.grid, notes: a.resident.notes, phone: a.resident.phone ?? null },
    deviceId: a.deviceId,
    areaId: a.areaId,
    raisedAt: a.raisedAt,
    acceptedAt: a.acceptedAt,
    acceptedBy: a.acceptedBy,
    acceptedByName: a.acceptedByName,
    arrivedAt: a.arrivedAt,
    closedAt: a.closedAt,
    outcome: a.outcome,
    acceptLimitS: a.acceptLimitS,
    arriveLimitS: a.arriveLimitS,
    acceptBy: new Date(a.raisedAt.getTime() + a.acceptLimitS * 1000),
    step: a.step,
    stepKind: a.stepKind,
    stepDeadline: a.status === 'open' ? a.deadline : null,
    notified: a.notified,
    declined: a.declined,
    replyCode: a.replyCode,
    eventCount: a.eventCount,
    lastEventAt: a.lastEventAt,
    arrivalOverdue: a.arrivalOverdue,
    timeToAcceptS: seconds(a.raisedAt, a.acceptedAt),
    timeToArriveS: seconds(a.raisedAt, a.arrivedAt),
    timeToResolveS: a.status === 'resolved' ? seconds(a.raisedAt, a.closedAt) : null,
  };
}

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

  /** A caregiver sees the alarms they were alerted to or hold; staff see all. */
  const visible = (user: ReturnType<typeof currentUser>, a: AlarmRecord) =>
    user.role !== 'caregiver' || (user.caregiverId !== null && (a.acceptedBy === user.caregiverId || a.notified.includes(user.caregiverId)));

  app.get('/api/alarms', { onRequest: anyStaff, schema: { querystring: listQuery, response: { 200: z.array(alarmSchema) } } }, async (request) => {
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
    { onRequest: anyStaff, schema: { params: actionParams, body: alarmActionBodySchema.nullish(), response: { 200: alarmSchema } } },
    async (request) => {
      const user = currentUser(request);
      const { id, action } = request.params;
      const body = request.body ?? {};
      if (action === 'reassign' && !body.caregiverId) throw new ValidationError('caregiverId: whom to reassign the alarm to');
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
