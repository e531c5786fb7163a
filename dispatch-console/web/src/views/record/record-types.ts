// The contract as the resident record receives it (types only; dates are ISO strings on the wire).
import type { Wire } from '../../../../../contract/alarm-view.ts';
import type { DeviceKind } from '../../../../../contract/device-messages.ts';
import type { ResidentActivity } from '../../../../../contract/resident-record.ts';
import type { Resident } from '../../../../../contract/residents.ts';

/** GET /api/residents/:id; `accessInfo` is optional so an older server's answer still renders. */
export type RecordResident = Omit<Wire<Resident>, 'accessInfo'> & { accessInfo?: string | null };
export type Activity = Wire<ResidentActivity>;
export type ActivityHour = Activity['hours'][number];

/** The fields of GET /api/devices the record shows. */
export interface RecordDevice {
  id: string;
  kind: DeviceKind;
  online: boolean;
  battery: number | null;
  fw: string | null;
  disabled: boolean;
  lastSeenAt: string | null;
}

/** The fields of GET /api/areas the record uses to name the grid's path. */
export interface RecordArea {
  id: string;
  name: string;
  parentId: string | null;
}
