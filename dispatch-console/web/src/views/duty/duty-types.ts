// The duty API as the page receives it (instants are ISO strings on the wire). Types only.
import type { Wire } from '../../../../../contract/alarm-view.ts';
import type { Absence, AbsenceReason, CoverageGap, OnDutyGrid, Rota, WeekDay } from '../../../../../contract/duty.ts';

export type { AbsenceReason, WeekDay };
export type RotaRow = Wire<Rota>;
export type AbsenceRow = Wire<Absence>;
export type Gap = Wire<CoverageGap>;
export type GridOnDuty = Wire<OnDutyGrid>;
export type RotaWrite = RotaRow & { gaps: Gap[] };
export type AbsenceWrite = AbsenceRow & { gaps: Gap[] };
export interface DutyDelete {
  id: string;
  gaps: Gap[];
}

/** The caregiver fields the page uses from GET /api/caregivers. */
export interface CaregiverRow {
  id: string;
  name: string;
  role: string;
  areaIds: string[];
}

/** The area fields the page uses from GET /api/areas. */
export interface AreaRow {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
}

/** Editable rota fields, as the form holds them. */
export interface RotaDraft {
  days: WeekDay[];
  start: string;
  end: string;
  from: string;
  /** '' = open-ended (sent as null). */
  until: string;
}

export const ABSENCE_REASONS = ['leave', 'sickness', 'training', 'other'] as const satisfies readonly AbsenceReason[];
