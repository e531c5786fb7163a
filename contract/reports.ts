import { z } from 'zod';

/**
 * `GET /api/reports/response-times?from&to&groupBy=area|caregiver|kind|day|none&format=json|csv`
 * (DESIGN: HTTP API). An alarm belongs to the period its `raisedAt` falls in (from inclusive,
 * to exclusive). Times are seconds (millisecond precision). Percentiles are exact and discrete
 * (`percentile_disc`: the smallest value with at least that share of values at or below it).
 */
export const reportGroupings = ['area', 'caregiver', 'kind', 'day', 'none'] as const;
export type ReportGrouping = (typeof reportGroupings)[number];

/** count, p50, p90, max of one measure over the alarms that reached it (nulls when none did). */
export const measureSchema = z.object({
  count: z.number(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  max: z.number().nullable(),
});
export type Measure = z.infer<typeof measureSchema>;

/**
 * The emergency-response KPIs over one priority's alarms only (shares in 0..1, null when the
 * denominator is 0): accepted within 60 s / 180 s, arrived within 45 / 60 min.
 */
export const kpiSharesSchema = z.object({
  alarms: z.number(),
  acceptedWithin60s: z.number().nullable(),
  acceptedWithin180s: z.number().nullable(),
  arrivedWithin45m: z.number().nullable(),
  arrivedWithin60m: z.number().nullable(),
});
export type KpiShares = z.infer<typeof kpiSharesSchema>;

/**
 * Service orders (priority service) apart: accepted within 15 min, done (resolved) the same
 * local day as raised. Shares in 0..1 over the orders that needed an answer (not cancelled
 * before acceptance), an order still active being left out until its limit (15 min; the end of
 * its day) has passed; null when the denominator is 0.
 */
export const serviceKpiSchema = z.object({
  alarms: z.number(),
  acceptedWithin15m: z.number().nullable(),
  doneSameDay: z.number().nullable(),
});
export type ServiceKpi = z.infer<typeof serviceKpiSchema>;

export const reportRowSchema = z.object({
  /** area id, caregiver id, kind, local date YYYY-MM-DD (server TZ), or "all"; null: no area / not accepted. */
  key: z.string().nullable(),
  label: z.string(),
  /** Alarms raised in the period in this group. */
  alarms: z.number(),
  /** Of those, cancelled before anyone accepted (false alarms, resident cancels). */
  cancelledUnaccepted: z.number(),
  accept: measureSchema,
  arrive: measureSchema,
  resolve: measureSchema,
  /**
   * Shares in 0..1 (null when the denominator is 0). The denominator is every alarm that needed
   * an answer (all but those cancelled before acceptance) and whose outcome is known: an alarm
   * still active that has not reached the milestone is left out until the limit has passed
   * (then it counts as not within); a closed one that never reached it counts as not within. `withinAcceptLimit` / `withinArriveLimit` use each alarm's own limits (its priority
   * and area policy, as snapshotted when it opened).
   */
  withinAcceptLimit: z.number().nullable(),
  withinArriveLimit: z.number().nullable(),
  acceptedWithin60s: z.number().nullable(),
  acceptedWithin180s: z.number().nullable(),
  arrivedWithin45m: z.number().nullable(),
  arrivedWithin60m: z.number().nullable(),
  /** The same KPIs per priority: emergency (as the top-level fields) and urgent, apart; service orders' own. */
  kpi: z.object({ emergency: kpiSharesSchema, urgent: kpiSharesSchema, service: serviceKpiSchema }),
});
export type ReportRow = z.infer<typeof reportRowSchema>;
