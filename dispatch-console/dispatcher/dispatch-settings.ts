import type { PolicyConfig } from '../../contract/escalation-policy.ts';
import type { AbsenceSettings } from '../core/absence-rules.ts';

/** The dispatcher's part of the configuration (common/config.ts parses it once at start-up). */
export interface DispatchSettings {
  policy: PolicyConfig;
  cancelWindowS: number;
  nightHours: { start: number; end: number };
  temperature: { minC: number; maxC: number };
  /** NIGHT_DOOR_ALARM: a door opening at night alarms, unless the resident's settings say otherwise (absent: on). */
  nightDoorAlarm?: boolean;
  absence: Omit<AbsenceSettings, 'nightHours'>;
  /** How long a decision waits for the database before it is made from memory. */
  dbDeadlineMs: number;
  /** At start-up, how long overdue steps wait for the wrists that were online to reconnect. */
  startupGraceMs: number;
  /** A wrist gone this long while an open step waits for its answer: the step moves on. */
  wristLostAfterS: number;
}
