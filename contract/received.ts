import type { DeviceEvent, DeviceStatus, WearableAck } from './device-messages.ts';

/**
 * Device messages as the gateway hands them on once validated and committed: what the
 * dispatcher (and anything else listening to the gateway) receives.
 */

/** Who is on the other end of an MQTT connection, as established by authentication. */
export interface DeviceIdentity {
  deviceId: string;
  kind: string;
  residentId: string | null;
}

export interface ReceivedEvent {
  device: DeviceIdentity;
  event: DeviceEvent;
  /** Digest of the content: with the event id, what identifies a retransmission. */
  fingerprint: string;
  receivedAt: Date;
}

export interface ReceivedAck {
  device: DeviceIdentity;
  ack: WearableAck;
  receivedAt: Date;
}

/** A device came online or went offline, or reported its status (battery, signal). */
export interface StatusChange {
  deviceId: string;
  online: boolean;
  status?: DeviceStatus;
  at: Date;
}
