import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { insertEvents, type EventRow } from '../db/queries/events.ts';
import { apiClient } from './helpers/api-client.ts';
import { connectDevice, press, provisionHome } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

const HOUR = 3600_000;
const PASSWORD = 'Scoped-Operator-Passw0rd';
// one instant for both databases: the events land in the same absolute hours
const thisHour = Math.floor(Date.now() / HOUR) * HOUR;
const at = (hoursAgo: number, minute: number) => new Date(thisHour - hoursAgo * HOUR + minute * 60_000);

let seq = 0;
const row = (deviceId: string, type: string, receivedAt: Date): EventRow => {
  const eventId = `act-${++seq}`;
  return { deviceId, eventId, fingerprint: createHash('sha256').update(eventId).digest('hex'), type, deviceTs: undefined, receivedAt, data: {} };
};

// what the endpoint must count: by the hour's start (ms), { motion, door, bed }
const EXPECTED = new Map<number, { motion: number; door: number; bed: number }>([
  [thisHour - 2 * HOUR, { motion: 3, door: 0, bed: 0 }],
  [thisHour - 30 * HOUR, { motion: 1, door: 2, bed: 1 }],
  [thisHour - 6 * 24 * HOUR, { motion: 0, door: 0, bed: 2 }],
]);

const answers = new Map<string, unknown>();

describe.each(['embedded', 'postgres'] as const)('a resident\'s activity per hour on %s', (kind) => {
  const { f, track } = useService({}, kind);

  it('counts motion / door / bed events per whole UTC hour over the last days, every hour present, nothing else counted', async () => {
    expect(f.service.db.timescale).toBe(kind === 'embedded'); // time_bucket on the hypertable vs plain SQL
    const { resident, grid } = await provisionHome(f.api);
    const other = await f.api.create('/api/residents', { name: 'Next Door', areaId: grid.id });
    const dev = async (kind: string, residentId: string) => (await f.api.create('/api/devices', { kind, residentId })).id as string;
    const motion = await dev('motion_sensor', resident.id);
    const door = await dev('door_sensor', resident.id);
    const bed = await dev('bed_sensor', resident.id);
    const theirs = await dev('motion_sensor', other.id);
    await insertEvents(f.service.db, [
      row(motion, 'motion', at(2, 1)),
      row(motion, 'motion', at(2, 30)),
      row(motion, 'motion', at(2, 59)),
      row(motion, 'motion', at(30, 0)),
      row(door, 'door.opened', at(30, 10)),
      row(door, 'door.closed', at(30, 11)),
      row(bed, 'bed.exit', at(30, 45)),
      row(bed, 'bed.enter', at(6 * 24, 5)),
      row(bed, 'bed.exit', at(6 * 24, 55)),
      // not activity: alarms and housekeeping
      row(motion, 'heartbeat', at(2, 5)),
      row(door, 'temperature', at(3, 5)),
      // before the window (8 days ago), and another resident's
      row(motion, 'motion', at(8 * 24, 0)),
      row(theirs, 'motion', at(2, 10)),
    ]);

    const r = await f.api.get(`/api/residents/${resident.id}/activity?days=7`);
    expect(r.status).toBe(200);
    const body = r.body as { residentId: string; from: string; to: string; hours: { at: string; motion: number; door: number; bed: number }[]; totals: object };
    expect(body.residentId).toBe(resident.id);
    expect(body.hours).toHaveLength(7 * 24);
    const from = Date.parse(body.from);
    const to = Date.parse(body.to);
    expect(from % HOUR).toBe(0); // whole UTC hours
    expect(to - from).toBe(7 * 24 * HOUR);
    expect(to).toBeGreaterThan(Date.now() - 60_000);
    body.hours.forEach((h, i) => expect(Date.parse(h.at)).toBe(from + i * HOUR)); // every hour, oldest first
    for (const h of body.hours) expect({ ...h, at: undefined }).toEqual({ at: undefined, ...(EXPECTED.get(Date.parse(h.at)) ?? { motion: 0, door: 0, bed: 0 }) });
    expect(body.totals).toEqual({ motion: 4, door: 2, bed: 3 });
    answers.set(kind, { hours: body.hours.filter((h) => h.motion + h.door + h.bed > 0), totals: body.totals, length: body.hours.length });

    // one day: only the last 24 hours
    const day = await f.api.get(`/api/residents/${resident.id}/activity?days=1`);
    expect(day.body.hours).toHaveLength(24);
    expect(day.body.totals).toEqual({ motion: 3, door: 0, bed: 0 });
    // the neighbour's one event is theirs alone
    const quiet = await f.api.get(`/api/residents/${other.id}/activity`);
    expect(quiet.body.hours).toHaveLength(7 * 24);
    expect(quiet.body.totals).toEqual({ motion: 1, door: 0, bed: 0 });
    // the audit trail has it as a read of the resident's record
    const audited = await waitFor(async () => {
      const lines = (await f.api.get(`/api/audit?residentId=${resident.id}`)).body as { route: string; action: string; resource: string; resourceId: string }[];
      return lines.find((l) => l.route === '/api/residents/:id/activity');
    });
    expect(audited).toMatchObject({ action: 'read', resource: 'resident', resourceId: resident.id });
  });

  it('refuses days outside 1..31 (400), an unknown resident (404), and a resident outside an area-bound operator\'s scope (404)', async () => {
    const { resident, street } = await provisionHome(f.api);
    for (const days of ['0', '32', '-1', 'x']) expect((await f.api.get(`/api/residents/${resident.id}/activity?days=${days}`)).status).toBe(400);
    expect((await f.api.get(`/api/residents/${resident.id}/activity?days=31`)).body.hours).toHaveLength(31 * 24);
    expect((await f.api.get('/api/residents/00000000-0000-4000-8000-000000000000/activity')).status).toBe(404);

    const elsewhere = await f.api.create('/api/areas', { name: 'Other Community', kind: 'community', parentId: street.id });
    await f.api.create('/api/users', { username: `op-elsewhere-${kind}`, password: PASSWORD, role: 'operator', areaId: elsewhere.id });
    const op = apiClient(f.service.httpUrl);
    await op.login(`op-elsewhere-${kind}`, PASSWORD);
    const outside = await op.get(`/api/residents/${resident.id}/activity`);
    expect(outside.status).toBe(404);
    expect(outside.text).not.toContain('Huang');
    expect((await op.get(`/api/alarms?status=all&residentId=${resident.id}`)).body).toEqual([]);
  });

  it('lists one resident\'s alarms with GET /api/alarms?residentId=', async () => {
    const { resident, grid } = await provisionHome(f.api);
    const other = await f.api.create('/api/residents', { name: 'Quiet Neighbour', areaId: grid.id });
    const pendant = await f.api.create('/api/devices', { kind: 'pendant', residentId: resident.id });
    const c = track(await connectDevice(f.service.mqttUrl, pendant));
    await press(c, pendant.id);
    const mine = async () => (await f.api.get(`/api/alarms?status=all&residentId=${resident.id}`)).body as { residentId: string; timeToAcceptS: number | null }[];
    await waitFor(async () => (await mine()).length === 1);
    expect((await mine())[0]).toMatchObject({ residentId: resident.id, timeToAcceptS: null });
    expect((await f.api.get(`/api/alarms?status=all&residentId=${other.id}`)).body).toEqual([]);
    expect((await f.api.get('/api/alarms?residentId=not-an-id')).status).toBe(400);
  });
});

describe('both databases', () => {
  it('answer the same hours and totals (TimescaleDB time_bucket and plain SQL)', () => {
    expect(answers.size).toBe(2);
    expect(answers.get('embedded')).toEqual(answers.get('postgres'));
  });
});
