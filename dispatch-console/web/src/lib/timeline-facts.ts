import type { TimelineRow } from '../types.ts';

/**
 * The accept rows that no longer stand: an accept followed by a reassignment, or by the
 * acceptor's decline that reopened the alarm. The detail shows these struck through, so the
 * accept that stands now is the one that reads as such.
 */
export function supersededAccepts(rows: readonly TimelineRow[]): Set<number> {
  const out = new Set<number>();
  let pending: number[] = [];
  for (const r of rows) {
    if (r.code === 'alarm.accepted') pending.push(r.id);
    else if (r.code === 'alarm.reassigned' || (r.code === 'alarm.declined' && r.detail.reopened === true)) {
      for (const id of pending) out.add(id);
      pending = [];
    }
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Who an `alarm.reassigned` row handed the alarm to, and who did it (the operator's login). */
export function reassignment(r: TimelineRow): { to: string; by: string | undefined } | undefined {
  if (r.code !== 'alarm.reassigned') return undefined;
  const to = str(r.detail.toName) ?? str(r.detail.to);
  return to === undefined ? undefined : { to, by: r.actorName ?? undefined };
}
