// What the administration APIs answer, as the page receives it (types only: nothing bundled).
import type { Wire } from '../../../../../contract/alarm-view.ts';
import type { DeviceKind } from '../../../../../contract/device-messages.ts';
import type { Contact, Resident } from '../../../../../contract/residents.ts';

export type ResidentRow = Wire<Resident>;
export type { Contact, DeviceKind };

export const areaKinds = ['district', 'street', 'community', 'grid'] as const;
export type AreaKind = (typeof areaKinds)[number];

/** GET /api/areas (db/queries/areas.ts areaSchema). */
export interface AreaRow {
  id: string;
  name: string;
  kind: AreaKind;
  parentId: string | null;
}

/** GET /api/devices (db/queries/devices.ts deviceSchema). */
export interface DeviceRow {
  id: string;
  kind: DeviceKind;
  residentId: string | null;
  online: boolean;
  battery: number | null;
  fw: string | null;
  disabled: boolean;
  lastSeenAt: string | null;
}

/** GET /api/caregivers (db/queries/caregivers.ts caregiverSchema). */
export interface CaregiverRow {
  id: string;
  name: string;
  phone: string | null;
  wearableId: string | null;
  role: 'caregiver' | 'supervisor';
  areaIds: string[];
  /** Service kinds they do (meal, bathing, …); absent from older answers. */
  skills?: Array<'meal' | 'bathing' | 'haircut' | 'housekeeping' | 'massage' | 'doctor' | 'other'>;
}

/** GET /api/users (db/queries/users.ts userSchema). */
export interface UserRow {
  id: string;
  username: string;
  role: 'admin' | 'operator' | 'caregiver';
  caregiverId: string | null;
  areaId: string | null;
  disabled: boolean;
}

// the contract's list (contract/device-messages.ts deviceKinds), checked against its type
export const deviceKinds = [
  'pendant',
  'pull_cord',
  'button',
  'fall_sensor',
  'smoke_detector',
  'co_detector',
  'flood_sensor',
  'door_sensor',
  'motion_sensor',
  'bed_sensor',
  'temperature_sensor',
  'hub',
  'wearable',
] as const satisfies readonly DeviceKind[];
