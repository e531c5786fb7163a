import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { Priority } from '../../contract/alarms.ts';
import { DEFAULT_POLICIES } from '../../contract/escalation-policy.ts';
import { newAlarm, withState } from '../../dispatch-console/core/alarm-state.ts';
import type { Candidate, RoutingPool } from '../../dispatch-console/core/routing.ts';
import type { Person, Situation } from '../../dispatch-console/core/situation.ts';

/** The pieces the pure core's table tests build their cases from: a fixed now, people, a pool, an open alarm. */
export const NOW = new Date('2026-12-04T20:00:00.000Z');
export const at = (s: number) => new Date(NOW.getTime() + s * 1000);
let n = 0;
export const newId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

/** A caregiver of grid-1, on duty, wrist online. */
export const person = (id: string, o: Partial<Person> = {}): Person => ({
  id,
  name: id,
  role: 'caregiver',
  wearableId: `w-${id}`,
  phone: `+8613700000${id.length}`,
  areaIds: ['grid-1'],
  onDuty: true,
  wearableOnline: true,
  ...o,
});

export const cand = (p: Person): Candidate => ({
  caregiverId: p.id,
  name: p.name,
  role: p.role,
  wearableId: p.wearableId,
  wearableOnline: p.wearableOnline,
  phone: p.phone,
  activeAlarms: 0,
});

export function situationOf(pool: Partial<RoutingPool>, people: Person[]): Situation {
  return { pool: { grid: [], community: [], supervisors: [], family: [], ...pool }, people: new Map(people.map((p) => [p.id, p])), areaPath: ['grid-1'], policy: {}, cancelWindowS: 0 };
}

/** An alarm of `priority` raised at NOW, asked of Li at step 1. */
export function openAlarm(priority: Priority = 'emergency'): AlarmRecord {
  const a = newAlarm({ id: 'a-1', deviceId: 'pendant-1', kind: 'button.pressed', priority, raisedAt: NOW, resident: undefined, policy: DEFAULT_POLICIES[priority], replyCode: '4711' });
  return withState(a, { step: 1, token: 1, deadline: at(60), notified: ['li'], current: ['li'], declined: [] }, 'next_in_grid');
}
