import type { Actor } from '../../contract/alarms.ts';
import type { AlarmAction } from './alarm-transitions.ts';

/** An action on an alarm, from a wrist, the console, an SMS reply or the resident's device. */
export interface ActionRequest {
  /** `note`: only adds the note to the timeline, in any status (closed alarms too: documentation). */
  action: AlarmAction | 'note';
  actor: Actor;
  /** The caregiver acting (wearable, SMS reply, caregiver login). */
  caregiverId?: string | undefined;
  /** Reassign: to whom. */
  targetCaregiverId?: string | undefined;
  outcome?: string | undefined;
  note?: string | undefined;
  via: 'wearable' | 'console' | 'sms' | 'device';
  deviceId?: string | undefined;
  /** When it reached the service (a wrist's ack): the action is stamped then, not when it could be applied. */
  receivedAt?: Date | undefined;
  /** Accepting a service order: when the caregiver will come (the resident's device is told). */
  at?: Date | undefined;
}
