import { randomBytes } from 'node:crypto';
import type { DeviceKind } from '../../contract/device-messages.ts';
import { ApiError, type ApiClient, type Json } from '../api-client.ts';

/** What a scenario needs built: the resident's devices, the caregivers, the resident's rules. */
export interface HomeSpec {
  devices: DeviceKind[];
  /** Caregivers of the grid, each with a wrist (default 1). */
  caregivers?: number;
  /** false: nobody is on duty in the grid (no shift at all). Default true. */
  onDuty?: boolean;
  /** The resident's own settings (PATCH /api/residents/:id {settings}), when the service has them. */
  settings?: Json;
  /** Per-device fields set at creation beyond id and kind (e.g. `heartbeatS`), by kind. */
  deviceFields?: Partial<Record<DeviceKind, Json>>;
  /** Caregivers' skills (service orders), by caregiver index. */
  skills?: string[][];
}

export interface HomeDeviceInfo {
  id: string;
  kind: DeviceKind;
  secret: string;
}
export interface HomeCaregiver {
  id: string;
  name: string;
  wearable: HomeDeviceInfo;
}
export interface ScenarioHome {
  runId: string;
  gridId: string;
  gridName: string;
  residentId: string;
  residentName: string;
  devices: HomeDeviceInfo[];
  caregivers: HomeCaregiver[];
  /** The resident as GET /api/residents/:id answered after the settings were applied. */
  resident: Json;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const HOUR = 3_600_000;
// as long as the demo's own caregivers' shifts (provision.ts): a finished run's grid is not reported
// uncovered (coverage.gap) before the demo's own grids are
export const SHIFT_HOURS = 12;
const NAMES = ['Li Na', 'Wang Fang', 'Zhao Lei'];

/** A short id for one run: its people and devices never collide with another run's. */
export function newRunId(now = Date.now()): string {
  return `${(now % 1e9).toString(36)}${randomBytes(2).toString('hex')}`;
}

/** Finds an area by name, kind and parent, or creates it (the shared "Scenarios" tree). */
async function ensureArea(api: ApiClient, areas: Json[], name: string, kind: string, parentId: string | null): Promise<string> {
  const found = areas.find((a) => a.name === name && a.kind === kind && (a.parentId ?? null) === parentId);
  if (found) return str(found.id);
  const created = await api.post('/api/areas', { name, kind, parentId });
  areas.push(created);
  return str(created.id);
}

/**
 * A fresh home for one run of a scenario, built through the console API like a new
 * resident: Scenarios › Scenario Street › <scenario> › a grid of this run, the resident with
 * the devices asked for, and caregivers on a shift from now (their wrists are in the grid).
 */
export async function buildHome(api: ApiClient, scenario: string, spec: HomeSpec, runId = newRunId()): Promise<ScenarioHome> {
  const areas = await api.list('/api/areas');
  const district = await ensureArea(api, areas, 'Scenarios', 'district', null);
  const street = await ensureArea(api, areas, 'Scenario Street', 'street', district);
  const community = await ensureArea(api, areas, `Scenario ${scenario}`, 'community', street);
  const gridName = `${scenario} ${runId}`;
  const grid = str((await api.post('/api/areas', { name: gridName, kind: 'grid', parentId: community })).id);
  const residentName = `Resident ${scenario} ${runId}`;
  const resident = await api.post('/api/residents', {
    name: residentName,
    areaId: grid,
    address: `Room ${runId}, Scenario Street`,
    phone: '+86 21 6400 0000',
    notes: `played by npm run sim -- --scenario ${scenario}`,
    contacts: [{ name: 'Family Contact', phone: '+86 139 0000 0009', relation: 'daughter' }],
  });
  const residentId = str(resident.id);
  if (spec.settings) {
    try {
      await api.patch(`/api/residents/${residentId}`, { settings: spec.settings });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        throw new Error(`this service does not take the resident settings the scenario needs (${JSON.stringify(spec.settings)}): ${err.message}`);
      }
      throw err;
    }
  }
  const device = async (kind: DeviceKind, id: string, residentOf: string | null): Promise<HomeDeviceInfo> => {
    const extra = spec.deviceFields?.[kind] ?? {};
    const created = await api.post('/api/devices', { id, kind, ...(residentOf ? { residentId: residentOf } : {}), ...extra });
    return { id, kind, secret: str(created.secret) };
  };
  const devices: HomeDeviceInfo[] = [];
  for (const kind of spec.devices) devices.push(await device(kind, `scn-${runId}-${kind.replace(/_/g, '-')}`, residentId));
  const caregivers: HomeCaregiver[] = [];
  const now = Date.now();
  for (let i = 0; i < (spec.caregivers ?? 1); i++) {
    const wearable = await device('wearable', `scn-${runId}-w${i + 1}`, null);
    const name = `${NAMES[i % NAMES.length]} (${runId})`;
    const skills = spec.skills?.[i];
    const c = await api.post('/api/caregivers', {
      name,
      phone: `+86 137 0000 000${i + 1}`,
      wearableId: wearable.id,
      areaIds: [grid],
      role: 'caregiver',
      ...(skills ? { skills } : {}),
    });
    const caregiverId = str(c.id);
    if (spec.onDuty !== false) {
      // from a minute ago: on duty whatever the clocks' skew
      const start = new Date(now - 60_000).toISOString();
      const end = new Date(now + SHIFT_HOURS * HOUR).toISOString();
      await api.post('/api/shifts', { caregiverId, start, end });
    }
    caregivers.push({ id: caregiverId, name, wearable });
  }
  return { runId, gridId: grid, gridName, residentId, residentName, devices, caregivers, resident: await api.get(`/api/residents/${residentId}`) };
}
