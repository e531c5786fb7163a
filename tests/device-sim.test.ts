import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { deviceEventSchema, wearableAckSchema, type WearableAck } from '../contract/device-messages.ts';
import { parseCliArgs } from '../device-sim/cli.ts';
import { planCentre, seededRandom } from '../device-sim/demo-data.ts';
import { LatencySampler } from '../device-sim/latency.ts';
import { RateLimiter } from '../device-sim/rate-limiter.ts';
import { loadState, saveState, emptyState } from '../device-sim/sim-state.ts';
import { TrafficPlanner } from '../device-sim/traffic-plan.ts';
import { SimError, type SimDevice } from '../device-sim/types.ts';
import { WearableBehaviour } from '../device-sim/wearable.ts';

const logger = createLogger('silent');

function fleet(residents: number): SimDevice[] {
  const plan = planCentre(residents);
  const devices = plan.residents.flatMap((r) => r.devices.map((d) => ({ ...d, secret: 's', residentName: r.name })));
  return [...devices, ...plan.caregivers.map((c) => ({ id: c.wearableId, kind: 'wearable' as const, secret: 's' }))];
}

describe('demo centre plan', () => {
  it('is deterministic, with unique residents in grids of at most ten', () => {
    const a = planCentre(57);
    expect(planCentre(57)).toEqual(a);
    expect(new Set(a.residents.map((r) => r.name)).size).toBe(57);
    expect(a.grids).toHaveLength(6);
    expect(a.communities.length).toBeGreaterThanOrEqual(1);
    for (let g = 0; g < a.grids.length; g++) {
      expect(a.residents.filter((r) => r.gridIndex === g).length).toBeLessThanOrEqual(10);
      expect(a.caregivers.some((c) => c.gridIndexes.includes(g))).toBe(true); // every grid covered
    }
    for (const r of a.residents) {
      expect(r.devices[0]?.kind).toBe('pendant');
      expect(r.devices.length).toBeGreaterThanOrEqual(2);
      expect(r.devices.length).toBeLessThanOrEqual(4);
      expect(r.contacts.length).toBeGreaterThanOrEqual(1);
    }
    expect(a.caregivers.filter((c) => c.role === 'supervisor')).toHaveLength(1);
    // a smaller run is a prefix of a bigger one, so re-runs find what was built before
    expect(planCentre(20).residents.map((r) => r.name)).toEqual(a.residents.slice(0, 20).map((r) => r.name));
  });
});

describe('traffic planner', () => {
  const devices = fleet(30);
  const byId = new Map(devices.map((d) => [d.id, d]));

  for (const night of [false, true]) {
    it(`builds only contract-valid events (${night ? 'night' : 'day'})`, () => {
      const start = Date.parse('2026-11-22T08:00:00Z');
      const planner = new TrafficPlanner(devices, { buttonPressProbability: 0.05, random: seededRandom(7), isNight: () => night }, start);
      const types = new Map<string, number>();
      const heartbeats = new Map<string, number>();
      const open = new Set<string>();
      const ids = new Set<string>();
      // 20 events/s for 10 simulated minutes
      for (let t = start; t < start + 600_000; t += 50) {
        const planned = planner.next(t);
        if (!planned) continue;
        const { device, event } = planned;
        expect(deviceEventSchema.safeParse(JSON.parse(JSON.stringify(event))).success).toBe(true);
        expect(byId.get(device.id)).toBe(device);
        expect(ids.has(event.id)).toBe(false);
        ids.add(event.id);
        types.set(event.type, (types.get(event.type) ?? 0) + 1);
        if (event.type === 'heartbeat') heartbeats.set(device.id, (heartbeats.get(device.id) ?? 0) + 1);
        // doors close only after they opened, and do not open twice in a row
        if (event.type === 'door.opened') {
          expect(open.has(device.id)).toBe(false);
          open.add(device.id);
        }
        if (event.type === 'door.closed') expect(open.delete(device.id)).toBe(true);
        if (event.type.startsWith('bed.')) expect(night).toBe(true);
        if (['button.pressed', 'fall.detected', 'service.request'].includes(event.type)) {
          expect(['pendant', 'button', 'pull_cord']).toContain(device.kind);
        }
      }
      // every device, wearables included, heartbeats about once a minute
      for (const d of devices) expect(heartbeats.get(d.id) ?? 0).toBeGreaterThanOrEqual(9);
      expect(types.get('button.pressed')).toBeGreaterThan(0);
      expect(types.get(night ? 'bed.exit' : 'motion')).toBeGreaterThan(0);
    });
  }

  it('only picks devices that are online', () => {
    const planner = new TrafficPlanner(devices, { buttonPressProbability: 0.5 });
    const onlineIds = new Set(devices.slice(0, 5).map((d) => d.id));
    for (let i = 0; i < 500; i++) {
      const planned = planner.next(Date.now() + i * 100, (id) => onlineIds.has(id));
      if (planned) expect(onlineIds.has(planned.device.id)).toBe(true);
    }
    expect(planner.next(Date.now(), () => false)).toBeUndefined();
  });
});

describe('rate limiter', () => {
  /** Largest number of accepted times inside any half-open window of the given length. */
  function maxInWindow(times: number[], windowMs: number): number {
    let best = 0;
    for (let lo = 0, hi = 0; hi < times.length; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= windowMs) lo++;
      best = Math.max(best, hi - lo + 1);
    }
    return best;
  }

  it.each([1, 7, 20, 250])('never lets more than %i through in any second, yet keeps up', (rate) => {
    const limiter = new RateLimiter(rate);
    const rnd = seededRandom(rate);
    const accepted: number[] = [];
    // bursty callers: clumps of attempts at random moments over 20 s
    for (let t = 0; t < 20_000; t += rnd() * (500 / rate)) {
      for (let k = 0; k < 1 + Math.floor(rnd() * 5); k++) if (limiter.tryAcquire(t)) accepted.push(t);
    }
    expect(maxInWindow(accepted, 1000)).toBeLessThanOrEqual(rate);
    expect(accepted.length).toBeLessThanOrEqual(rate * 20);
    expect(accepted.length).toBeGreaterThan(rate * 20 * 0.8);
  });

  it('spaces slow rates and says how long to wait', () => {
    const limiter = new RateLimiter(0.5);
    expect(limiter.tryAcquire(0)).toBe(true);
    expect(limiter.tryAcquire(1_999)).toBe(false);
    expect(limiter.waitMs(1_000)).toBe(1_000);
    expect(limiter.tryAcquire(2_000)).toBe(true);
    expect(() => new RateLimiter(0)).toThrow(RangeError);
  });
});

describe('latency sampler', () => {
  it('reports p50 and p99', () => {
    const s = new LatencySampler(1000);
    expect(s.summary().p50).toBeNull();
    for (let i = 1; i <= 100; i++) s.record(i);
    expect(s.summary()).toMatchObject({ count: 100, p50: 51, p99: 100, max: 100 });
  });
});

describe('wearable behaviour', () => {
  const alert = (alarmId: string) => ({
    type: 'alarm.alert',
    alarmId,
    priority: 'emergency',
    kind: 'fall.detected',
    resident: { id: 'r1', name: 'Huang Xueying', address: 'Building 3, Room 401', grid: 'Jianguo Grid 1', notes: 'diabetic; key safe 4711' },
    raisedAt: new Date().toISOString(),
    step: 1,
    acceptBy: new Date(Date.now() + 60_000).toISOString(),
  });
  const timing = { accept: [5, 10], arrive: [5, 10], resolve: [5, 10], decline: [5, 10] } as const;
  const waitFor = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  it('accepts, arrives, then resolves as assisted; one answer per alarm', async () => {
    const acks: WearableAck[] = [];
    const w = new WearableBehaviour('sim-w001', (a) => acks.push(a), { logger, timing });
    w.onMessage(JSON.stringify(alert('a1')));
    w.onMessage(Buffer.from(JSON.stringify({ ...alert('a1'), step: 2 }))); // repeated by escalation
    await waitFor(() => acks.length >= 3);
    expect(acks.map((a) => a.action)).toEqual(['accept', 'arrived', 'resolve']);
    expect(acks[2]?.outcome).toBe('assisted');
    for (const a of acks) expect(wearableAckSchema.safeParse(a).success).toBe(true);
    w.stop();
  });

  it('stops when another caregiver took the alarm, and declines when busy', async () => {
    const acks: WearableAck[] = [];
    const w = new WearableBehaviour('sim-w002', (a) => acks.push(a), { logger, timing: { ...timing, arrive: [10_000, 10_000] }, maxConcurrent: 1 });
    w.onMessage(JSON.stringify(alert('taken')));
    w.onMessage(JSON.stringify({ type: 'alarm.taken', alarmId: 'taken' }));
    w.onMessage(JSON.stringify(alert('mine')));
    await waitFor(() => acks.length >= 1);
    w.onMessage(JSON.stringify(alert('other')));
    w.onMessage('not json');
    await waitFor(() => acks.length >= 2);
    expect(acks.map((a) => `${a.alarmId}:${a.action}`)).toEqual(['mine:accept', 'other:decline']);
    expect(w.counts.invalid).toBe(1);
    w.stop();
  });
});

describe('cli flags', () => {
  const env = {};
  const error = (argv: string[]) => {
    try {
      parseCliArgs(argv, env);
    } catch (err) {
      expect(err).toBeInstanceOf(SimError);
      return (err as Error).message;
    }
    throw new Error('expected a SimError');
  };

  it('applies defaults and reads the password from the environment', () => {
    const opts = parseCliArgs(['--residents', '50', '--rate', '20', '--duration', '60'], { SIM_PASSWORD: 'pw' });
    expect(opts).toMatchObject({ residents: 50, rate: 20, duration: 60, password: 'pw', 'press-probability': 0.01, url: 'http://127.0.0.1:3000' });
    expect(parseCliArgs(['--help'], env)).toBe('help');
  });

  it('rejects bad flags with one clear line', () => {
    expect(error(['--bogus', '1'])).toBe('unknown flag --bogus (see --help)');
    expect(error(['--password', 'x', '--rate', 'fast'])).toMatch(/^--rate must be a number above 0/);
    expect(error(['--password', 'x', '--residents', '2.5'])).toMatch(/^--residents must be a whole number/);
    expect(error(['--password', 'x', '--press-probability', '1.5'])).toMatch(/^--press-probability must be a number from 0 to 1/);
    expect(error(['--password', 'x', '--url', 'ftp://x'])).toMatch(/^--url must be a URL/);
    expect(error(['--password'])).toBe('flag --password needs a value (see --help)');
    expect(error(['--rate', '5'])).toMatch(/--password is required/);
    expect(error(['--password', 'x', 'stray'])).toMatch(/unexpected argument "stray"/);
    for (const msg of [error(['--bogus']), error(['--rate', '-1', '--password', 'x'])]) expect(msg).not.toContain('\n');
  });
});

describe('simulator state file', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('round-trips secrets in an owner-only file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-state-'));
    const path = join(dir, 'nested', 'state.json');
    expect(await loadState(path)).toBeUndefined();
    const state = emptyState('http://127.0.0.1:3000');
    state.devices['sim-r0001-pendant'] = { secret: 'abc', kind: 'pendant' };
    await saveState(path, state);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await loadState(path))?.devices).toEqual(state.devices);
  });
});
