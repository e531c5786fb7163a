/** Battery as a whole percent; devices report 0..1, an older firmware may send 0..100. */
export function batteryPct(b: number | null | undefined): number | null {
  if (b === null || b === undefined || !Number.isFinite(b)) return null;
  return Math.round(b <= 1 ? b * 100 : b);
}

/** Below this a device needs a visit before it goes quiet. */
export const LOW_BATTERY_PCT = 20;
