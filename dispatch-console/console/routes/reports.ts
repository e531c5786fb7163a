import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reportGroupings, reportRowSchema, type KpiShares, type ReportRow } from '../../../contract/reports.ts';
import { responseTimeReport } from '../../../db/queries/reports.ts';
import type { RouteOptions } from '../app-deps.ts';
import { errorResponses, instantSchema } from './shared-schemas.ts';
import { scopeOf } from '../auth.ts';

const DAY_MS = 86_400_000;
const DEFAULT_SPAN_MS = 7 * DAY_MS;
// a bit more than a year: year-on-year views, without letting one request scan everything
const MAX_SPAN_MS = 400 * DAY_MS;

// strict: a misspelt parameter must not silently answer a different report
const reportQuery = z
  .strictObject({
    from: instantSchema.optional().describe('period start, ISO 8601 instant, inclusive, e.g. 2026-11-01T00:00:00+08:00 (default: 7 days before to)'),
    to: instantSchema.optional().describe('period end, ISO 8601 instant, exclusive (default: now); at most 400 days after from'),
    groupBy: z
      .enum(reportGroupings)
      .default('day')
      .describe('one row per area (the alarm\'s grid), caregiver (who accepted), kind (alarm kind), day (local date, server TZ) or none (one total row)'),
    format: z.enum(['json', 'csv']).default('json').describe('json: an array of rows; csv: the same rows as a CSV download'),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - DEFAULT_SPAN_MS);
    if (from.getTime() >= to.getTime()) {
      ctx.issues.push({ code: 'custom', message: 'from must be before to', path: [q.to ? 'to' : 'from'], input: q });
    } else if (to.getTime() - from.getTime() > MAX_SPAN_MS) {
      ctx.issues.push({ code: 'custom', message: 'a report spans at most 400 days', path: ['from'], input: q });
    }
    return { ...q, from, to };
  });

const KPI_COLUMNS = ['accepted_within_60s_pct', 'accepted_within_180s_pct', 'arrived_within_45m_pct', 'arrived_within_60m_pct'];
const CSV_COLUMNS = [
  'key', 'label', 'alarms', 'cancelled_unaccepted',
  ...['accept', 'arrive', 'resolve'].flatMap((m) => [`${m}_count`, `${m}_p50_s`, `${m}_p90_s`, `${m}_max_s`]),
  'within_accept_limit_pct', 'within_arrive_limit_pct',
  ...['emergency', 'urgent'].flatMap((p) => [`${p}_alarms`, ...KPI_COLUMNS.map((c) => `${p}_${c}`)]),
  'service_orders', 'service_accepted_within_15m_pct', 'service_done_same_day_pct',
];

/** A share 0..1 as a percentage with one decimal, as the page shows it (62.5, not 0.625). */
const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

function csvValues(r: ReportRow): Array<string | number | null> {
  const kpi = (k: KpiShares) => [k.alarms, pct(k.acceptedWithin60s), pct(k.acceptedWithin180s), pct(k.arrivedWithin45m), pct(k.arrivedWithin60m)];
  return [
    r.key, r.label, r.alarms, r.cancelledUnaccepted,
    ...[r.accept, r.arrive, r.resolve].flatMap((m) => [m.count, m.p50, m.p90, m.max]),
    pct(r.withinAcceptLimit), pct(r.withinArriveLimit), ...kpi(r.kpi.emergency), ...kpi(r.kpi.urgent),
    r.kpi.service.alarms, pct(r.kpi.service.acceptedWithin15m), pct(r.kpi.service.doneSameDay),
  ];
}

/**
 * RFC 4180 field. Text a spreadsheet would run as a formula (=, +, -, @ first: an area named
 * "=HYPERLINK(…)") gets a leading apostrophe, the usual CSV-injection guard.
 */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** With a BOM, so that Excel reads UTF-8 (Chinese names) instead of the local code page. */
export function reportCsv(rows: readonly ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => csvValues(r).map(csvField).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const REPORT_DOC =
  'Roles: operator, admin. Alarms raised in [from, to), grouped by groupBy. Times are seconds (p50/p90 exact); ' +
  'the within/accepted/arrived figures are shares 0..1 of the alarms that needed an answer (not cancelled before acceptance): ' +
  'withinAcceptLimit/withinArriveLimit over every alarm against its own time limits; the emergency-response KPIs ' +
  '(accepted within 60 s / 180 s, arrived within 45 / 60 min) over emergency alarms only (the top-level fields and kpi.emergency), ' +
  'and over urgent alarms apart (kpi.urgent); technical and service alarms count only against their own limits. ' +
  'Service orders have their own figures (kpi.service): accepted within 15 min, done (resolved) the same local day (tz). ' +
  'In the CSV, shares are percentages rounded to one decimal. ' +
  'format=csv answers text/csv; charset=utf-8 with a BOM, CRLF line ends and a header row, as an attachment ' +
  `response-times-{from}-{to}-{groupBy}.csv; empty cells are nulls; columns: ${CSV_COLUMNS.join(',')}.`;

const csvText = z.string().describe('with format=csv: the rows as CSV (text/csv; charset=utf-8, with a BOM)');

// 2026-11-22T08:00:00.000Z → 20261122T080000Z: no ':' (not allowed in Windows file names)
const fileStamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

export const reportRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, auth }) => {
  // Node sets the process zone from TZ (DESIGN: "TZ — shift and schedule times"); the config
  // validates TZ but does not carry it, so the resolved zone is the configured one
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;

  app.get(
    '/api/reports/response-times',
    // the string is the CSV text: Fastify sends strings with a non-JSON type as they are, so only
    // the JSON rows ever meet the serializer
    {
      onRequest: auth.requireRole('operator'),
      schema: {
        operationId: 'getResponseTimeReport',
        summary: 'Response times: time to accept, arrive and resolve',
        description: REPORT_DOC,
        querystring: reportQuery,
        response: { 200: z.union([z.array(reportRowSchema), csvText]), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { from, to, groupBy, format } = request.query;
      const rows = await responseTimeReport(deps.db, scopeOf(request), { from, to, groupBy, tz });
      if (format === 'json') return rows;
      const filename = `response-times-${fileStamp(from)}-${fileStamp(to)}-${groupBy}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .send(reportCsv(rows));
    },
  );
};
