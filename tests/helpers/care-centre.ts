import type { MqttClient } from 'mqtt';
import { topics } from '../../contract/topics.ts';
import { connect, nextMessage, publish } from './gateway-harness.ts';
import type { ApiClient } from './api-client.ts';

type Api = Pick<ApiClient, 'create'>;

/** District → street → community → grid, and a resident in the grid with a family contact. */
export async function provisionHome(api: Api) {
  const { create } = api;
  const district = await create('/api/areas', { name: 'Xicheng', kind: 'district', parentId: null });
  const street = await create('/api/areas', { name: 'Financial St', kind: 'street', parentId: district.id });
  const community = await create('/api/areas', { name: 'Jade Garden', kind: 'community', parentId: street.id });
  const grid = await create('/api/areas', { name: 'Grid 1', kind: 'grid', parentId: community.id });
  const resident = await create('/api/residents', {
    name: 'Huang Xueying',
    areaId: grid.id,
    address: '12 Jade Lane',
    phone: '+8613800000000',
    notes: 'diabetic; key safe 4711',
    contacts: [{ name: 'Huang Wei', phone: '+8613900000009', relation: 'son' }],
  });
  return { district, street, community, grid, resident };
}

/**
 * A small care centre provisioned over the HTTP API: one grid, one resident with a pendant
 * and a family contact, two caregivers on shift now with wearables and phones.
 */
export async function provisionCentre(
  api: Api,
  opts: {
    caregivers?: number;
    /** false: their shift ended an hour ago (nobody on duty) */
    onShift?: boolean;
    /** "Now" for the shifts (a manual clock's time); the real time by default. */
    now?: Date;
  } = {},
) {
  const post = api.create;
  const { grid, resident } = await provisionHome(api);
  const pendant = (await post('/api/devices', { kind: 'pendant', residentId: resident.id })) as { id: string; secret: string };
  const names = ['Li Na', 'Wang Fang', 'Zhao Lei'].slice(0, opts.caregivers ?? 2);
  const caregivers = [];
  for (const [i, name] of names.entries()) {
    const wearable = (await post('/api/devices', { kind: 'wearable', residentId: null })) as { id: string; secret: string };
    const c = await post('/api/caregivers', { name, phone: `+861370000000${i + 1}`, wearableId: wearable.id, areaIds: [grid.id], role: 'caregiver' });
    const now = opts.now?.getTime() ?? Date.now();
    const [start, end] = opts.onShift === false ? [now - 9 * 3600_000, now - 3600_000] : [now - 3600_000, now + 8 * 3600_000];
    await post('/api/shifts', { caregiverId: c.id, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
    caregivers.push({ id: c.id as string, name, phone: c.phone as string, wearable });
  }
  return { grid, resident, pendant, caregivers };
}

/** A wearable connected and subscribed to its alerts; announces itself online. */
export async function connectWearable(mqttUrl: string, w: { id: string; secret: string }): Promise<MqttClient> {
  const c = await connect(mqttUrl, { username: w.id, password: w.secret, clientId: w.id });
  await c.subscribeAsync(topics.wearableAlerts(w.id), { qos: 1 });
  await publish(c, topics.deviceStatus(w.id), JSON.stringify({ online: true, battery: 0.9 }), { retain: true });
  return c;
}

export async function connectDevice(mqttUrl: string, d: { id: string; secret: string }): Promise<MqttClient> {
  const c = await connect(mqttUrl, { username: d.id, password: d.secret, clientId: d.id });
  await c.subscribeAsync(topics.deviceCommands(d.id), { qos: 1 });
  return c;
}

export const alertOf = (c: MqttClient, wearableId: string, ms?: number) => nextMessage(c, topics.wearableAlerts(wearableId), ms);
export const commandOf = (c: MqttClient, deviceId: string, ms?: number) => nextMessage(c, topics.deviceCommands(deviceId), ms);

let seq = 0;
export const press = (c: MqttClient, deviceId: string, type = 'button.pressed', data: Record<string, unknown> = {}) =>
  publish(c, topics.deviceEvents(deviceId), JSON.stringify({ id: `e-${Date.now()}-${++seq}`, type, ts: new Date().toISOString(), data }));

export const ack = (c: MqttClient, wearableId: string, alarmId: string, action: string, outcome?: string) =>
  publish(c, topics.wearableAcks(wearableId), JSON.stringify({ alarmId, action, ts: new Date().toISOString(), ...(outcome && { outcome }) }));

/** A row of GET /api/alarms/:id's timeline, as JSON. */
export interface TimelineRow {
  at: string;
  code: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  detail: Record<string, any>;
}

/** Area tree down to a grid, a resident there, and a device for them. */
export async function provisionResidentDevice(api: Api, kind = 'pendant') {
  const { resident } = await provisionHome(api);
  const device = await api.create('/api/devices', { kind, residentId: resident.id });
  return { resident, device: device as { id: string; secret: string } };
}
