import type { ScenarioContext } from './types.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The centre's night hours as the service tells them: a resident's default waking window is
 * the rest of the day (GET /api/residents/:id effectiveSettings.wakingHours, before any own
 * setting). A service without per-resident settings: the documented default, 22-7.
 */
export function centreNight(ctx: ScenarioContext): { start: number; end: number; known: boolean } {
  const eff = ctx.home.resident.effectiveSettings as { wakingHours?: unknown } | undefined;
  const m = typeof eff?.wakingHours === 'string' ? /^(\d\d)-(\d\d)$/.exec(eff.wakingHours) : null;
  if (!m) return { start: 22, end: 7, known: false };
  return { start: Number(m[2]) % 24, end: Number(m[1]) % 24, known: true };
}

export function isNightHour(hour: number, n: { start: number; end: number }): boolean {
  return n.start <= n.end ? hour >= n.start && hour < n.end : hour >= n.start || hour < n.end;
}

/** Fails the scenario at once, with the way out, when the service's clock is not in the night. */
export function requireNight(ctx: ScenarioContext, what: string): void {
  const n = centreNight(ctx);
  const h = ctx.serviceTime.hour;
  if (isNightHour(h, n)) return;
  ctx.fail(
    `${what} only at night: it is ${pad(h)}:${pad(ctx.serviceTime.minute)} at the service and its night is ${pad(n.start)}-${pad(n.end)}` +
      `${n.known ? '' : ' (assumed: NIGHT_HOURS default)'}; to play it now, run the service with NIGHT_HOURS=${pad(h)}-${pad((h + 2) % 24)}`,
  );
}

/** "HH-HH" from this hour for two hours: a waking window the resident is in now. */
export const wakingFromNow = (h: number) => `${pad(h)}-${pad((h + 2) % 24 === 0 ? 24 : (h + 2) % 24)}`;
export const clockTime = (minutesOfDay: number) => `${pad(Math.floor(minutesOfDay / 60))}:${pad(minutesOfDay % 60)}`;
