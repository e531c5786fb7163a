import { createHash } from 'node:crypto';
import type { ReceivedEvent } from '../../contract/received.ts';
import type { Trigger } from '../core/trigger.ts';

/** The same opening event (device, id, content) always names the same alarm: resends cannot fork it. */
export function alarmIdFor(deviceId: string, eventId: string, fingerprint: string): string {
  const h = createHash('sha256').update(`${deviceId}\u0000${eventId}\u0000${fingerprint}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const triggerOf = (e: ReceivedEvent): Trigger => ({
  deviceId: e.device.deviceId,
  residentId: e.device.residentId,
  eventId: e.event.id,
  fingerprint: e.fingerprint,
  type: e.event.type,
  data: e.event.data,
  at: e.receivedAt,
});
