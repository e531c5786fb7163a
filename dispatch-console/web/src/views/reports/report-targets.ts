import type { ReportRow } from '../../types.ts';

/** The emergency-response KPIs (60 s / 180 s to accept, 45 / 60 min to arrive). */
export type KpiShare = 'acceptedWithin60s' | 'acceptedWithin180s' | 'arrivedWithin45m' | 'arrivedWithin60m';
/** Every alarm against its own priority's (and area's) limits. */
export type OwnLimitShare = 'withinAcceptLimit' | 'withinArriveLimit';
export type Share = OwnLimitShare | KpiShare;

export const kpiShares: readonly KpiShare[] = ['acceptedWithin60s', 'acceptedWithin180s', 'arrivedWithin45m', 'arrivedWithin60m'];
export const ownLimitShares: readonly OwnLimitShare[] = ['withinAcceptLimit', 'withinArriveLimit'];

/**
 * The centre's service targets (shares of alarms that needed an answer). These are the
 * defaults the centres agreed on for "fast reaction, fast handling"; a centre with other
 * targets changes them here. The KPI targets apply to emergencies and urgent alarms alike.
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
