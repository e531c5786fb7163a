import { createHash, timingSafeEqual } from 'node:crypto';
import { DEVICE_SECRET_COST, generateToken, hashSecret, verifySecret } from '../common/secrets.ts';
import { getDeviceAuth } from '../db/queries/device-presence.ts';
import type { Queryable } from '../db/types.ts';
import { deviceIdSchema } from '../contract/device-messages.ts';
import type { DeviceIdentity } from './acl.ts';
import { CONNECT_LIMIT_DEFAULTS, FailureBuckets, GateFullError, WorkGate, sourceAddress, type ConnectLimitOptions } from './connect-limiter.ts';

export type AuthOutcome =
  | { ok: true; identity: DeviceIdentity }
  | {
      ok: false;
      /** rate_limited: the source address is over its failures (CONNACK 5, nothing checked);
       *  busy: the secret checks are saturated (CONNACK 3, nothing checked) */
      reason: 'unknown_device' | 'bad_secret' | 'device_disabled' | 'no_credentials' | 'rate_limited' | 'busy';
    };

interface CacheEntry {
  identity: DeviceIdentity;
  secretHash: string;
  /** SHA-256 of the secret last verified against secretHash: skips scrypt on reconnects. */
  verifiedDigest: Buffer;
}

/**
 * Checks username = device id, password = secret against the stored scrypt hash.
 * A verified secret is remembered (as a digest) until the device is revoked, so a reconnect
 * storm after a network blip costs one SHA-256 per device, not one scrypt.
 *
 * Guessing and floods (issue 11). The order of a CONNECT's checks is the rule:
 *  1. A secret this process has verified before for this device id (the digest cache) is let
 *     in at once, before any limit: no address bucket, no queue, no scrypt. A pendant is
 *     therefore never silenced by someone else's failures, not even one behind the same NAT
 *     address as the attacker, or while a flood from many addresses fills the scrypt queue.
 *  2. Otherwise the source address must have a failure token (burst 50, then 1/s). None →
 *     "not authorised" at once, without reading the database or running scrypt. Only failed
 *     checks spend tokens (a right secret gives its token back), so devices that connect
 *     fine never use up their address's allowance, however many share it.
 *  3. Then a slot for the check: 2 scrypt checks at once process-wide, 128 more waiting;
 *     beyond that "server unavailable" at once (the device retries), and no token is spent.
 *  4. The check costs the same whether the id exists or not: an unknown id is checked against
 *     a dummy hash of the same cost, the comparison is constant-time, so refusal times do
 *     not tell which ids exist.
 * What is left: a device whose secret this process has not verified yet (first connect
 * after a restart, a new or re-keyed device, one evicted from a full cache) connecting from
 * an address that is out of tokens, or while a many-address flood keeps the queue full,
 * waits for a token or a slot like anyone else: its retries get in once the failures pause
 * or as tokens refill (1/s per address, shared with the attacker). Devices verified before
 * the flood are not affected.
 */
export class DeviceAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped by forget(): an authentication that read the row before it must not re-cache. */
  private readonly generations = new Map<string, number>();
  private readonly failures: FailureBuckets;
  private readonly gate: WorkGate;
  private dummyHash: Promise<string> | undefined;
  /** Secret checks (scrypt) actually run, known and unknown ids alike: for tests and benches. */
  scryptChecks = 0;

  constructor(
    private readonly db: Queryable,
    private readonly maxCached = 100_000,
    limits: ConnectLimitOptions = {},
  ) {
    const l = { ...CONNECT_LIMIT_DEFAULTS, ...limits };
    this.failures = new FailureBuckets(l.failureBurst, l.failureRefillPerSecond, l.maxTrackedSources);
    this.gate = new WorkGate(l.scryptConcurrency, l.scryptQueue);
    this.dummyHash = hashSecret(generateToken(), DEVICE_SECRET_COST); // ready before the first unknown id
    this.dummyHash.catch(() => undefined);
  }

  /** `source`: the connection's address (sourceAddress()); the failure limit is kept per source. */
  async authenticate(username: string | undefined, password: Buffer | undefined, source = 'unknown'): Promise<AuthOutcome> {
    if (!username || !password || password.length === 0) return { ok: false, reason: 'no_credentials' };
    const secret = password.toString('utf8');
    const digest = createHash('sha256').update(secret).digest();
    const cached = this.cache.get(username);
    // (1) a secret verified before: never limited
    if (cached && timingSafeEqual(cached.verifiedDigest, digest)) return { ok: true, identity: cached.identity };

    // (2) the source's failure allowance; (3) a slot for the check
    if (!this.failures.tryReserve(source)) return { ok: false, reason: 'rate_limited' };
    let outcome: AuthOutcome;
    try {
      outcome = await this.gate.run(() => this.check(username, secret, digest));
    } catch (err) {
      this.failures.refund(source); // nothing was checked
      if (err instanceof GateFullError) return { ok: false, reason: 'busy' };
      throw err;
    }
    if (outcome.ok) this.failures.refund(source);
    return outcome;
  }

  /** The key the failure limit is kept under for an aedes client (its peer address). */
  sourceOf(client: unknown): string {
    return sourceAddress(client);
  }

  /** Forget a device (deleted, secret rotated, reassigned): the next connect is checked afresh. */
  forget(deviceId: string): void {
    this.cache.delete(deviceId);
    this.generations.set(deviceId, (this.generations.get(deviceId) ?? 0) + 1);
  }

  private async check(username: string, secret: string, digest: Buffer): Promise<AuthOutcome> {
    const generation = this.generations.get(username) ?? 0;
    // (4) a name that is not even a device id, or an id with no device: the same scrypt, on a dummy
    const device = deviceIdSchema.safeParse(username).success ? await getDeviceAuth(this.db, username) : undefined;
    this.scryptChecks++;
    const matches = await verifySecret(secret, device?.secretHash ?? (await this.dummy()));
    if (!device) return { ok: false, reason: 'unknown_device' };
    if (!matches) return { ok: false, reason: 'bad_secret' };
    // taken out of service: the right secret is not enough (and is not cached)
    if (device.disabled) return { ok: false, reason: 'device_disabled' };
    const identity: DeviceIdentity = { deviceId: device.id, kind: device.kind, residentId: device.residentId };
    if ((this.generations.get(username) ?? 0) !== generation) return { ok: false, reason: 'bad_secret' }; // revoked meanwhile
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(username, { identity, secretHash: device.secretHash, verifiedDigest: digest });
    return { ok: true, identity };
  }

  /** A hash of a random secret, at the device cost: what an unknown id is checked against. */
  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashSecret(generateToken(), DEVICE_SECRET_COST));
  }
}
