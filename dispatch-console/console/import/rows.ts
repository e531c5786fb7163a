import { z } from 'zod';
import { deviceIdSchema, deviceKindSchema, type DeviceKind } from '../../../contract/device-messages.ts';
import { CONTACT_COLUMN, importColumns, type ImportFile, type ImportIssue } from '../../../contract/import.ts';
import type { Contact } from '../../../contract/residents.ts';
import { caregiverRoleSchema, type CaregiverRole } from '../../../db/queries/caregivers.ts';
import { nameSchema, phoneSchema, storableText, textSchema } from '../routes/shared-schemas.ts';
import { CsvSyntaxError, isBlank, parseCsv } from './csv.ts';

/**
 * One CSV file to typed rows, pure: the header is checked (a misspelt column would silently
 * drop a whole column of data, so an unknown one is an error), then every row through zod.
 * Every problem found is reported with the file, the line and the column.
 */

export interface ResidentRow {
  line: number;
  ref: string;
  name: string;
  grid: string[];
  address: string | null;
  phone: string | null;
  notes: string | null;
  /** Key safe, door code: how a caregiver gets in. */
  access: string | null;
  contacts: Contact[];
}
export interface DeviceRow {
  line: number;
  id: string | null;
  kind: DeviceKind;
  residentRef: string | null;
}
export interface CaregiverRow {
  line: number;
  ref: string | null;
  name: string;
  phone: string | null;
  role: CaregiverRole;
  grids: string[][];
}

/** An empty cell is an absent value (spreadsheets cannot tell "" from nothing). */
const cell = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
const refSchema = storableText().trim().min(1).max(100);

/** "District/Street/Community/Grid": names separated by "/", top first. */
export const pathSchema = (maxDepth: number, exactDepth?: number) =>
  storableText()
    .transform((s) => s.split('/').map((p) => p.trim()))
    .refine((p) => p.every((name) => name !== '' && name.length <= 200), 'an area name in the path is empty or longer than 200 characters')
    .refine(
      (p) => (exactDepth === undefined ? p.length <= maxDepth : p.length === exactDepth),
      exactDepth === undefined ? `a path has at most ${maxDepth} levels: District/Street/Community/Grid` : 'must be a grid\'s path: District/Street/Community/Grid',
    );

const residentSchema = z.object({
  ref: cell(refSchema),
  name: cell(nameSchema),
  grid: cell(pathSchema(4, 4)),
  address: cell(textSchema(500).optional()),
  phone: cell(phoneSchema.optional()),
  notes: cell(textSchema(2000).optional()),
  access: cell(textSchema(500).optional()),
});
const deviceSchema = z.object({
  id: cell(deviceIdSchema.optional()),
  kind: cell(z.enum(deviceKindSchema.options, { error: `must be one of ${deviceKindSchema.options.join(', ')}` })),
  resident_ref: cell(refSchema.optional()),
});
const caregiverSchema = z.object({
  ref: cell(refSchema.optional()),
  name: cell(nameSchema),
  phone: cell(phoneSchema.optional()),
  role: cell(caregiverRoleSchema.optional()),
  grids: cell(
    storableText()
      .transform((s) => s.split(';').filter((p) => p.trim() !== ''))
      .pipe(z.array(pathSchema(4)).max(500))
      .optional(),
  ),
});
const contactSchema = z.object({ name: cell(nameSchema.optional()), phone: cell(phoneSchema.optional()), relation: cell(textSchema(100).optional()) });

interface Parsed<T> {
  rows: T[];
  issues: ImportIssue[];
}

/** Header and records of one file; structural problems as issues. */
function readTable(file: ImportFile, text: string, issues: ImportIssue[]): { header: string[]; records: { line: number; values: Record<string, string> }[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    issues.push({ file, line: err.line, field: null, reason: err.message });
    return { header: [], records: [] };
  }
  const head = records[0];
  if (!head || isBlank(head)) {
    issues.push({ file, line: 1, field: null, reason: 'the first line must name the columns' });
    return { header: [], records: [] };
  }
  const header = head.fields.map((h) => h.trim().toLowerCase());
  const { required, optional } = importColumns[file];
  const known = new Set<string>([...required, ...optional]);
  const seen = new Set<string>();
  for (const h of header) {
    if (!known.has(h) && !(file === 'residents' && CONTACT_COLUMN.test(h))) issues.push({ file, line: 1, field: h, reason: 'unknown column' });
    else if (seen.has(h)) issues.push({ file, line: 1, field: h, reason: 'column named twice' });
    seen.add(h);
  }
  for (const r of required) if (!seen.has(r)) issues.push({ file, line: 1, field: r, reason: 'required column missing' });
  const out = [];
  for (const rec of records.slice(1)) {
    if (isBlank(rec)) continue;
    if (rec.fields.length > header.length) {
      issues.push({ file, line: rec.line, field: null, reason: `${rec.fields.length} fields but the header names ${header.length} columns` });
      continue;
    }
    out.push({ line: rec.line, values: Object.fromEntries(header.map((h, i) => [h, rec.fields[i] ?? ''])) });
  }
  return { header, records: out };
}

/** A key the file names twice: the later row is refused, naming the first one's line. */
function duplicates(file: ImportFile, issues: ImportIssue[]) {
  const seen = new Map<string, number>();
  return (line: number, field: string, key: string | undefined, label: string): boolean => {
    if (key === undefined || key === '') return false;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, line);
      return false;
    }
    issues.push({ file, line, field, reason: `${label} is already on line ${first}` });
    return true;
  };
}

function check<S extends z.ZodType>(file: ImportFile, line: number, schema: S, values: unknown, issues: ImportIssue[], prefix = ''): z.infer<S> | undefined {
  const r = schema.safeParse(values);
  if (r.success) return r.data;
  for (const i of r.error.issues) {
    const field = `${prefix}${String(i.path[0] ?? '')}` || null;
    const reason = i.code === 'invalid_type' && i.input === undefined ? 'required' : i.message;
    issues.push({ file, line, field, reason });
  }
  return undefined;
}

/** `refs`: every ref the file names, its bad rows' too (a device naming one is not "unknown"). */
export function parseResidents(text: string): Parsed<ResidentRow> & { refs: Set<string> } {
  const issues: ImportIssue[] = [];
  const { header, records } = readTable('residents', text, issues);
  const slots = [...new Set(header.map((h) => CONTACT_COLUMN.exec(h)?.[1]).filter((n) => n !== undefined))].sort();
  const rows: ResidentRow[] = [];
  const twice = duplicates('residents', issues);
  const refs = new Set<string>();
  for (const { line, values } of records) {
    const before = issues.length;
    const ref = values.ref?.trim();
    twice(line, 'ref', ref, `ref ${ref}`);
    if (ref) refs.add(ref);
    const r = check('residents', line, residentSchema, values, issues);
    const contacts: Contact[] = [];
    for (const n of slots) {
      const c = check('residents', line, contactSchema, { name: values[`contact${n}_name`], phone: values[`contact${n}_phone`], relation: values[`contact${n}_relation`] }, issues, `contact${n}_`);
      if (!c || (c.name === undefined && c.phone === undefined && c.relation === undefined)) continue;
      if (c.name === undefined) issues.push({ file: 'residents', line, field: `contact${n}_name`, reason: 'a contact needs a name' });
      else if (c.phone === undefined) issues.push({ file: 'residents', line, field: `contact${n}_phone`, reason: 'a contact needs a phone number' });
      else contacts.push({ name: c.name, phone: c.phone, ...(c.relation !== undefined && { relation: c.relation }) });
    }
    if (r && issues.length === before) {
      rows.push({ line, ref: r.ref, name: r.name, grid: r.grid, address: r.address ?? null, phone: r.phone ?? null, notes: r.notes ?? null, access: r.access ?? null, contacts });
    }
  }
  return { rows, issues, refs };
}

export function parseDevices(text: string): Parsed<DeviceRow> {
  const issues: ImportIssue[] = [];
  const rows: DeviceRow[] = [];
  const twice = duplicates('devices', issues);
  for (const { line, values } of readTable('devices', text, issues).records) {
    const id = values.id?.trim();
    if (twice(line, 'id', id, `device ${id}`)) continue;
    const d = check('devices', line, deviceSchema, values, issues);
    if (!d) continue;
    const residentRef = d.resident_ref ?? null;
    if (d.kind === 'wearable' && residentRef !== null) {
      issues.push({ file: 'devices', line, field: 'resident_ref', reason: 'a wearable belongs to a caregiver, not a resident: leave resident_ref empty' });
    } else if (d.id === undefined && residentRef === null) {
      // without an id or a resident nothing would match the row on a re-run: it would make a new device every time
      issues.push({ file: 'devices', line, field: 'id', reason: 'a device without a resident needs an id' });
    } else {
      rows.push({ line, id: d.id ?? null, kind: d.kind, residentRef });
    }
  }
  return { rows, issues };
}

export function parseCaregivers(text: string): Parsed<CaregiverRow> {
  const issues: ImportIssue[] = [];
  const rows: CaregiverRow[] = [];
  const twice = duplicates('caregivers', issues);
  for (const { line, values } of readTable('caregivers', text, issues).records) {
    // the ref is the key when given, else the phone number
    const ref = values.ref?.trim() ?? '';
    const phone = values.phone?.trim() ?? '';
    const twiceNamed = ref !== '' ? twice(line, 'ref', `ref ${ref}`, `ref ${ref}`) : twice(line, 'phone', phone === '' ? undefined : `phone ${phone}`, `phone ${phone}`);
    if (twiceNamed) continue;
    const c = check('caregivers', line, caregiverSchema, values, issues);
    if (!c) continue;
    if (c.ref === undefined && c.phone === undefined) {
      issues.push({ file: 'caregivers', line, field: 'ref', reason: 'a caregiver needs a ref or a phone number (the key a re-run matches on)' });
      continue;
    }
    rows.push({ line, ref: c.ref ?? null, name: c.name, phone: c.phone ?? null, role: c.role ?? 'caregiver', grids: c.grids ?? [] });
  }
  return { rows, issues };
}
