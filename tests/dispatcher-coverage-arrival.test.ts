/**
 * Coverage assurance and closed-loop arrival end to end on the real dispatcher, both databases,
 * with the manual clock: a grid whose only caregiver's rota ends in 30 minutes gets one
 * coverage.gap alarm for the operators now, which resolves itself once a shift covers the
 * window; an emergency accepted by Li who never arrives sends Wang after the arrive limit
 * counted from the accept and asks Li whether she is still coming (also across a restart);
 * Li arriving in time changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './helpers/api-client.ts';
import { provisionHome } from './helpers/care-centre.ts';
import { codes, dispatcherFixture, rows, type DispatcherFixture } from './helpers/dispatcher-fixture.ts';

const MIN = 60_000;
const PASSWORD = 'Coverage-Operator-Passw0rd';
const ALL = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ARRIVE_S = 20 * 60; // the emergency default
const POLICY = { emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 60 }, { kind: 'all_in_grid', acceptWithinS: 60 }, { kind: 'console', acceptWithinS: 60 }] } };

/** "HH:MM" and "YYYY-MM-DD" of an instant in the directory's zone (rotas are local times). */
const local = (t: number, timeZone: string) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return { time: `${p.hour}:${p.minute}`, date: `${p.year}-${p.month}-${p.day}` };
};

describe.each(['embedded', 'postgres'] as const)('coverage and arrival on %s (manual clock)', (kind) => {
  let f: DispatcherFixture;
  beforeAll(async () => {
    f = await dispatcherFixture({ db: kind, policy: POLICY, env: { CANCEL_WINDOW_S: '0' } });
  });
  afterAll(async () => f?.close());

  const coverageAlarms = async (gridId: string, status = 'open') =>
    ((await f.api.get(`/api/alarms?status=${status}`)).body as Array<{ id: string; kind: string; areaId: string | null }>).filter((a) => a.kind === 'coverage.gap' && a.areaId === gridId);

  it("a grid whose only caregiver's rota ends in 30 minutes: one coverage.gap alarm now, resolved once a shift covers it", async () => {
    const { grid } = await provisionHome(f.api);
    const tz = f.main.directory.timeZone;
    const now = f.clock.now().getTime();
    const ann = await f.api.create('/api/caregivers', { name: 'Ann Rota', areaIds: [grid.id], phone: '+8613700000077' });
    const ends = local(now + 30 * MIN, tz);
    expect((await f.api.post('/api/rotas', { caregiverId: ann.id, days: ALL, start: local(now - 60 * MIN, tz).time, end: ends.time, from: local(now - 2 * 86_400_000, tz).date, until: null })).status).toBe(201);

    // seen uncovered at one sweep, still at the next: opened
    expect((await f.dispatcher.checkCoverage()).opened).toBe(0);
    expect(await coverageAlarms(grid.id)).toEqual([]);
    await f.clock.advance(15_000);
    expect((await f.dispatcher.checkCoverage()).opened).toBeGreaterThanOrEqual(1);
    const [alarm, ...more] = await coverageAlarms(grid.id);
    expect(more).toEqual([]);
    const d = await f.alarm(alarm!.id);
    expect(d).toMatchObject({ status: 'open', priority: 'technical', kind: 'coverage.gap', residentId: null, areaId: grid.id, stepKind: 'console' });
    const raised = rows(d, 'alarm.raised')[0]!.detail;
    const from = Date.parse(raised.data.from);
    // the rota's end (a whole minute) lies 29-30 minutes after the rota was made
    expect(from).toBeGreaterThan(now + 29 * MIN - 1);
    expect(from).toBeLessThanOrEqual(now + 30 * MIN);
    expect(raised.data).toMatchObject({ areaId: grid.id, grid: 'Grid 1', coverers: 1 });
    expect(d.notifications.map((n) => n.channel)).toEqual(['console']); // the operators, not a caregiver

    // an operator scoped to the grid sees it; one scoped to another community does not (404)
    const other = await provisionHome(f.api);
    const tag = kind.slice(0, 3);
    await f.api.create('/api/users', { username: `cov-in-${tag}`, password: PASSWORD, role: 'operator', areaId: grid.id });
    await f.api.create('/api/users', { username: `cov-out-${tag}`, password: PASSWORD, role: 'operator', areaId: other.community.id });
    const inside = apiClient(f.main.app);
    await inside.login(`cov-in-${tag}`, PASSWORD);
    const outside = apiClient(f.main.app);
    await outside.login(`cov-out-${tag}`, PASSWORD);
    expect(((await inside.get('/api/alarms?status=open')).body as Array<{ id: string }>).map((x) => x.id)).toContain(alarm!.id);
    expect((await outside.get(`/api/alarms/${alarm!.id}`)).status).toBe(404);

    // the next sweeps open nothing more
    await f.clock.advance(15_000);
    await f.dispatcher.checkCoverage();
    expect(await coverageAlarms(grid.id)).toHaveLength(1);

    // a colleague's shift covers the window: resolved by itself
    const bo = await f.api.create('/api/caregivers', { name: 'Bo Shift', areaIds: [grid.id], phone: '+8613700000078' });
    const t = f.clock.now().getTime();
    expect((await f.api.post('/api/shifts', { caregiverId: bo.id, start: new Date(t).toISOString(), end: new Date(t + 8 * 3600_000).toISOString() })).status).toBe(201);
    await f.dispatcher.checkCoverage();
    const closed = await f.until(alarm!.id, (x) => x.status === 'resolved');
    expect(closed.outcome).toBe('restored');
    expect(rows(closed, 'alarm.restored').map((r) => r.detail)).toEqual([{ reason: 'covered', areaId: grid.id }]);
    await f.dispatcher.checkCoverage();
    expect(await coverageAlarms(grid.id)).toEqual([]);
  });

  it('a grid with a resident and no caregiver at all counts; a grid without residents raises nothing', async () => {
    const community = (await f.api.get('/api/areas')).body as Array<{ id: string; kind: string }>;
    const parent = community.find((a) => a.kind === 'community')!;
    const bare = await f.api.create('/api/areas', { name: 'Grid Bare', kind: 'grid', parentId: parent.id });
    const empty = await f.api.create('/api/areas', { name: 'Grid Empty', kind: 'grid', parentId: parent.id });
    await f.api.create('/api/residents', { name: 'Gu Lan', areaId: bare.id, address: '3 Bare Lane' });
    const seen = f.clock.now().toISOString();
    await f.dispatcher.checkCoverage();
    await f.clock.advance(15_000);
    await f.dispatcher.checkCoverage();
    const [a] = await coverageAlarms(bare.id);
    // uncovered from the sweep that first saw it (the window starts at that sweep's now)
    expect(rows(await f.alarm(a!.id), 'alarm.raised')[0]!.detail.data).toMatchObject({ coverers: 0 });
    expect(Date.parse(rows(await f.alarm(a!.id), 'alarm.raised')[0]!.detail.data.from)).toBeGreaterThanOrEqual(Date.parse(seen));
    expect(await coverageAlarms(empty.id)).toEqual([]);
  });

  /** A press; Li (ranked first) is asked, accepts `acceptAfterMs` later. */
  async function acceptedByLi(acceptAfterMs = 10_000) {
    const centre = await f.centre({ caregivers: 3 });
    const [li, wang] = centre.caregivers;
    await f.online(...centre.caregivers.map((c) => c.wearable.id));
    await f.event(centre.pendant, centre.resident.id, 'button.pressed', {});
    const list = (await f.api.get('/api/alarms?status=open')).body as Array<{ id: string; residentId: string }>;
    const id = list.find((a) => a.residentId === centre.resident.id)!.id;
    expect(f.to(li!.wearable.id, 'alarm.alert').some((s) => s.message.alarmId === id)).toBe(true);
    await f.clock.advance(acceptAfterMs);
    await f.ack(li!.wearable.id, id, 'accept');
    await f.until(id, (d) => d.status === 'accepted');
    return { li: li!, wang: wang!, id, acceptedAt: f.clock.now().getTime() };
  }
  const alertsTo = (wearableId: string, id: string) => f.to(wearableId, 'alarm.alert').filter((s) => s.message.alarmId === id);

  it('Li accepts late in the raise window and never arrives: at the arrive limit from her accept, Wang is alerted and Li asked', async () => {
    const { li, wang, id, acceptedAt } = await acceptedByLi(50_000);
    expect(alertsTo(wang.wearable.id, id)).toEqual([]);
    await f.clock.advanceTo(new Date(acceptedAt + ARRIVE_S * 1000 - 1000));
    expect(codes(await f.alarm(id))).not.toContain('arrival.overdue');
    await f.clock.advanceTo(new Date(acceptedAt + ARRIVE_S * 1000));
    const d = await f.until(id, (x) => codes(x).includes('arrival.redispatched'));
    expect(rows(d, 'arrival.overdue')).toHaveLength(1);
    expect(Date.parse(rows(d, 'arrival.redispatched')[0]!.at)).toBe(acceptedAt + ARRIVE_S * 1000);
    expect(rows(d, 'arrival.redispatched')[0]!.detail).toMatchObject({ acceptedBy: li.name, to: [wang.name] });
    expect(rows(d, 'console.called').some((r) => r.detail.reason === 'arrival_overdue')).toBe(true);
    expect(d).toMatchObject({ status: 'accepted', acceptedBy: li.id });
    await f.sentWhere((s) => s.id === wang.wearable.id && s.message.type === 'alarm.alert' && s.message.alarmId === id);
    await f.sentWhere((s) => s.id === li.wearable.id && s.message.type === 'arrival.check' && s.message.alarmId === id);

    // Wang accepts: his now; Li is told alarm.taken
    await f.ack(wang.wearable.id, id, 'accept');
    const taken = await f.until(id, (x) => x.acceptedBy === wang.id);
    expect(taken.status).toBe('accepted');
    await f.sentWhere((s) => s.id === li.wearable.id && s.message.type === 'alarm.taken' && s.message.alarmId === id && s.message.by === wang.name);
    await f.ack(wang.wearable.id, id, 'arrived');
    await f.until(id, (x) => x.status === 'on_site');
  });

  it('Li arrives one second before the limit: nothing more happens', async () => {
    const { li, wang, id, acceptedAt } = await acceptedByLi();
    await f.clock.advanceTo(new Date(acceptedAt + ARRIVE_S * 1000 - 1000));
    await f.ack(li.wearable.id, id, 'arrived');
    await f.until(id, (x) => x.status === 'on_site');
    await f.clock.advance(ARRIVE_S * 1000);
    expect((await f.dispatcher.sweep()).active).toBeGreaterThanOrEqual(1);
    const d = await f.alarm(id);
    expect(codes(d)).not.toContain('arrival.redispatched');
    expect(codes(d)).not.toContain('arrival.overdue');
    expect(alertsTo(wang.wearable.id, id)).toEqual([]);
    expect(f.to(li.wearable.id, 'arrival.check')).toEqual([]);
  });

  it('the arrival deadline survives a restart: a new instance sends Wang at the limit', async () => {
    const { li, wang, id, acceptedAt } = await acceptedByLi();
    await f.main.stop();
    await f.clock.advance(5 * MIN);
    f.main = await f.instance();
    await f.online(li.wearable.id, wang.wearable.id);
    await f.clock.advanceTo(new Date(acceptedAt + ARRIVE_S * 1000 - 1000));
    expect(codes(await f.alarm(id))).not.toContain('arrival.redispatched');
    await f.clock.advanceTo(new Date(acceptedAt + ARRIVE_S * 1000));
    const d = await f.until(id, (x) => codes(x).includes('arrival.redispatched'));
    expect(Date.parse(rows(d, 'arrival.redispatched')[0]!.at)).toBe(acceptedAt + ARRIVE_S * 1000);
    await f.sentWhere((s) => s.id === wang.wearable.id && s.message.type === 'alarm.alert' && s.message.alarmId === id);
  });
});
