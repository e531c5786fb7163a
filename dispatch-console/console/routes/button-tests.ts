import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { untestedResidentSchema, type UntestedResident } from '../../../contract/button-tests.ts';
import { loadButtonFacts } from '../../../db/queries/button-tests.ts';
import { isUntested, lastButtonTest, TEST_PERIOD_DAYS } from '../../core/button-test-rules.ts';
import { scopeOf } from '../auth.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses } from './shared-schemas.ts';

// how far back presses are read: a month shows "last tested 3 weeks ago" rather than "never"
const LOOKBACK_DAYS = 35;

/** The weekly button test (JGJ/T 484): who is overdue. The reminders go out from the dispatcher. */
export const buttonTestRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  app.get(
    '/api/residents/untested',
    {
      onRequest: auth.requireRole('operator'),
      schema: {
        operationId: 'listUntestedResidents',
        summary: 'Residents whose button is due its weekly test',
        description:
          'Roles: operator, admin. Residents with a button (pendant, button, pull cord) not pressed or tested for 7 days, counted from the ' +
          'first button\'s registration at the earliest. A press (whatever its outcome) or an event with "data":{"test":true} counts. ' +
          'These buttons get a `test.reminder` command once a day from 10:00 local time.',
        response: { 200: z.array(untestedResidentSchema), ...errorResponses(401, 403, 503) },
      },
    },
    async (request) => {
      const now = deps.dispatch?.directory.now() ?? new Date();
      const facts = await loadButtonFacts(deps.db, scopeOf(request), new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000));
      return facts
        .filter((f) => isUntested(f, now, TEST_PERIOD_DAYS))
        .map((f): UntestedResident => {
          const last = lastButtonTest(f);
          return {
            residentId: f.residentId,
            name: f.name,
            areaId: f.areaId,
            deviceIds: f.deviceIds,
            lastButtonTestAt: last,
            untestedSince: last && last > f.installedAt ? last : f.installedAt,
          };
        });
    },
  );
};
