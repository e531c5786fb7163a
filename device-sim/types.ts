import type { DeviceKind } from '../contract/device-messages.ts';

/** One simulated device (or wearable) with the credentials it connects with. */
export interface SimDevice {
  id: string;
  secret: string;
  kind: DeviceKind;
  residentId?: string;
  residentName?: string;
}

/** Thrown for problems the user must fix (unreachable API, bad login, bad flags): one clear line. */
export class SimError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'SimError';
  }
}
