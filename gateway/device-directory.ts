import { getDeviceAuth } from '../db/queries/device-presence.ts';
import type { Queryable } from '../db/types.ts';
import type { DeviceIdentity } from './acl.ts';

/**
 * Device id → identity for messages that arrive through an external broker (which has
 * already authenticated the device). Cached briefly; unknown ids are remembered too, so a
 * chatty unprovisioned device costs one query per interval, not one per message.
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, { identity: DeviceIdentity | undefined; until: number }>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 60_000,
    private readonly negativeTtlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(deviceId: string): Promise<DeviceIdentity | undefined> {
    const hit = this.cache.get(deviceId);
    if (hit && hit.until > this.now()) return hit.identity;
    let d: Awaited<ReturnType<typeof getDeviceAuth>>;
    try {
      d = await getDeviceAuth(this.db, deviceId);
    } catch (err) {
      if (hit?.identity) return hit.identity; // database down: a stale identity beats a stalled alarm
      throw err;
    }
    const identity = d && { deviceId: d.id, kind: d.kind, residentId: d.residentId };
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(deviceId, { identity, until: this.now() + (identity ? this.ttlMs : this.negativeTtlMs) });
    return identity;
  }

  forget(deviceId: string): void {
    this.cache.delete(deviceId);
  }
}
