import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import { alarmActionBodySchema, operatorActions, type Actor } from '../../../contract/alarms.ts';
import { alarmDetailSchema, alarmViewSchema } from '../../../contract/alarm-view.ts';
import { getAlarm, getNotifications, getTimeline, listAlarms } from '../../../db/queries/alarms.ts';
import { getCaregiver } from '../../../db/queries/caregivers.ts';
import { alarmVisibleTo, presentAlarm } from '../present-alarm.ts';
import type { RouteOptions } from '../app-deps.ts';
import { currentUser, scopeOf } from '../auth.ts';
import type { Dispatcher } from '../../dispatcher/dispatcher.ts';
import { errorResponses, idParams, idSchema, instantSchema } from './shared-schemas.ts';

const dates = (...values: unknown[]) => values.every((v) => v instanceof Date);
const listQuery = z
  .strictObject({
    status: z
      .enum(['open', 'closed', 'all'])
      .default('open')
      .describe('open (default): open, accepted or on_site; closed: resolved or cancelled; all: both'),
    from: instantSchema.optional().describe('only alarms raised at or after this ISO 8601 instant, e.g. 2026-11-22T08:00:00Z (no offset: server TZ)'),
    to: instantSchema.optional().describe('only alarms raised before this ISO 8601 instant (exclusive; after from)'),
    areaId: idSchema.optional().describe('only alarms in this area or any area below it'),
    residentId: idSchema.optional().describe("only this resident's alarms (the resident record)"),
    limit: z.coerce.number().int().min(1).max(1000).default(200).describe('at most this many alarms, newest first'),
  })
  .refine((q) => !dates(q.from, q.to) || q.from!.getTime() < q.to!.getTime(), { message: 'from must be before to', path: ['to'] });

const actionParams = z.object({ id: idSchema, action: z.enum(operatorActions) });

const ROLES = 'Roles: operator, admin, caregiver.';
const CAREGIVER_SEES = 'A caregiver login sees only the alarms it was alerted to or accepted.';
// the rules of core/alarm-transitions.ts and core/alarm-actions.ts, as a caller meets them
const ACTIONS_DOC = [
  `${ROLES} Body (optional): \`{"note","outcome","caregiverId","at"}\`; answers the alarm as it is now.`,
  '',
  '- `accept`: open → accepted (a caregiver repeating its own accept changes nothing). For a service order, `at` (ISO 8601) says when ' +
    'the caregiver will come: the resident\'s device is told `{"type":"service.scheduled","alarmId","by","at"}`.',
  '- `arrive`: open or accepted → on_site.',
  '- `resolve`: open, accepted or on_site → resolved; `outcome` defaults to `assisted`.',
  '- `cancel` (operators only): any active status → cancelled.',
  '- `reassign` (operators only, needs `caregiverId`): open or accepted → open, alerting that caregiver; not once on_site.',
  '- `note` (needs `note`): adds it to the timeline, in any status, closed ones too.',
  '',
  'A `note` sent with another action that changes the alarm goes to the timeline too. Resolved and cancelled alarms refuse all but `note`; ' +
    'a refused action answers 409 with the reason. A caregiver acts only on alarms it sees (404 otherwise) and only on ' +
    'its own once accepted; operators act on any.',
].join('\n');

/** Routes act on alarms only through the dispatcher's `act` (lock, decide, save, send). */
export const alarmRoutes: FastifyPluginAsyncZod<RouteOptions & { dispatcher: Pick<Dispatcher, 'act'> }> = async (app, { deps, auth, dispatcher }) => {
  const { db } = deps;
  const anyStaff = auth.requireRole('operator', 'caregiver');

  app.get(
    '/api/alarms',
    {
      onRequest: anyStaff,
      schema: {
        operationId: 'listAlarms',
        summary: 'List alarms',
        description: `${ROLES} Newest first. ${CAREGIVER_SEES}`,
        querystring: listQuery,
        response: { 200: z.array(alarmViewSchema), ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      if (user.role === 'caregiver' && user.caregiverId === null) return [];
      const rows = await listAlarms(db, user.scope, { ...request.query, ...(user.role === 'caregiver' && { caregiverId: user.caregiverId! }) });
      return rows.map(presentAlarm);
    },
  );

  app.get(
    '/api/alarms/:id',
    {
      onRequest: anyStaff,
      schema: {
        operationId: 'getAlarm',
        summary: 'Get an alarm with its timeline and notifications',
        description: `${ROLES} ${CAREGIVER_SEES} (404 for any other.)`,
        params: idParams,
        response: { 200: alarmDetailSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const a = await getAlarm(db, scopeOf(request), request.params.id);
      if (!a || !alarmVisibleTo(currentUser(request), a)) throw new NotFoundError('alarm', request.params.id, 'alarm_not_found');
      const [timeline, notifications] = await Promise.all([getTimeline(db, a.id), getNotifications(db, a.id)]);
      return { ...presentAlarm(a), timeline, notifications };
    },
  );

  app.post(
    '/api/alarms/:id/:action',
    {
      config: { routing: 'unchanged' },
      onRequest: anyStaff,
      schema: {
        operationId: 'actOnAlarm',
        summary: 'Act on an alarm: accept, arrive, resolve, cancel, reassign or note',
        description: ACTIONS_DOC,
        params: actionParams,
        body: alarmActionBodySchema.nullish(),
        response: { 200: alarmViewSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { id, action } = request.params;
      const body = request.body ?? {};
      if (action === 'reassign' && !body.caregiverId) throw new ValidationError('caregiverId: whom to reassign the alarm to', undefined, 'reassign_target_missing');
      if (action === 'note' && !body.note) throw new ValidationError('note: the text to add to the timeline', undefined, 'note_missing');
      let actor: Actor = { kind: 'operator', id: user.id, name: user.username };
      // outside the login's area an alarm does not exist, nor does a caregiver to hand it to
      const seen = await getAlarm(db, user.scope, id);
      if (!seen || !alarmVisibleTo(user, seen)) throw new NotFoundError('alarm', id, 'alarm_not_found');
      if (action === 'reassign' && body.caregiverId && !(await getCaregiver(db, user.scope, body.caregiverId))) {
        throw new ValidationError(`caregiver ${body.caregiverId} does not exist`, undefined, 'caregiver_not_found');
      }
      if (user.role === 'caregiver') {
        if (user.caregiverId === null) throw new ForbiddenError('this login is not linked to a caregiver', 'not_caregiver_login');
        if (action === 'cancel' || action === 'reassign') throw new ForbiddenError(`only operators may ${action} an alarm`, 'operators_only');
        actor = { kind: 'caregiver', id: user.caregiverId, name: user.username };
      }
      const a = await dispatcher.act(id, {
        action,
        actor,
        caregiverId: user.role === 'caregiver' ? user.caregiverId! : undefined,
        targetCaregiverId: body.caregiverId,
        outcome: body.outcome,
        note: body.note,
        at: body.at === undefined ? undefined : new Date(body.at),
        via: 'console',
      });
      return presentAlarm(a);
    },
  );
};
