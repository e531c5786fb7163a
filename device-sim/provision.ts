import type { Logger } from '../common/logger.ts';
import type { DeviceKind } from '../contract/device-messages.ts';
import { ApiClient, ApiError, type Json } from './api-client.ts';
import { DEFAULT_SIM_PREFIX, planCentre, type CaregiverSpec, type CentrePlan } from './demo-data.ts';
import { emptyState, loadState, saveState, type SimState } from './sim-state.ts';
import { SimError, type SimDevice } from './types.ts';

export interface ProvisionOptions {
  httpUrl: string;
  username: string;
  password: string;
  residents: number;
  /** Default: one grid worker per grid plus a supervisor. */
  caregivers?: number;
  statePath: string;
  /** Device id prefix this simulator owns (default `sim`; the demo's is `demo`). */
  prefix?: string;
  logger: Logger;
}

export interface ProvisionResult {
  devices: SimDevice[];
  wearables: SimDevice[];
  /**
   * Gives one of our devices a new secret (rotated through the API, saved in the state file)
   * when the broker refuses the one we hold: a state file lost or restored from an old copy
   * heals itself instead of leaving the device offline.
   */
  renewSecret(deviceId: string): Promise<string>;
}

const SHIFT_HOURS = 12;
const HOUR = 3_600_000;
// Parallel requests: enough to provision thousands of devices quickly, few enough that the
// server's secret hashing (scrypt) does not starve its event loop.
const CONCURRENCY = 6;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Builds (or finds again) the demo care centre through the HTTP API and returns every
 * simulated device with a secret it can connect with. Safe to run repeatedly: areas,
 * residents and caregivers are matched by name, devices by their fixed simulator ids.
 */
export async function provisionCentre(opts: ProvisionOptions): Promise<ProvisionResult> {
  const { logger } = opts;
  const api = new ApiClient(opts.httpUrl);
  await api.login(opts.username, opts.password);
  const prefix = opts.prefix ?? DEFAULT_SIM_PREFIX;
  const plan = planCentre(opts.residents, opts.caregivers, prefix);
  const owned = (id: string) => id.startsWith(`${prefix}-`);

  const saved = await loadState(opts.statePath);
  // Secrets from another server are useless here; rotating is the only way to get new ones.
  const state: SimState = saved && saved.httpUrl === opts.httpUrl ? saved : emptyState(opts.httpUrl);
  if (saved && saved.httpUrl !== opts.httpUrl) {
    logger.warn({ statePath: opts.statePath, was: saved.httpUrl }, 'state file belongs to another server; not reusing its secrets');
  }

  const { gridIds, communityIds } = await ensureAreas(api, plan, logger);
  const existing = new Map((await api.list('/api/devices')).map((d) => [str(d.id), d] as const));
  const residentIds = await ensureResidents(api, plan, gridIds, existing, logger);

  const counts = { created: 0, reused: 0, rotated: 0 };
  const ensureDevice = async (id: string, kind: DeviceKind, residentId?: string): Promise<string> => {
    if (!owned(id)) throw new SimError(`device ${id} is not this simulator's (prefix ${prefix})`);
    const found = existing.get(id);
    if (!found) {
      const body: Json = { id, kind, ...(residentId ? { residentId } : {}) };
      const created = await api.post('/api/devices', body);
      return record(id, kind, created.secret, 'created');
    }
    if (residentId && str(found.residentId) !== residentId) {
      // The resident was recreated (e.g. deleted by hand): move the device to them.
      await api.patch(`/api/devices/${encodeURIComponent(id)}`, { residentId });
    }
    const known = state.devices[id];
    if (known) {
      counts.reused++;
      return known.secret;
    }
    const rotated = await api.post(`/api/devices/${encodeURIComponent(id)}/secret`);
    return record(id, kind, rotated.secret, 'rotated');
  };
  const record = (id: string, kind: DeviceKind, secret: unknown, how: 'created' | 'rotated'): string => {
    if (typeof secret !== 'string' || secret === '') throw new SimError(`the API gave device ${id} no secret`);
    state.devices[id] = { secret, kind };
    counts[how]++;
    return secret;
  };

  try {
    const devices: SimDevice[] = (
      await mapLimit(plan.residents, CONCURRENCY, async (r) => {
        const residentId = residentIds[r.index] as string;
        const out: SimDevice[] = [];
        for (const d of r.devices) {
          const secret = await ensureDevice(d.id, d.kind, residentId);
          out.push({ id: d.id, secret, kind: d.kind, residentId, residentName: r.name });
        }
        return out;
      })
    ).flat();
    const wearables: SimDevice[] = await mapLimit(plan.caregivers, CONCURRENCY, async (c) => ({
      id: c.wearableId,
      kind: 'wearable' as const,
      secret: await ensureDevice(c.wearableId, 'wearable'),
    }));
    logger.info({ ...counts, statePath: opts.statePath }, 'devices ready');

    await ensureCaregivers(api, plan.caregivers, gridIds, communityIds, logger);
    return { devices, wearables, renewSecret };
  } finally {
    // Saved even when a later step fails: secrets of devices created so far are shown only once.
    if (counts.created + counts.rotated > 0 || !saved) await saveState(opts.statePath, state);
  }

  async function renewSecret(deviceId: string): Promise<string> {
    const kind = state.devices[deviceId]?.kind;
    if (!owned(deviceId) || !kind) throw new SimError(`device ${deviceId} is not this simulator's`);
    const rotated = await api.post(`/api/devices/${encodeURIComponent(deviceId)}/secret`);
    const secret = record(deviceId, kind, rotated.secret, 'rotated');
    await saveState(opts.statePath, state);
    logger.warn({ deviceId }, 'the broker refused the secret we held; rotated it (was the state file lost or shared?)');
    return secret;
  }
}

async function ensureAreas(api: ApiClient, plan: CentrePlan, logger: Logger) {
  const areas = await api.list('/api/areas');
  let created = 0;
  const ensure = async (name: string, kind: string, parentId: string | null): Promise<string> => {
    const found = areas.find((a) => a.name === name && a.kind === kind && (str(a.parentId) ?? null) === parentId);
    if (found) return str(found.id) as string;
    let area: Json;
    try {
      area = await api.post('/api/areas', { name, kind, parentId });
    } catch (err) {
      // A root area may be expected to omit parentId rather than send null.
      if (!(parentId === null && err instanceof ApiError && err.status === 400)) throw err;
      area = await api.post('/api/areas', { name, kind });
    }
    areas.push(area);
    created++;
    return str(area.id) as string;
  };
  const district = await ensure(plan.district, 'district', null);
  const street = await ensure(plan.street, 'street', district);
  const communityIds: string[] = [];
  for (const c of plan.communities) communityIds.push(await ensure(c, 'community', street));
  const gridIds: string[] = [];
  for (const g of plan.grids) gridIds.push(await ensure(g.name, 'grid', communityIds[g.communityIndex] as string));
  logger.info({ created, grids: gridIds.length, communities: communityIds.length }, 'areas ready');
  return { gridIds, communityIds };
}

/**
 * A resident is ours when one of our devices belongs to them, or (their devices gone) when
 * their name is in one of our own grids; never a same-named resident of another centre.
 */
async function ensureResidents(api: ApiClient, plan: CentrePlan, gridIds: string[], devices: Map<string | undefined, Json>, logger: Logger) {
  const ourGrids = new Set(gridIds);
  const byName = new Map(
    (await api.list('/api/residents')).filter((r) => ourGrids.has(str(r.areaId) ?? '')).map((r) => [str(r.name), str(r.id)] as const),
  );
  let created = 0;
  const ids = await mapLimit(plan.residents, CONCURRENCY, async (r) => {
    const viaDevice = r.devices.map((d) => str(devices.get(d.id)?.residentId)).find((id) => id !== undefined);
    const found = viaDevice ?? byName.get(r.name);
    if (found) return found;
    const { name, address, phone, notes, contacts } = r;
    const res = await api.post('/api/residents', { name, areaId: gridIds[r.gridIndex], address, phone, notes, contacts });
    created++;
    return str(res.id) as string;
  });
  logger.info({ created, total: ids.length }, 'residents ready');
  return ids;
}

async function ensureCaregivers(
  api: ApiClient,
  specs: CaregiverSpec[],
  gridIds: string[],
  communityIds: string[],
  logger: Logger,
) {
  // Ours: the caregiver wearing our wrist device, else a same-named one working only in our areas.
  const ourAreas = new Set([...gridIds, ...communityIds]);
  const caregivers = await api.list('/api/caregivers');
  const byWearable = new Map(caregivers.map((c) => [str(c.wearableId), c] as const));
  const byName = new Map(
    caregivers
      .filter((c) => {
        const areas = Array.isArray(c.areaIds) ? c.areaIds : [];
        return areas.length > 0 && areas.every((a) => ourAreas.has(String(a)));
      })
      .map((c) => [str(c.name), c] as const),
  );
  const shifts = await api.list('/api/shifts');
  const now = Date.now();
  const counts = { created: 0, shifts: 0 };
  for (const spec of specs) {
    const areaIds = [...spec.gridIndexes.map((g) => gridIds[g]), ...spec.communityIndexes.map((c) => communityIds[c])];
    const found = byWearable.get(spec.wearableId) ?? byName.get(spec.name);
    if (found && str(found.wearableId) !== spec.wearableId) {
      // Someone unassigned or swapped the wrist device: the simulated wearable must be theirs.
      await api.patch(`/api/caregivers/${str(found.id)}`, { wearableId: spec.wearableId });
    }
    const { name, phone, wearableId, role } = spec;
    const caregiver = found ?? (await api.post<Json>('/api/caregivers', { name, phone, wearableId, areaIds, role }));
    if (!found) counts.created++;
    const caregiverId = str(caregiver.id) as string;
    // Reuse a shift that is on now and lasts most of the coming 12 h; otherwise add one.
    const covered = shifts.some((s) => {
      const start = Date.parse(String(s.start ?? s.startsAt));
      const end = Date.parse(String(s.end ?? s.endsAt));
      return s.caregiverId === caregiverId && start <= now && end >= now + (SHIFT_HOURS - 1) * HOUR;
    });
    if (covered) continue;
    const start = new Date(now).toISOString();
    const end = new Date(now + SHIFT_HOURS * HOUR).toISOString();
    try {
      await api.post('/api/shifts', { caregiverId, start, end });
      counts.shifts++;
    } catch (err) {
      // An overlapping shift the server refuses still leaves the caregiver on duty.
      if (!(err instanceof ApiError && err.status === 409)) throw err;
      logger.warn({ caregiver: spec.name, error: err.error }, 'shift not added');
    }
  }
  logger.info({ ...counts, total: specs.length }, 'caregivers and shifts ready');
}
