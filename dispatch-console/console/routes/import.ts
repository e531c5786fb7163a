import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IMPORT_MAX_BYTES, importRequestSchema, importResultSchema } from '../../../contract/import.ts';
import type { RouteOptions } from '../app-deps.ts';
import { scopeOf } from '../auth.ts';
import { runImport } from '../import/run-import.ts';
import { errorResponses } from './shared-schemas.ts';

const DESCRIPTION =
  'Roles: operator, admin. A centre moving in: residents, their devices and caregivers as CSV text (header row first; ' +
  'quotes, commas and line breaks in quoted fields, CRLF and a BOM as spreadsheets write them). ' +
  '`residents`: ref (your id for the resident: a re-run matches on it), name, grid ("District/Street/Community/Grid"), address, phone, notes, access (key safe, door code), ' +
  'contact1_name, contact1_phone, contact1_relation, contact2_… . `devices`: id (generated when empty: then the resident\'s stored devices ' +
  'of that kind are matched in order), kind, resident_ref (empty for a wearable). `caregivers`: ref (or, when empty, phone is the key), name, ' +
  'phone, role, grids ("path;path"). Areas missing along a path are created, inside your own area only. ' +
  'The files are checked whole first: any bad row answers 400 with every problem in `details` as [{file, line, field, reason}] ' +
  '(line as a spreadsheet numbers rows, the header being 1) and nothing is written; otherwise everything is written in one transaction. ' +
  'A re-run of the same files changes nothing and makes no secret. `secretsCsv` holds the new devices\' MQTT passwords, given this once. ' +
  '`dryRun: true` checks and counts only.';

export const importRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  app.post(
    '/api/import',
    {
      // one reload of the routing data after the whole import, not one per row
      config: { routing: 'changes' },
      bodyLimit: IMPORT_MAX_BYTES,
      onRequest: auth.requireRole('operator'),
      schema: {
        operationId: 'importCentre',
        summary: 'Import residents, devices and caregivers from CSV',
        description: DESCRIPTION,
        body: importRequestSchema,
        response: { 200: importResultSchema, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request) => {
      const { result, changedDevices } = await runImport(deps.db, scopeOf(request), request.body);
      // counts only: the secrets never reach a log line
      request.log.info({ dryRun: result.dryRun, residents: result.residents, devices: result.devices, caregivers: result.caregivers, areas: result.areasCreated.length }, 'import');
      for (const id of changedDevices) {
        try {
          deps.onDeviceRevoked?.(id);
        } catch (err) {
          request.log.error({ err, deviceId: id }, 'onDeviceRevoked failed');
        }
      }
      return result;
    },
  );
};
