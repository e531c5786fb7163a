import { serviceKinds, type DeviceCommand, type ServiceKind } from '../../contract/device-messages.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import type { ActiveAlarmView } from './alarm-rules.ts';
import type { Candidate, RoutingPool } from './routing.ts';

/**
 * Service orders (DESIGN "Service orders"): a `service.request` is an order of its own, in its
 * own lane — never merged into an emergency or urgent alarm of the resident, nor one into it.
 * Pure: the shell feeds the pool and the trigger's data; nothing here reads a clock.
 */

/** The service kind a `service.request`'s data asks for (the gateway validated it; `other` otherwise). */
export function serviceOf(data: Record<string, unknown>): ServiceKind {
  const s = data.service;
  return (serviceKinds as readonly unknown[]).includes(s) ? (s as ServiceKind) : 'other';
}

export type ServiceGrouping = { action: 'open' } | { action: 'join'; alarmId: string };

/**
 * A second request while the resident's order is still active joins that order (its timeline
 * shows the further request with its service kind), whatever kind it asks for: one visit at a
 * time per resident, and the database keeps one active order per resident (the lane's unique
 * index). The caregiver who comes sees both requests; the operator may reassign.
 */
export function serviceGrouping(active: (ActiveAlarmView & { id: string }) | undefined): ServiceGrouping {
  return active ? { action: 'join', alarmId: active.id } : { action: 'open' };
}

const hasSkill = (c: Candidate, service: ServiceKind) => (c.skills ?? []).includes(service);

/**
 * Who a service order asks, in order: the grid's on-duty caregivers with that skill, then the
 * community's with that skill, then anyone else on duty in the grid; each group least busy first
 * (the pool is ranked already). The escalation policy walks this as its "grid": `next_in_grid`
 * asks them one at a time, most fitting first; `all_in_grid` asks all of them; the rest of the
 * community (without the skill) stays in `community` for a policy that has a `community_pool`
 * step; then the console. Supervisors and family are unchanged.
 */
export function servicePool(pool: RoutingPool, service: ServiceKind): RoutingPool {
  const skilledGrid = pool.grid.filter((c) => hasSkill(c, service));
  const skilledCommunity = pool.community.filter((c) => hasSkill(c, service));
  const otherGrid = pool.grid.filter((c) => !hasSkill(c, service));
  const otherCommunity = pool.community.filter((c) => !hasSkill(c, service));
  return { ...pool, grid: [...skilledGrid, ...skilledCommunity, ...otherGrid], community: otherCommunity };
}

/** The resident's device: "your request was taken down" — at once, when the order opens. */
export const serviceReceived = (a: AlarmRecord, service: ServiceKind): DeviceCommand => ({ type: 'service.received', alarmId: a.id, service });

/** The resident's device: who took the order and (when they said) when they will come. */
export const serviceScheduled = (a: AlarmRecord, by: string, at: Date | undefined): DeviceCommand => ({
  type: 'service.scheduled',
  alarmId: a.id,
  by,
  ...(at && { at: at.toISOString() }),
});

/** Words for a service kind in an SMS (plain English: SMS bodies are English throughout). */
export const SERVICE_WORDS: Record<ServiceKind, string> = {
  meal: 'meal',
  bathing: 'bathing',
  haircut: 'haircut',
  housekeeping: 'housekeeping',
  massage: 'massage',
  doctor: 'doctor visit',
  other: 'other service',
};
