import { randomBytes, scrypt, timingSafeEqual, createHash } from 'node:crypto';

/**
 * scrypt hashes in a self-describing format: `scrypt$N$r$p$salt$hash` (base64url).
 * Staff passwords use the strong cost; device secrets are 256-bit random values, so a
 * lighter cost is enough and keeps reconnect storms of thousands of devices cheap.
 */
export const PASSWORD_COST = { N: 1 << 15, r: 8, p: 1 } as const;
export const DEVICE_SECRET_COST = { N: 1 << 12, r: 8, p: 1 } as const;
type Cost = { N: number; r: number; p: number };

function scryptAsync(secret: string, salt: Buffer, cost: Cost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashSecret(secret: string, cost: Cost = PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new device secret or session token: 32 random bytes, base64url. */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Session tokens are stored only as their SHA-256 (they are random, so no salt/cost needed). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
