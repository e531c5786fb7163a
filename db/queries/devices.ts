import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { defaultHeartbeatS, deviceKinds, deviceKindSchema, type DeviceKind } from '../../contract/device-messages.ts';
import { deviceInScope, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.ts';

/** A device as staff see it: never its secret hash. */
export const deviceSchema = z.object({
  id: z.string(),
  kind: deviceKindSchema,
  residentId: z.string().nullable(),
  online: z.boolean(),
  battery: z.number().nullable(),
  rssi: z.number().nullable(),
  fw: z.string().nullable(),
  /** Taken out of service: it cannot connect until enabled again. */
  disabled: z.boolean(),
  lastSeenAt: z.date().nullable(),
  statusAt: z.date().nullable(),
  /** Supervision interval in seconds, effective (the kind's default when none is set); 0 = not supervised. */
  heartbeatS: z.number().int(),
  /** Silent past twice heartbeatS since this time (its device.offline alarm was raised); null = heard. */
  offlineSince: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Device = z.infer<typeof deviceSchema>;

// The gateway's read of a device (with its secret hash) lives with its presence queries;
// re-exported so that everything about devices can be found here.
export { getDeviceAuth, type DeviceAuth } from './device-presence.ts';

// the kind's default (contract/device-messages.ts defaultHeartbeatS) for a NULL heartbeat_s
const HEARTBEAT_DEFAULT_SQL = `CASE WHEN kind IN (${deviceKinds.filter((k) => defaultHeartbeatS(k) === 900).map((k) => `'${k}'`).join(', ')}) THEN 900 ELSE 300 END`;

const COLUMNS = `id, kind, resident_id AS "residentId", online, battery, rssi, fw, disabled,
  last_seen_at AS "lastSeenAt", status_at AS "statusAt", created_at AS "createdAt", updated_at AS "updatedAt",
  COALESCE(heartbeat_s, ${HEARTBEAT_DEFAULT_SQL}) AS "heartbeatS", offline_since AS "offlineSince"`;

export async function listDevices(
  q: Queryable,
  scope: Scope,
  filter: { residentId?: string | undefined; kind?: DeviceKind | undefined } = {},
): Promise<Device[]> {
  const params: unknown[] = [filter.residentId ?? null, filter.kind ?? null];
  const r = await q.query<Device>(
    `SELECT ${COLUMNS} FROM devices d
      WHERE ($1::uuid IS NULL OR resident_id = $1::uuid) AND ($2::text IS NULL OR kind = $2::text)
        AND ${deviceInScope(scope, 'd', params)}
      ORDER BY id`,
    params,
  );
  return r.rows;
}

/**
 * `lock` (inside a transaction): 'share' keeps the device's kind fixed while a caregiver is
 * given it as their wearable; 'update' is for changing the device itself.
 */
export async function getDevice(q: Queryable, scope: Scope, id: string, lock?: 'share' | 'update'): Promise<Device | undefined> {
  const suffix = lock === 'share' ? ' FOR SHARE OF d' : lock === 'update' ? ' FOR UPDATE OF d' : '';
  const params: unknown[] = [id];
  return (await q.query<Device>(`SELECT ${COLUMNS} FROM devices d WHERE id = $1 AND ${deviceInScope(scope, 'd', params)}${suffix}`, params)).rows[0];
}

export async function insertDevice(
  q: Queryable,
  d: { id: string; kind: DeviceKind; residentId: string | null; secretHash: string; heartbeatS?: number | null | undefined },
): Promise<Device> {
  try {
    const r = await q.query<Device>(
      `INSERT INTO devices (id, kind, resident_id, secret_hash, heartbeat_s) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [d.id, d.kind, d.residentId, d.secretHash, d.heartbeatS ?? null],
    );
    return r.rows[0]!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`device ${d.id} already exists`);
    if (isForeignKeyViolation(err)) throw new ValidationError(`resident ${d.residentId} does not exist`);
    throw err;
  }
}

export async function updateDevice(
  q: Queryable,
  id: string,
  p: { kind?: DeviceKind | undefined; residentId?: string | null | undefined; disabled?: boolean | undefined; heartbeatS?: number | null | undefined },
): Promise<Device | undefined> {
  try {
    const r = await q.query<Device>(
      `UPDATE devices SET
         kind = COALESCE($2, kind),
         resident_id = CASE WHEN $3::boolean THEN $4::uuid ELSE resident_id END,
         disabled = COALESCE($5, disabled),
         heartbeat_s = CASE WHEN $6::boolean THEN $7::integer ELSE heartbeat_s END,
         updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, p.kind ?? null, p.residentId !== undefined, p.residentId ?? null, p.disabled ?? null, p.heartbeatS !== undefined, p.heartbeatS ?? null],
    );
    return r.rows[0];
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ValidationError(`resident ${p.residentId} does not exist`);
    throw err;
  }
}

/** Replaces the stored hash; false when there is no such device inside `scope`. */
export async function setDeviceSecretHash(q: Queryable, scope: Scope, id: string, secretHash: string): Promise<boolean> {
  const params: unknown[] = [id, secretHash];
  const r = await q.query(`UPDATE devices d SET secret_hash = $2, updated_at = now() WHERE id = $1 AND ${deviceInScope(scope, 'd', params)}`, params);
  return r.rowCount > 0;
}

/** The caregiver wearing this device, if any (a wearable must stay a wearable while worn). */
export async function deviceWearer(q: Queryable, id: string): Promise<string | undefined> {
  const r = await q.query<{ id: string }>('SELECT id FROM caregivers WHERE wearable_id = $1', [id]);
  return r.rows[0]?.id;
}

/** A caregiver wearing it is left without a wearable (ON DELETE SET NULL). */
export async function deleteDevice(q: Queryable, scope: Scope, id: string): Promise<void> {
  let deleted: number;
  const params: unknown[] = [id];
  try {
    deleted = (await q.query(`DELETE FROM devices d WHERE id = $1 AND ${deviceInScope(scope, 'd', params)}`, params)).rowCount;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new ConflictError(`device ${id} is still referenced by recorded alarms or history`);
    throw err;
  }
  if (deleted === 0) throw new NotFoundError('device', id);
}
