import type { AlarmKind } from '../../contract/alarms.ts';

/** What an alarm is raised from: a device's event, or an absence the schedule noticed. */
export interface Trigger {
  deviceId: string;
  residentId: string | null;
  eventId: string;
  fingerprint: string;
  type: AlarmKind;
  data: Record<string, unknown>;
  at: Date;
}
