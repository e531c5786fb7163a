import { auditEntrySchema, type AuditEntry, type NewAuditEntry } from '../../contract/audit.ts';
import type { Queryable, Row } from '../types.ts';
import { scopeSql, type Scope } from '../scope.ts';

const toEntry = (row: Row): AuditEntry => auditEntrySchema.parse(row);

/**
 * Appends a batch. The resident a device or an alarm belongs to is looked up here, in the
 * insert, so the request that is audited pays nothing for it.
 */
export async function insertAuditEntries(q: Queryable, entries: readonly NewAuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    at: e.at.toISOString(),
    user_id: e.userId,
    username: e.username,
    action: e.action,
    resource: e.resource,
    resource_id: e.resourceId,
    resident_id: e.residentId ?? null,
    method: e.method,
    route: e.route,
    status: e.status,
    ip: e.ip,
  }));
  await q.query(
    `INSERT INTO audit_log (at, user_id, username, action, resource, resource_id, resident_id, method, route, status, ip)
     SELECT x.at, x.user_id, x.username, x.action, x.resource, x.resource_id,
            COALESCE(x.resident_id,
              CASE x.resource
                WHEN 'resident' THEN (SELECT r.id FROM residents r WHERE r.id::text = x.resource_id)
                WHEN 'device' THEN (SELECT d.resident_id FROM devices d WHERE d.id = x.resource_id)
                WHEN 'alarm' THEN (SELECT a.resident_id FROM alarms a WHERE a.id::text = x.resource_id)
              END),
            x.method, x.route, x.status, x.ip
       FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, user_id uuid, username text, action text, resource text,
            resource_id text, resident_id uuid, method text, route text, status int, ip text)`,
    [JSON.stringify(rows)],
  );
}

export interface AuditFilter {
  from: Date;
  to: Date;
  userId?: string | undefined;
  residentId?: string | undefined;
  limit: number;
}

/**
 * Newest first. An admin bound to an area sees the lines about its residents and the lines of
 * the logins bound inside it; a centre-wide admin sees everything.
 */
export async function listAudit(q: Queryable, scope: Scope, f: AuditFilter): Promise<AuditEntry[]> {
  const params: unknown[] = [f.from.toISOString(), f.to.toISOString(), f.userId ?? null, f.residentId ?? null, f.limit];
  const inScope =
    scope.areaId === null
      ? 'TRUE'
      : `(resident_id IN (SELECT sr.id FROM residents sr WHERE ${scopeSql(scope, 'sr.area_id', params)})
          OR user_id IN (SELECT su.id FROM users su WHERE ${scopeSql(scope, 'su.area_id', params)}))`;
  const r = await q.query(
    `SELECT id::int AS id, at, user_id::text AS "userId", username, action, resource, resource_id AS "resourceId",
            resident_id::text AS "residentId", method, route, status, ip
       FROM audit_log
      WHERE at >= $1::timestamptz AND at < $2::timestamptz
        AND ($3::uuid IS NULL OR user_id = $3::uuid) AND ($4::uuid IS NULL OR resident_id = $4::uuid)
        AND ${inScope}
      ORDER BY at DESC, id DESC LIMIT $5`,
    params,
  );
  return r.rows.map(toEntry);
}
