import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock.ts';
import { topics } from '../contract/topics.ts';
import { apiClient, type ApiClient } from './helpers/api-client.ts';
import { connectDevice, press, provisionHome, type TimelineRow } from './helpers/care-centre.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { startTestService, type TestService } from './helpers/service-fixture.ts';
import { createPgDatabase, migratedEmbeddedDir, type TestDbKind } from './helpers/test-db.ts';

/**
 * Device supervision end to end: real MQTT clients against the whole service, time on a manual
 * clock (a device with heartbeatS 1–2 s, and hours when needed, in milliseconds). Each check
 * runs one sweep itself (`service.supervision.sweep()`) after moving the clock, so "nothing was
 * raised" is a statement about a sweep that ran, not about a wait.
 */

interface Dev {
  id: string;
  secret: string;
  heartbeatS: number;
}

interface Centre {
  clock: ManualClock;
  service: TestService;
  api: ApiClient;
  residentId: string;
  clients: MqttClient[];
}

async function startCentre(kind: TestDbKind, env: Record<string, string> = {}, clock = new ManualClock(new Date()), resident?: string): Promise<Centre> {
  const service = await startTestService({ SUPERVISION_SWEEP_S: '1', ...env }, kind, clock);
  const api = apiClient(service.httpUrl);
  await api.login();
  const residentId = resident ?? (await provisionHome(api)).resident.id;
  return { clock, service, api, residentId, clients: [] };
}

/** The service first: its shutdown drops the connections without counting them as heard (a restart). */
async function stopCentre(c: Centre | undefined): Promise<void> {
  await c?.service.close();
  for (const m of c?.clients ?? []) m.end(true);
}

const device = async (c: Centre, body: Record<string, unknown>): Promise<Dev> => c.api.create('/api/devices', { kind: 'pendant', residentId: c.residentId, ...body });

/** Connects (heard), sends a heartbeat (heard), and waits until the service has the connection. */
async function hear(c: Centre, d: Dev): Promise<MqttClient> {
  const m = await connectDevice(c.service.mqttUrl, d);
  c.clients.push(m);
  await press(m, d.id, 'heartbeat');
  await waitFor(async () => (await c.api.get(`/api/devices/${d.id}`)).body.online === true);
  return m;
}

/** The connection drops; waits until the service saw it go (the drop itself counts as heard). */
async function drop(c: Centre, d: Dev, m: MqttClient): Promise<void> {
  m.end(true);
  await waitFor(async () => (await c.api.get(`/api/devices/${d.id}`)).body.online === false);
}

const alarmsOf = async (c: Centre, deviceId: string) =>
  ((await c.api.get('/api/alarms?status=all')).body as Array<Record<string, any>>).filter((a) => a.deviceId === deviceId);
const detail = async (c: Centre, id: string) => (await c.api.get(`/api/alarms/${id}`)).body as Record<string, any> & { timeline: TimelineRow[] };
/** Moves the manual clock and runs a sweep that started after the move. */
const sweepAt = async (c: Centre, ms: number) => {
  await c.clock.advance(ms);
  return c.service.supervision.sweep();
};

describe.each(['embedded', 'postgres'] as const)('device supervision (%s)', (kind) => {
  describe('one centre', () => {
    let c: Centre;
    beforeAll(async () => {
      c = await startCentre(kind);
    });
    afterAll(() => stopCentre(c));

    it('POST/PATCH take heartbeatS; answers show the effective value (null = the kind default)', async () => {
      expect((await device(c, { heartbeatS: 60 })).heartbeatS).toBe(60);
      const sensor = await device(c, { kind: 'motion_sensor' });
      expect(sensor.heartbeatS).toBe(900);
      expect((await c.api.patch(`/api/devices/${sensor.id}`, { heartbeatS: 0 })).body.heartbeatS).toBe(0);
      expect((await c.api.patch(`/api/devices/${sensor.id}`, { heartbeatS: null })).body.heartbeatS).toBe(900);
      expect((await c.api.patch(`/api/devices/${sensor.id}`, { heartbeatS: -1 })).status).toBe(400);
      expect((await device(c, {})).heartbeatS).toBe(300);
    });

    it('a silent device raises one technical device.offline alarm naming it and since when; heard again, it resolves itself (restored)', async () => {
      const d = await device(c, { heartbeatS: 1 });
      const heardAt = c.clock.now().toISOString();
      await drop(c, d, await hear(c, d));
      await sweepAt(c, 1_999);
      expect(await alarmsOf(c, d.id)).toEqual([]); // one millisecond short of two intervals
      await sweepAt(c, 1);
      const [alarm] = await alarmsOf(c, d.id);
      expect(alarm).toMatchObject({ kind: 'device.offline', priority: 'technical', residentId: c.residentId, status: 'open' });
      const raised = (await detail(c, alarm!.id)).timeline.find((t) => t.code === 'alarm.raised')!;
      expect(raised.detail).toMatchObject({ deviceId: d.id, type: 'device.offline', data: { since: heardAt } });
      // hours of silence: still the one alarm (state changes only), the timer's sweeps included
      await c.clock.advance(3 * 3600_000);
      await c.service.supervision.sweep();
      expect(await alarmsOf(c, d.id)).toHaveLength(1);
      expect((await detail(c, alarm!.id)).eventCount).toBe(1);
      await hear(c, d);
      await sweepAt(c, 10);
      const closed = await detail(c, alarm!.id);
      expect(closed).toMatchObject({ status: 'resolved', outcome: 'restored' });
      expect(closed.timeline.find((t) => t.code === 'alarm.restored')?.detail).toMatchObject({ reason: 'device.heard', deviceId: d.id });
      expect((await c.api.get(`/api/devices/${d.id}`)).body.offlineSince).toBeNull();
    });

    it('a device that drops and reconnects within its interval raises nothing', async () => {
      const d = await device(c, { heartbeatS: 2 });
      await drop(c, d, await hear(c, d));
      await c.clock.advance(1_500);
      const m = await hear(c, d); // back within its interval
      await sweepAt(c, 3_000); // 4.5 s after the drop, 3 s after it was heard again
      expect(await alarmsOf(c, d.id)).toEqual([]);
      await press(m, d.id, 'heartbeat');
      await sweepAt(c, 3_000);
      expect(await alarmsOf(c, d.id)).toEqual([]);
    });

    it('a heartbeat driven by the sweep timer alone (no explicit sweep): the clock port runs it', async () => {
      const d = await device(c, { heartbeatS: 1 });
      await drop(c, d, await hear(c, d));
      await c.clock.advance(5_000);
      await waitFor(async () => (await alarmsOf(c, d.id)).length > 0 || (await c.clock.advance(1_000), false), 15_000);
      expect((await alarmsOf(c, d.id)).map((a) => a.kind)).toEqual(['device.offline']);
    });

    it('battery: a status below 0.2 opens battery.low; a status at 0.35 resolves it (restored)', async () => {
      const d = await device(c, {});
      const m = await hear(c, d);
      await publish(m, topics.deviceStatus(d.id), JSON.stringify({ online: true, battery: 0.1 }));
      const alarm = await waitFor(async () => (await alarmsOf(c, d.id)).find((a) => a.kind === 'battery.low'));
      expect(alarm).toMatchObject({ priority: 'technical', residentId: c.residentId, status: 'open' });
      await publish(m, topics.deviceStatus(d.id), JSON.stringify({ online: true, battery: 0.1 }));
      await publish(m, topics.deviceStatus(d.id), JSON.stringify({ online: true, battery: 0.35 }));
      const closed = await waitFor(async () => {
        const x = await detail(c, alarm.id);
        return x.status === 'resolved' && x;
      });
      expect(closed.outcome).toBe('restored');
      expect(closed.eventCount).toBe(1); // the second low report joined nothing
      expect(closed.timeline.find((t) => t.code === 'alarm.restored')?.detail).toMatchObject({ reason: 'battery.ok', deviceId: d.id });
    });

    it("device.fault opens a technical alarm; the same device's low battery joins it, another device's is its own", async () => {
      const d = await device(c, {});
      const other = await device(c, {});
      const m = await hear(c, d);
      await press(m, d.id, 'device.fault', { code: 'sensor_stuck' });
      const fault = await waitFor(async () => (await alarmsOf(c, d.id))[0]);
      expect(fault).toMatchObject({ kind: 'device.fault', priority: 'technical', status: 'open' });
      await publish(m, topics.deviceStatus(d.id), JSON.stringify({ online: true, battery: 0.05 }));
      await waitFor(async () => (await detail(c, fault.id)).eventCount === 2);
      expect(await alarmsOf(c, d.id)).toHaveLength(1);
      const m2 = await hear(c, other);
      await publish(m2, topics.deviceStatus(other.id), JSON.stringify({ online: true, battery: 0.05 }));
      const own = await waitFor(async () => (await alarmsOf(c, other.id))[0]);
      expect(own.id).not.toBe(fault.id);
      expect(own.kind).toBe('battery.low');
    });

    it('a device with a fault open goes silent: the offline joins its alarm; heard again, the return is noted and the fault stays', async () => {
      const d = await device(c, { heartbeatS: 1 });
      const m = await hear(c, d);
      await press(m, d.id, 'device.fault', { code: 'tilt_switch' });
      const fault = await waitFor(async () => (await alarmsOf(c, d.id))[0]);
      await drop(c, d, m);
      await sweepAt(c, 2_000);
      await waitFor(async () => (await detail(c, fault.id)).eventCount === 2);
      expect(await alarmsOf(c, d.id)).toHaveLength(1);
      await hear(c, d);
      await sweepAt(c, 10);
      const after = await waitFor(async () => {
        const x = await detail(c, fault.id);
        return x.timeline.some((t) => t.code === 'alarm.restored') && x;
      });
      expect(after).toMatchObject({ status: 'open', kind: 'device.fault' });
      expect((await c.api.get(`/api/devices/${d.id}`)).body.offlineSince).toBeNull();
    });
  });

  it('a restart in the middle keeps last heard (from the database) and the offline flag', async () => {
    const dir = kind === 'embedded' ? await migratedEmbeddedDir('homecare-supervision-') : undefined;
    const pg = kind === 'postgres' ? await createPgDatabase() : undefined;
    const env: Record<string, string> = dir ? { DATA_DIR: dir.path } : { DATABASE_URL: pg!.url };
    const t0 = new Date();
    let c: Centre | undefined;
    try {
      c = await startCentre(kind, env, new ManualClock(t0));
      const quiet = await device(c, { heartbeatS: 2 });
      const flagged = await device(c, { heartbeatS: 1 });
      await hear(c, quiet);
      await drop(c, flagged, await hear(c, flagged));
      await sweepAt(c, 2_000); // `flagged` is offline now, `quiet` half-way (2 s of 4)
      const [before] = await alarmsOf(c, flagged.id);
      expect(before?.kind).toBe('device.offline');
      expect(await alarmsOf(c, quiet.id)).toEqual([]);
      const residentId = c.residentId;
      await stopCentre(c);
      // back 1 s later: counted from the last heard before the restart, `quiet` is due at t0 + 4 s
      c = await startCentre(kind, env, new ManualClock(new Date(t0.getTime() + 3_000)), residentId);
      await sweepAt(c, 999);
      expect(await alarmsOf(c, quiet.id)).toEqual([]);
      await sweepAt(c, 1);
      const [offline] = await alarmsOf(c, quiet.id);
      expect(offline?.kind).toBe('device.offline');
      expect((await detail(c, offline!.id)).timeline.find((t) => t.code === 'alarm.raised')?.detail.data.since).toBe(t0.toISOString());
      // the one flagged before the restart raises nothing new, and comes back restored
      expect(await alarmsOf(c, flagged.id)).toHaveLength(1);
      await hear(c, flagged);
      await sweepAt(c, 10);
      expect(await detail(c, before!.id)).toMatchObject({ status: 'resolved', outcome: 'restored' });
    } finally {
      await stopCentre(c);
      dir?.remove();
      await pg?.drop();
    }
  });

  describe('a whole-centre outage', () => {
    let c: Centre;
    beforeAll(async () => {
      c = await startCentre(kind, { CENTRE_OUTAGE_MIN_DEVICES: '3' });
    });
    afterAll(() => stopCentre(c));

    it('every device gone at once raises one centre.outage alarm (no device alarms); heard again, it resolves', async () => {
      const devs = await Promise.all(Array.from({ length: 4 }, () => device(c, { heartbeatS: 1 })));
      const clients = await Promise.all(devs.map((d) => hear(c, d)));
      await Promise.all(devs.map((d, i) => drop(c, d, clients[i]!)));
      await sweepAt(c, 2_000);
      const all = (await c.api.get('/api/alarms?status=all')).body as Array<Record<string, any>>;
      expect(all.map((a) => a.kind)).toEqual(['centre.outage']);
      expect(all[0]).toMatchObject({ priority: 'technical', residentId: null, status: 'open', deviceId: '(centre)' });
      const raised = (await detail(c, all[0]!.id)).timeline.find((t) => t.code === 'alarm.raised')!;
      expect(raised.detail.data).toMatchObject({ silent: 4, supervised: 4 });
      await sweepAt(c, 60_000);
      expect((await c.api.get('/api/alarms?status=all')).body).toHaveLength(1);
      for (const d of devs) await hear(c, d);
      await sweepAt(c, 10);
      expect(await detail(c, all[0]!.id)).toMatchObject({ status: 'resolved', outcome: 'restored' });
      expect((await c.api.get('/api/alarms?status=all')).body).toHaveLength(1);
    });
  });
});
