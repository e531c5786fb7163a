import type { PolicyConfig } from '../../contract/escalation-policy.ts';
import type { DirectoryCaregiver, RoutingPool } from './routing.ts';

/** A caregiver as the core needs to know them at this moment. */
export interface Person extends DirectoryCaregiver {
  onDuty: boolean;
  wearableOnline: boolean;
}

/** The resident an alarm is opened for, with the name of their grid. */
export interface ResidentView {
  id: string;
  name: string;
  areaId: string;
  address: string | null;
  notes: string | null;
  /** Key safe code, door access (absent in older snapshots). */
  accessInfo?: string | null | undefined;
  phone: string | null;
  grid: string | null;
}

/**
 * What the shell knows that a decision may depend on, as plain data read at one moment: who
 * can be asked (with their load), the people the command concerns, where the resident lives.
 */
export interface Situation {
  /** Everyone on duty who could be asked for this alarm now, in escalation's circles. */
  pool: RoutingPool;
  /** The caregivers this command concerns (alerted, holding it, acting, a reassign target). */
  people: ReadonlyMap<string, Person>;
  /** The resident's area and its ancestors, nearest first (policy overrides by area). */
  areaPath: readonly string[];
  policy: PolicyConfig;
  cancelWindowS: number;
  /** The resident, when opening an alarm (undefined: a device nobody is assigned to). */
  resident?: ResidentView | undefined;
}

/** Why a command was refused: a rule of the lifecycle (conflict) or an incomplete request. */
export interface Refusal {
  kind: 'conflict' | 'invalid';
  /** Stable, e.g. `already_accepted`, `caregiver_not_found`. */
  reason: string;
  message: string;
  details?: Record<string, unknown>;
}
