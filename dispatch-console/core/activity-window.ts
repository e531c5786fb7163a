const HOUR_MS = 3600_000;

/**
 * The hours a resident's activity chart covers: `days` × 24 whole UTC hours ending with the one
 * `now` is in, so the current hour's events show as they arrive. Whole UTC hours because that is
 * where TimescaleDB's `time_bucket('1 hour', …)` puts its edges; a local zone with a half-hour
 * offset still gets the same answer from both databases.
 */
export function activityWindow(now: Date, days: number): { from: Date; to: Date } {
  const to = new Date((Math.floor(now.getTime() / HOUR_MS) + 1) * HOUR_MS);
  return { from: new Date(to.getTime() - days * 24 * HOUR_MS), to };
}
