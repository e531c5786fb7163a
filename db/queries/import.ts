import { ConflictError } from '../../common/errors.ts';
import type { DeviceKind } from '../../contract/device-messages.ts';
import type { Contact } from '../../contract/residents.ts';
import type { AreaKind } from './areas.ts';
import type { CaregiverRole } from './caregivers.ts';
import { caregiverInScope, deviceInScope, scopeSql, type Scope } from '../scope.ts';
import type { Queryable } from '../types.ts';
import { isUniqueViolation } from './db-errors.ts';

/**
 * Bulk import (POST /api/import): what the database holds about the rows of the files, and the
 * plan's writes as a handful of multi-row statements (a row set as one JSON parameter, read with
 * jsonb_to_recordset: the same text through pg and PGlite, and no statement per row).
 */

/** An area as the import plan knows it. */
export type KnownArea = {
  id: string;
  name: string;
  kind: AreaKind;
  parentId: string | null;
};

export type NewArea = KnownArea & {
  /** "District/Street/…" down to this area, for the report. */
  path: string;
};

export type ExistingResident = {
  id: string;
  ref: string;
  name: string;
  areaId: string;
  address: string | null;
  phone: string | null;
  notes: string | null;
  accessInfo: string | null;
  contacts: Contact[];
  inScope: boolean;
  erased: boolean;
};
export type ExistingDevice = {
  id: string;
  kind: DeviceKind;
  residentId: string | null;
  inScope: boolean;
  /** A caregiver wears it: it must stay a wearable. */
  worn: boolean;
};
export type ExistingCaregiver = {
  id: string;
  ref: string | null;
  name: string;
  phone: string | null;
  role: CaregiverRole;
  areaIds: string[];
  inScope: boolean;
};
export interface ImportState {
  areas: KnownArea[];
  /** Residents whose ref is in either file. */
  residents: ExistingResident[];
  /** Devices named by id in the file, and every device of the residents above (oldest first). */
  devices: ExistingDevice[];
  /** Caregivers whose ref or phone is in the file. */
  caregivers: ExistingCaregiver[];
}

export interface ResidentWrite {
  id: string;
  ref: string;
  name: string;
  areaId: string;
  address: string | null;
  phone: string | null;
  notes: string | null;
  accessInfo: string | null;
  contacts: Contact[];
}
export interface DeviceWrite {
  id: string;
  kind: DeviceKind;
  residentId: string | null;
  residentRef: string | null;
}
export interface CaregiverWrite {
  id: string;
  ref: string | null;
  name: string;
  phone: string | null;
  role: CaregiverRole;
  areaIds: string[];
}

export interface ImportPlan {
  areas: NewArea[];
  residents: { create: ResidentWrite[]; update: ResidentWrite[]; unchanged: number };
  devices: { create: DeviceWrite[]; update: DeviceWrite[]; unchanged: number };
  caregivers: { create: CaregiverWrite[]; update: CaregiverWrite[]; unchanged: number };
}

export interface ImportKeys {
  residentRefs: string[];
  deviceIds: string[];
  caregiverRefs: string[];
  caregiverPhones: string[];
}

export async function readImportState(q: Queryable, scope: Scope, keys: ImportKeys): Promise<ImportState> {
  // The whole tree, not only the login's subtree: a path is resolved from the top, through the
  // areas above the login's own; the plan then refuses any path that ends outside the subtree.
  const areas = (await q.query<KnownArea>(`SELECT id, name, kind, parent_id AS "parentId" FROM areas`)).rows;

  // inScope says whether the row is the login's to change; one outside it is never changed
  let params: unknown[] = [JSON.stringify(keys.residentRefs)];
  const residents = (
    await q.query<ExistingResident>(
      `SELECT id, external_ref AS ref, name, area_id AS "areaId", address, phone, notes, access_info AS "accessInfo", contacts,
              ${scopeSql(scope, 'area_id', params)} AS "inScope", erased_at IS NOT NULL AS erased
         FROM residents WHERE external_ref IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      params,
    )
  ).rows;

  params = [JSON.stringify(keys.deviceIds), JSON.stringify(residents.map((r) => r.id))];
  const devices = (
    await q.query<ExistingDevice>(
      `SELECT d.id, d.kind, d.resident_id AS "residentId", ${deviceInScope(scope, 'd', params)} AS "inScope",
              EXISTS (SELECT 1 FROM caregivers w WHERE w.wearable_id = d.id) AS worn
         FROM devices d
        WHERE d.id IN (SELECT jsonb_array_elements_text($1::jsonb))
           OR d.resident_id IN (SELECT x::uuid FROM jsonb_array_elements_text($2::jsonb) AS x)
        ORDER BY d.created_at, d.id`,
      params,
    )
  ).rows;

  params = [JSON.stringify(keys.caregiverRefs), JSON.stringify(keys.caregiverPhones)];
  const caregivers = (
    await q.query<ExistingCaregiver>(
      `SELECT c.id, c.external_ref AS ref, c.name, c.phone, c.role,
              COALESCE((SELECT jsonb_agg(ca.area_id) FROM caregiver_areas ca WHERE ca.caregiver_id = c.id), '[]'::jsonb) AS "areaIds",
              ${caregiverInScope(scope, 'c.id', params)} AS "inScope"
         FROM caregivers c
        WHERE c.external_ref IN (SELECT jsonb_array_elements_text($1::jsonb))
           OR c.phone IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      params,
    )
  ).rows;
  return { areas, residents, devices, caregivers };
}

const rows = (list: readonly unknown[]) => JSON.stringify(list);

/**
 * Call inside the import's one transaction. `secretHashes`: the hash of every new device's secret.
 * A unique key taken meanwhile (a ref, a device id) means someone else changed the same records
 * between the check and the write: 409, and the whole import rolls back.
 */
export async function writeImport(tx: Queryable, scope: Scope, plan: ImportPlan, secretHashes: ReadonlyMap<string, string>): Promise<void> {
  try {
    await writeAll(tx, scope, plan, secretHashes);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('some of these records were changed while the import ran; run it again');
    throw err;
  }
}

async function writeAll(tx: Queryable, scope: Scope, plan: ImportPlan, secretHashes: ReadonlyMap<string, string>): Promise<void> {
  // parents and children in one statement: foreign keys are checked at its end
  if (plan.areas.length > 0) {
    await tx.query(
      `INSERT INTO areas (id, name, kind, parent_id)
       SELECT id, name, kind, parent_id FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, kind text, parent_id uuid)`,
      [rows(plan.areas.map((a) => ({ id: a.id, name: a.name, kind: a.kind, parent_id: a.parentId })))],
    );
  }
  const residentRows = (list: ImportPlan['residents']['create']) =>
    rows(list.map((r) => ({ id: r.id, ref: r.ref, name: r.name, area_id: r.areaId, address: r.address, phone: r.phone, notes: r.notes, access_info: r.accessInfo, contacts: r.contacts })));
  const RESIDENT_RECORD = 'x(id uuid, ref text, name text, area_id uuid, address text, phone text, notes text, access_info text, contacts jsonb)';
  if (plan.residents.create.length > 0) {
    await tx.query(
      `INSERT INTO residents (id, external_ref, name, area_id, address, phone, notes, access_info, contacts)
       SELECT id, ref, name, area_id, address, phone, notes, access_info, contacts FROM jsonb_to_recordset($1::jsonb) AS ${RESIDENT_RECORD}`,
      [residentRows(plan.residents.create)],
    );
  }
  if (plan.residents.update.length > 0) {
    await tx.query(
      `UPDATE residents r SET name = x.name, area_id = x.area_id, address = x.address, phone = x.phone, notes = x.notes,
              access_info = x.access_info, contacts = x.contacts, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS ${RESIDENT_RECORD}
        WHERE r.id = x.id`,
      [residentRows(plan.residents.update)],
    );
  }
  if (plan.devices.create.length > 0) {
    await tx.query(
      `INSERT INTO devices (id, kind, resident_id, secret_hash)
       SELECT id, kind, resident_id, secret_hash FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, resident_id uuid, secret_hash text)`,
      [rows(plan.devices.create.map((d) => ({ id: d.id, kind: d.kind, resident_id: d.residentId, secret_hash: secretHashes.get(d.id) })))],
    );
  }
  if (plan.devices.update.length > 0) {
    await tx.query(
      `UPDATE devices d SET kind = x.kind, resident_id = x.resident_id, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, resident_id uuid)
        WHERE d.id = x.id`,
      [rows(plan.devices.update.map((d) => ({ id: d.id, kind: d.kind, resident_id: d.residentId })))],
    );
  }
  const caregiverRows = (list: ImportPlan['caregivers']['create']) =>
    rows(list.map((c) => ({ id: c.id, ref: c.ref, name: c.name, phone: c.phone, role: c.role })));
  const CAREGIVER_RECORD = 'x(id uuid, ref text, name text, phone text, role text)';
  if (plan.caregivers.create.length > 0) {
    await tx.query(
      `INSERT INTO caregivers (id, external_ref, name, phone, role)
       SELECT id, ref, name, phone, role FROM jsonb_to_recordset($1::jsonb) AS ${CAREGIVER_RECORD}`,
      [caregiverRows(plan.caregivers.create)],
    );
  }
  if (plan.caregivers.update.length > 0) {
    await tx.query(
      `UPDATE caregivers c SET external_ref = x.ref, name = x.name, phone = x.phone, role = x.role, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS ${CAREGIVER_RECORD}
        WHERE c.id = x.id`,
      [caregiverRows(plan.caregivers.update)],
    );
  }
  const assigned = [...plan.caregivers.create, ...plan.caregivers.update];
  if (assigned.length > 0) {
    // each caregiver's assignments inside the login's area are replaced; those outside stay
    const params: unknown[] = [rows(assigned.map((c) => c.id))];
    await tx.query(
      `DELETE FROM caregiver_areas
        WHERE caregiver_id IN (SELECT x::uuid FROM jsonb_array_elements_text($1::jsonb) AS x) AND ${scopeSql(scope, 'area_id', params)}`,
      params,
    );
    await tx.query(
      `INSERT INTO caregiver_areas (caregiver_id, area_id)
       SELECT caregiver_id, area_id FROM jsonb_to_recordset($1::jsonb) AS x(caregiver_id uuid, area_id uuid) ON CONFLICT DO NOTHING`,
      [rows(assigned.flatMap((c) => c.areaIds.map((a) => ({ caregiver_id: c.id, area_id: a }))))],
    );
  }
}
