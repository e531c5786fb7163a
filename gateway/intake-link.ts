import type { DeviceCommand } from '../contract/device-messages.ts';
import { topics } from '../contract/topics.ts';
import {
  MessageIntake,
  type DeviceLink,
  type IntakeOptions,
  type Listener,
} from './message-intake.ts';
import type { ReceivedAck, ReceivedEvent, StatusChange } from '../contract/received.ts';

/**
 * What every transport shares: one MessageIntake behind the listener hooks, and outgoing
 * messages addressed by the contract's topics. A transport adds how it publishes and its own
 * connections, health, revocation and shutdown.
 */
export abstract class IntakeLink implements DeviceLink {
  readonly intake: MessageIntake;

  protected constructor(options: Omit<IntakeOptions, 'sendCommand'>) {
    this.intake = new MessageIntake({ ...options, sendCommand: (id, cmd) => this.publishToDevice(id, cmd) });
  }

  protected abstract publish(topic: string, message: unknown): Promise<void>;
  abstract health(): { ok: boolean; detail: string };
  abstract revokeDevice(deviceId: string): void;
  abstract close(drainTimeoutMs?: number): Promise<void>;

  onEvent(listener: Listener<ReceivedEvent>): void {
    this.intake.onEvent(listener);
  }
  onAck(listener: Listener<ReceivedAck>): void {
    this.intake.onAck(listener);
  }
  onStatus(listener: Listener<StatusChange>): void {
    this.intake.onStatus(listener);
  }

  publishToDevice(deviceId: string, command: DeviceCommand): Promise<void> {
    return this.publish(topics.deviceCommands(deviceId), command);
  }

  publishToWearable(wearableId: string, message: Record<string, unknown>): Promise<void> {
    return this.publish(topics.wearableAlerts(wearableId), message);
  }
}
