// `import type` only: a value import from contract/ would pull zod into the bundle.
import type { activeStatuses, priorities } from '../../../../contract/alarms.ts';
import type { Alarm } from '../types.ts';

// the contract's tuple type keeps this list equal to contract/alarms.ts `activeStatuses`
export const ACTIVE: readonly Alarm['status'][] = ['open', 'accepted', 'on_site'] satisfies typeof activeStatuses;
// the contract's tuple type keeps this order in step with contract/device-messages.ts
const PRIORITY_ORDER: typeof priorities = ['emergency', 'urgent', 'service', 'technical'];

export const isActive = (a: Alarm): boolean => ACTIVE.includes(a.status);

/** Emergency first, then urgent, service, technical; within a priority the oldest first. */
export function compareQueue(a: Alarm, b: Alarm): number {
  const p = PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority);
  if (p !== 0) return p;
  return Date.parse(a.raisedAt) - Date.parse(b.raisedAt) || a.id.localeCompare(b.id);
}

export function activeQueue(alarms: Iterable<Alarm>): Alarm[] {
  return [...alarms].filter(isActive).sort(compareQueue);
}
