import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../../common/errors.ts';
import { DEVICE_SECRET_COST, generateToken, hashSecret } from '../../../common/secrets.ts';
import { importFiles, type ImportIssue, type ImportRequest, type ImportResult } from '../../../contract/import.ts';
import { readImportState, writeImport, type ImportPlan, type ImportState } from '../../../db/queries/import.ts';
import type { Scope } from '../../../db/scope.ts';
import type { Db, Queryable } from '../../../db/types.ts';
import { toCsv } from './csv.ts';
import { countsOf, planImport, type IdSource } from './plan.ts';
import { parseCaregivers, parseDevices, parseResidents } from './rows.ts';

/**
 * Secrets hashed at once. scrypt runs on libuv's thread pool (4 threads), which the gateway's
 * own secret checks share: two leave room for devices connecting during an import, and on this
 * two-core size two are as fast as four.
 */
const HASH_CONCURRENCY = 2;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The same id for the same key within one import, so the plan made inside the transaction matches the one the secrets were made for. */
function idSource(): IdSource {
  const memo = new Map<string, string>();
  const once = (key: string, make: () => string) => memo.get(key) ?? (memo.set(key, make()), memo.get(key)!);
  return {
    area: (path) => once(`a ${path}`, randomUUID),
    resident: (ref) => once(`r ${ref}`, randomUUID),
    // device ids are MQTT usernames and topic levels: plain, like POST /api/devices makes them
    device: (line) => once(`d ${line}`, () => `dev-${generateToken(9)}`),
    caregiver: (line) => once(`c ${line}`, randomUUID),
  };
}

/** As the files read: residents, devices, caregivers, each top to bottom. */
const inOrder = (issues: ImportIssue[]) => issues.sort((a, b) => importFiles.indexOf(a.file) - importFiles.indexOf(b.file) || a.line - b.line);

const refused = (issues: ImportIssue[]) =>
  new ValidationError(`${issues.length} problem${issues.length === 1 ? '' : 's'} in the files; nothing was imported`, issues);

export interface ImportOutcome {
  result: ImportResult;
  /** Devices whose kind or resident changed: their connections carry the old identity. */
  changedDevices: string[];
}

/**
 * Checks the files whole, then writes them in one transaction, or nothing: any bad row refuses
 * the import (400, every problem in `details`). Secrets are made and hashed before the
 * transaction, so it stays short (the embedded database runs one transaction at a time).
 */
export async function runImport(db: Db, scope: Scope, request: ImportRequest): Promise<ImportOutcome> {
  // a file not sent is no rows (an empty one sent is a missing header)
  const none = { rows: [], issues: [], refs: new Set<string>() };
  const parsed = {
    residents: request.residents === undefined ? none : parseResidents(request.residents),
    devices: request.devices === undefined ? none : parseDevices(request.devices),
    caregivers: request.caregivers === undefined ? none : parseCaregivers(request.caregivers),
  };
  const input = { residents: parsed.residents.rows, devices: parsed.devices.rows, caregivers: parsed.caregivers.rows, refsInFile: parsed.residents.refs };
  const ids = idSource();
  const keys = {
    residentRefs: [...new Set([...input.residents.map((r) => r.ref), ...input.devices.flatMap((d) => (d.residentRef === null ? [] : [d.residentRef]))])],
    deviceIds: input.devices.flatMap((d) => (d.id === null ? [] : [d.id])),
    caregiverRefs: input.caregivers.flatMap((c) => (c.ref === null ? [] : [c.ref])),
    caregiverPhones: input.caregivers.flatMap((c) => (c.ref === null && c.phone !== null ? [c.phone] : [])),
  };
  const plan = (state: ImportState) => planImport(input, state, scope.areaId, ids);

  const first = plan(await readImportState(db, scope, keys));
  const issues = inOrder([...parsed.residents.issues, ...parsed.devices.issues, ...parsed.caregivers.issues, ...first.issues]);
  if (issues.length > 0) throw refused(issues);
  if (request.dryRun) return { result: resultOf(first.plan, true, null), changedDevices: [] };

  const secrets = new Map<string, { secret: string; hash: string }>();
  const makeSecrets = async (devices: ImportPlan['devices']['create']) => {
    const missing = devices.filter((d) => !secrets.has(d.id));
    const made = await mapLimit(missing, HASH_CONCURRENCY, async () => {
      const secret = generateToken();
      return { secret, hash: await hashSecret(secret, DEVICE_SECRET_COST) };
    });
    missing.forEach((d, i) => secrets.set(d.id, made[i]!));
  };
  await makeSecrets(first.plan.devices.create);

  const final = await db.withTransaction(async (tx: Queryable) => {
    // read again inside the transaction: what changed meanwhile is planned for (or refused)
    const again = plan(await readImportState(tx, scope, keys));
    if (again.issues.length > 0) throw refused(inOrder(again.issues));
    // only when someone else removed a matching device meanwhile
    await makeSecrets(again.plan.devices.create);
    await writeImport(tx, scope, again.plan, new Map([...secrets].map(([id, s]) => [id, s.hash])));
    return again.plan;
  });

  const created = final.devices.create;
  const secretsCsv =
    created.length === 0
      ? null
      : toCsv([['id', 'kind', 'resident_ref', 'secret'], ...created.map((d) => [d.id, d.kind, d.residentRef ?? '', secrets.get(d.id)!.secret])]);
  return { result: resultOf(final, false, secretsCsv), changedDevices: final.devices.update.map((d) => d.id) };
}

function resultOf(plan: ImportPlan, dryRun: boolean, secretsCsv: string | null): ImportResult {
  return {
    dryRun,
    residents: countsOf(plan.residents),
    devices: countsOf(plan.devices),
    caregivers: countsOf(plan.caregivers),
    areasCreated: plan.areas.map((a) => a.path),
    secretsCsv,
  };
}
