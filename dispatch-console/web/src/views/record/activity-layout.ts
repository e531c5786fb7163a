import type { ActivityHour } from './record-types.ts';

export const ACTIVITY_KINDS = ['motion', 'door', 'bed'] as const;
export type Kind = (typeof ACTIVITY_KINDS)[number];

/** Local hours drawn as night: 22:00 to 06:00, when a quiet home is normal. */
const isNight = (ms: number) => {
  const h = new Date(ms).getHours();
  return h >= 22 || h < 6;
};

/**
 * Where the chart's landmarks fall, by hour index: runs of night hours (in the browser's time,
 * which is the operator's) and the hours that start a local day. Pure: kept apart from the drawing.
 */
export function activityLayout(hours: readonly ActivityHour[]) {
  const starts = hours.map((h) => Date.parse(h.at));
  const nights: { from: number; to: number }[] = [];
  const midnights: number[] = [];
  starts.forEach((ms, i) => {
    if (isNight(ms)) {
      const last = nights.at(-1);
      if (last && last.to === i) last.to = i + 1;
      else nights.push({ from: i, to: i + 1 });
    }
    if (new Date(ms).getHours() === 0) midnights.push(i);
  });
  const max = Object.fromEntries(ACTIVITY_KINDS.map((k) => [k, Math.max(0, ...hours.map((h) => h[k]))])) as Record<Kind, number>;
  return { starts, nights, midnights, max };
}
