import type { ReportRow } from '../../types.ts';

export type Share = 'withinAcceptLimit' | 'withinArriveLimit' | 'acceptedWithin60s' | 'acceptedWithin180s' | 'arrivedWithin45m' | 'arrivedWithin60m';

/**
 * The centre's service targets (shares of alarms that needed an answer). These are the
 * defaults the centres agreed on for "fast reaction, fast handling"; a centre with other
 * targets changes them here.
 */
export const targets: Record<Share, number> = {
  withinAcceptLimit: 0.95,
  withinArriveLimit: 0.95,
  acceptedWithin60s: 0.9,
  acceptedWithin180s: 0.98,
  arrivedWithin45m: 0.9,
  arrivedWithin60m: 0.95,
};

// within ten points of the target is "watch it", further below is "act"
const AMBER_BAND = 0.1;

export function shareLevel(share: Share, value: ReportRow[Share]): 'ok' | 'amber' | 'red' | 'none' {
  if (value === null) return 'none';
  const target = targets[share];
  if (value >= target) return 'ok';
  return value >= target - AMBER_BAND ? 'amber' : 'red';
}
