import { createHash } from 'node:crypto';
import { verifySecret } from '../common/secrets.ts';
import { getDeviceAuth } from '../db/queries/device-presence.ts';
import type { Queryable } from '../db/types.ts';
import { deviceIdSchema } from '../contract/device-messages.ts';
import type { DeviceIdentity } from './acl.ts';

export type AuthOutcome = { ok: true; identity: DeviceIdentity } | { ok: false; reason: 'unknown_device' | 'bad_secret' | 'no_credentials' };

interface CacheEntry {
  identity: DeviceIdentity;
  secretHash: string;
  /** SHA-256 of the secret last verified against secretHash: skips scrypt on reconnects. */
  verifiedDigest: string;
}

/**
 * Checks username = device id, password = secret against the stored scrypt hash.
 * A verified secret is remembered (as a digest) until the device is revoked, so a reconnect
 * storm after a network blip costs one SHA-256 per device, not one scrypt.
 */
export class DeviceAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped by forget(): an authentication that read the row before it must not re-cache. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly db: Queryable,
    private readonly maxCached = 100_000,
  ) {}

  async authenticate(username: string | undefined, password: Buffer | undefined): Promise<AuthOutcome> {
    if (!username || !password || password.length === 0) return { ok: false, reason: 'no_credentials' };
    if (!deviceIdSchema.safeParse(username).success) return { ok: false, reason: 'unknown_device' }; // not even a device id
    const secret = password.toString('utf8');
    const digest = createHash('sha256').update(secret).digest('hex');
    const cached = this.cache.get(username);
    if (cached && cached.verifiedDigest === digest) return { ok: true, identity: cached.identity };

    const generation = this.generations.get(username) ?? 0;
    const device = await getDeviceAuth(this.db, username);
    if (!device) return { ok: false, reason: 'unknown_device' };
    if (!(await verifySecret(secret, device.secretHash))) return { ok: false, reason: 'bad_secret' };
    const identity: DeviceIdentity = { deviceId: device.id, kind: device.kind, residentId: device.residentId };
    if ((this.generations.get(username) ?? 0) !== generation) return { ok: false, reason: 'bad_secret' }; // revoked meanwhile
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(username, { identity, secretHash: device.secretHash, verifiedDigest: digest });
    return { ok: true, identity };
  }

  /** Forget a device (deleted, secret rotated, reassigned): the next connect is checked afresh. */
  forget(deviceId: string): void {
    this.cache.delete(deviceId);
    this.generations.set(deviceId, (this.generations.get(deviceId) ?? 0) + 1);
  }
}
