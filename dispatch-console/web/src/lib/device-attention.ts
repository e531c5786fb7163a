import type { Device } from '../types.ts';
import { batteryPct } from './battery.ts';

/**
 * Devices that need someone to look: offline, or battery low. "Battery low" is the server's
 * `batteryLow` (an active battery.low alarm holds an event of the device, or its last status
 * reading is under 20 %): the same truth the board's alarms show, never the page's own guess
 * from a status reading that a `battery.low` event does not change. Offline first, then the
 * lowest battery.
 */
export function needingAttention(devices: readonly Device[]): Device[] {
  return devices
    .filter((d) => !d.online || d.batteryLow)
    .sort((a, b) => Number(a.online) - Number(b.online) || (batteryPct(a.battery) ?? 101) - (batteryPct(b.battery) ?? 101) || a.id.localeCompare(b.id));
}
