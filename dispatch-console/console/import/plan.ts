import type { ImportCounts, ImportIssue } from '../../../contract/import.ts';
import type { Contact } from '../../../contract/residents.ts';
import type {
  CaregiverWrite,
  DeviceWrite,
  ExistingCaregiver,
  ExistingDevice,
  ImportPlan,
  ImportState,
  ResidentWrite,
} from '../../../db/queries/import.ts';
import { AreaResolver } from './plan-areas.ts';
import type { CaregiverRow, DeviceRow, ResidentRow } from './rows.ts';

/**
 * What an import will do, decided from the parsed rows and what the database holds, pure: each
 * row becomes a create, an update or nothing (unchanged), or an issue. Run twice (before
 * hashing the new devices' secrets, and again inside the transaction), so every generated id
 * comes from `ids`, which gives the same id for the same key both times.
 */

export interface IdSource {
  area(path: string): string;
  resident(ref: string): string;
  /** A device row without an id: keyed by its line. */
  device(line: number): string;
  caregiver(line: number): string;
}

export const countsOf = (p: { create: unknown[]; update: unknown[]; unchanged: number }): ImportCounts => ({
  created: p.create.length,
  updated: p.update.length,
  unchanged: p.unchanged,
});

const sameContacts = (a: Contact[], b: Contact[]) =>
  JSON.stringify(a.map((c) => [c.name, c.phone, c.relation ?? null])) === JSON.stringify(b.map((c) => [c.name, c.phone, c.relation ?? null]));
const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

export function planImport(
  input: { residents: ResidentRow[]; devices: DeviceRow[]; caregivers: CaregiverRow[]; refsInFile: Set<string> },
  state: ImportState,
  scopeRoot: string | null,
  ids: IdSource,
): { plan: ImportPlan; issues: ImportIssue[] } {
  const issues: ImportIssue[] = [];
  const areas = new AreaResolver(state.areas, scopeRoot, (path) => ids.area(path));
  const plan: ImportPlan = {
    areas: [],
    residents: { create: [], update: [], unchanged: 0 },
    devices: { create: [], update: [], unchanged: 0 },
    caregivers: { create: [], update: [], unchanged: 0 },
  };

  // residents, keyed by ref
  const residentByRef = new Map(state.residents.map((r) => [r.ref, r]));
  /** ref → the resident's id, for the devices file (those in this file and those already stored). */
  const residentIds = new Map<string, string>();
  for (const r of state.residents) if (r.inScope && !r.erased) residentIds.set(r.ref, r.id);
  for (const row of input.residents) {
    const bad = (field: string, reason: string) => issues.push({ file: 'residents', line: row.line, field, reason });
    const existing = residentByRef.get(row.ref);
    if (existing && !existing.inScope) {
      bad('ref', `ref ${row.ref} belongs to a resident outside your area`);
      continue;
    }
    if (existing?.erased) {
      bad('ref', `the resident with ref ${row.ref} was erased; give them a new ref`);
      continue;
    }
    const area = areas.resolve(row.grid);
    if ('reason' in area) {
      bad('grid', area.reason);
      continue;
    }
    const write: ResidentWrite = {
      id: existing?.id ?? ids.resident(row.ref),
      ref: row.ref,
      name: row.name,
      areaId: area.id,
      address: row.address,
      phone: row.phone,
      notes: row.notes,
      accessInfo: row.access,
      contacts: row.contacts,
    };
    residentIds.set(row.ref, write.id);
    if (!existing) plan.residents.create.push(write);
    else if (
      existing.name !== write.name ||
      existing.areaId !== write.areaId ||
      existing.address !== write.address ||
      existing.phone !== write.phone ||
      existing.notes !== write.notes ||
      existing.accessInfo !== write.accessInfo ||
      !sameContacts(existing.contacts, write.contacts)
    ) {
      plan.residents.update.push(write);
    } else plan.residents.unchanged++;
  }

  planDevices(input.devices, state.devices, residentIds, input.refsInFile, ids, plan, issues);
  planCaregivers(input.caregivers, state.caregivers, areas, ids, plan, issues);
  plan.areas = areas.newAreas();
  return { plan, issues };
}

function planDevices(
  rows: DeviceRow[],
  existing: ExistingDevice[],
  residentIds: Map<string, string>,
  refsInFile: Set<string>,
  ids: IdSource, plan: ImportPlan, issues: ImportIssue[]): void {
  const byId = new Map(existing.map((d) => [d.id, d]));
  const named = new Set(rows.map((r) => r.id).filter((id) => id !== null));
  // a row without an id takes the resident's next stored device of its kind not named in the file
  const spare = new Map<string, ExistingDevice[]>();
  for (const d of existing) {
    if (d.residentId === null || named.has(d.id)) continue;
    const key = `${d.residentId}\n${d.kind}`;
    spare.set(key, [...(spare.get(key) ?? []), d]);
  }
  for (const row of rows) {
    const bad = (field: string, reason: string) => issues.push({ file: 'devices', line: row.line, field, reason });
    const residentId = row.residentRef === null ? null : residentIds.get(row.residentRef);
    if (residentId === undefined) {
      bad(
        'resident_ref',
        refsInFile.has(row.residentRef!)
          ? `resident ${row.residentRef}'s row in the residents file is refused`
          : `no resident with ref ${row.residentRef} in the residents file or your area`,
      );
      continue;
    }
    let current: ExistingDevice | undefined;
    let id: string;
    if (row.id !== null) {
      current = byId.get(row.id);
      if (current && !current.inScope) {
        bad('id', `device ${row.id} already exists outside your area`);
        continue;
      }
      if (current?.worn && row.kind !== 'wearable') {
        bad('kind', `device ${row.id} is a caregiver's wearable: it must stay a wearable`);
        continue;
      }
      id = row.id;
    } else {
      current = residentId === null ? undefined : spare.get(`${residentId}\n${row.kind}`)?.shift();
      id = current?.id ?? ids.device(row.line);
    }
    const write: DeviceWrite = { id, kind: row.kind, residentId, residentRef: row.residentRef };
    if (!current) plan.devices.create.push(write);
    else if (current.kind !== write.kind || current.residentId !== write.residentId) plan.devices.update.push(write);
    else plan.devices.unchanged++;
  }
}

function planCaregivers(rows: CaregiverRow[], existing: ExistingCaregiver[], areas: AreaResolver, ids: IdSource, plan: ImportPlan, issues: ImportIssue[]): void {
  const byRef = new Map(existing.filter((c) => c.ref !== null).map((c) => [c.ref!, c]));
  for (const row of rows) {
    const bad = (field: string, reason: string) => issues.push({ file: 'caregivers', line: row.line, field, reason });
    let current: ExistingCaregiver | undefined;
    if (row.ref !== null) {
      current = byRef.get(row.ref);
      if (current && !current.inScope) {
        bad('ref', `ref ${row.ref} belongs to a caregiver outside your area`);
        continue;
      }
    } else {
      // those outside the login's area are not its to match (nor to see)
      const same = existing.filter((c) => c.inScope && c.phone === row.phone);
      if (same.length > 1) {
        bad('phone', `${same.length} caregivers have phone ${row.phone}: give this one a ref`);
        continue;
      }
      current = same[0];
    }
    const areaIds: string[] = [];
    let ok = true;
    for (const path of row.grids) {
      const area = areas.resolve(path);
      if ('reason' in area) {
        bad('grids', `${path.join('/')}: ${area.reason}`);
        ok = false;
      } else if (!areaIds.includes(area.id)) areaIds.push(area.id);
    }
    if (!ok) continue;
    if (areaIds.length === 0 && areas.scoped) {
      // a caregiver the login could not see again would be lost to it
      bad('grids', 'name at least one grid inside your area');
      continue;
    }
    const write: CaregiverWrite = { id: current?.id ?? ids.caregiver(row.line), ref: row.ref ?? current?.ref ?? null, name: row.name, phone: row.phone, role: row.role, areaIds };
    if (!current) plan.caregivers.create.push(write);
    else if (
      current.name !== write.name ||
      current.phone !== write.phone ||
      current.role !== write.role ||
      current.ref !== write.ref ||
      // only the assignments inside the login's area are the import's to replace
      !sameSet(current.areaIds.filter((a) => areas.isInside(a)), areaIds)
    ) {
      plan.caregivers.update.push(write);
    } else plan.caregivers.unchanged++;
  }
}
