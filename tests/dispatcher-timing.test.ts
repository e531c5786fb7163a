import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmIdFor } from '../dispatch-console/dispatcher/alarm-ids.ts';
import { codes, dispatcherFixture, rows, type AlarmDetail, type DispatcherFixture } from './helpers/dispatcher-fixture.ts';

/**
 * The dispatcher's timing, on a manual clock: escalation steps, console repeats, the watchdog,
 * shift ends, restarts, failover and SMS fallback. The dispatcher is built directly on a real
 * database; the clock only moves when a test moves it, so every time below is exact and a busy
 * machine cannot make a step late. (Real time passes only for database I/O, which is awaited.)
 */

const S = 60; // seconds per step
const steps = (...kinds: string[]) => kinds.map((kind) => ({ kind, acceptWithinS: S }));
const POLICY = { emergency: { steps: steps('next_in_grid', 'all_in_grid', 'console') } };
const at = (iso: string | null | undefined) => Date.parse(iso!);
const startedSteps = (d: AlarmDetail) => rows(d, 'step.started').map((r) => r.detail.step as number);
const alertsTo = (f: DispatcherFixture, wearableId: string, alarmId: string) => f.to(wearableId, 'alarm.alert').filter((s) => s.message.alarmId === alarmId);

/** Presses the resident's pendant; returns the alarm (as committed) and who got step 1. */
async function pressAndOpen(f: DispatcherFixture, centre: Awaited<ReturnType<DispatcherFixture['centre']>>, via = f.main) {
  const before = f.sent.length;
  await f.event(centre.pendant, centre.resident.id, 'button.pressed', {}, via);
  const alert = f.sent.slice(before).find((s) => s.message.type === 'alarm.alert');
  const list = (await f.api.get('/api/alarms?status=open')).body as Array<{ id: string; residentId: string }>;
  const open = list.find((a) => a.residentId === centre.resident.id)!;
  expect(open).toBeDefined();
  return { alarm: await f.alarm(open.id), alert };
}

describe('escalation timing on a manual clock (embedded database)', () => {
  let f: DispatcherFixture;
  beforeAll(async () => {
    f = await dispatcherFixture({ policy: POLICY, env: { CANCEL_WINDOW_S: '0' } });
  });
  afterAll(async () => f?.close());

  it('nobody accepts: step 2 comes exactly at step 1\'s deadline, not before; the console step then repeats until an operator acts', async () => {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const t0 = f.clock.now().getTime();
    const { alarm, alert } = await pressAndOpen(f, centre);
    expect(alert).toMatchObject({ to: 'wearable', id: li!.wearable.id, message: { type: 'alarm.alert', step: 1, priority: 'emergency' } });
    expect(alarm).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid' });
    expect(at(alarm.stepDeadline)).toBe(t0 + S * 1000);

    // a millisecond before the limit: nothing moves
    await f.clock.advance(S * 1000 - 1);
    expect(alertsTo(f, wang!.wearable.id, alarm.id)).toHaveLength(0);
    expect((await f.alarm(alarm.id)).step).toBe(1);

    // at the limit: step 2 (all in grid) reaches the second caregiver, and the first again
    await f.clock.advance(1);
    const two = await f.until(alarm.id, (d) => d.step === 2);
    const second = await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === alarm.id && s.message.type === 'alarm.alert');
    expect(second.message).toMatchObject({ step: 2, priority: 'emergency' });
    expect(second.at.getTime()).toBe(t0 + S * 1000);
    expect(at(second.message.acceptBy) - at(alert!.message.acceptBy)).toBe(S * 1000);
    await f.sentWhere((s) => s.id === li!.wearable.id && s.message.alarmId === alarm.id && s.message.step === 2);
    expect(at(two.stepDeadline)).toBe(t0 + 2 * S * 1000);

    // past the last step, the console step repeats at its own limit while nobody accepts
    for (let n = 3; n <= 6; n++) {
      await f.clock.advanceTo(new Date(t0 + (n - 1) * S * 1000));
      await f.until(alarm.id, (d) => rows(d, 'step.started').length === n);
    }
    const a = await f.alarm(alarm.id);
    expect(a).toMatchObject({ status: 'open', step: 3, stepKind: 'console', acceptedBy: null });
    const started = rows(a, 'step.started');
    expect(started.slice(0, 3).map((r) => [r.detail.step, r.detail.kind, r.detail.repeated])).toEqual([
      [1, 'next_in_grid', false],
      [2, 'all_in_grid', false],
      [3, 'console', false],
    ]);
    for (const r of started.slice(3)) expect(r.detail).toMatchObject({ step: 3, kind: 'console', repeated: true });
    // each step waited out exactly its limit (no hot loop, no early move, no drift)
    expect(started.map((r) => at(r.at) - t0)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * S * 1000));
    // the console is called once per console step, never by SMS or wrist
    expect(rows(a, 'console.called')).toHaveLength(started.length - 2);
    expect(a.notifications.filter((n) => n.step === 3).every((n) => n.channel === 'console')).toBe(true);
    expect(codes(a)).not.toContain('step.skipped');

    // an operator ends it: the repeats stop and the wrists are told
    const cancelled = await f.api.post(`/api/alarms/${alarm.id}/cancel`, { note: 'test over' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', stepDeadline: null } });
    await f.sentWhere((s) => s.id === li!.wearable.id && s.message.type === 'alarm.closed' && s.message.alarmId === alarm.id);
    await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.type === 'alarm.closed' && s.message.alarmId === alarm.id);
    await f.clock.advance(10 * S * 1000);
    expect(rows(await f.alarm(alarm.id), 'step.started')).toHaveLength(started.length);
  });

  it('watchdog: a deadline passed unserved is recorded as missed with how late it was, the next step runs once, and the lost timer is a no-op', async () => {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm } = await pressAndOpen(f, centre);
    const plannedDeadline = at(alarm.stepDeadline);
    await f.clock.advance(20_000);

    // the deadline as if this instance had lost its timer 30 s ago (token untouched)
    const now = f.clock.now().getTime();
    await f.main.db.query('UPDATE alarms SET deadline = $2 WHERE id = $1', [alarm.id, new Date(now - 30_000)]);
    const counts = await f.dispatcher.sweep();
    expect(counts.missed).toBe(1);
    const a = await f.until(alarm.id, (d) => d.step === 2);
    expect(a).toMatchObject({ status: 'open', stepKind: 'all_in_grid' });
    const missed = rows(a, 'watchdog.missed_deadline');
    expect(missed).toHaveLength(1);
    expect(missed[0]!.detail.lateMs).toBe(30_000);
    expect(rows(a, 'console.called').map((r) => r.detail.reason)).toContain('missed_deadline');
    expect(startedSteps(a)).toEqual([1, 2]);
    expect(at(a.stepDeadline)).toBe(now + S * 1000);
    await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === alarm.id && s.message.step === 2);

    // a second sweep finds nothing more to do; the old timer firing at the planned deadline is stale
    expect((await f.dispatcher.sweep()).missed).toBe(0);
    expect(at(a.stepDeadline)).toBeGreaterThan(plannedDeadline);
    await f.clock.advanceTo(new Date(plannedDeadline));
    await new Promise((r) => setTimeout(r, 100));
    expect(startedSteps(await f.alarm(alarm.id))).toEqual([1, 2]);
    expect((await f.api.post(`/api/alarms/${alarm.id}/cancel`, {})).status).toBe(200);
  });

  it('a shift ending mid-step re-routes at the next sweep, to whoever is on duty now, long before the step deadline', async () => {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm, alert } = await pressAndOpen(f, centre);
    const first = [li!, wang!].find((c) => c.wearable.id === alert!.id)!;
    const other = [li!, wang!].find((c) => c !== first)!;
    expect((await f.dispatcher.sweep()).shiftChange).toBe(0); // on duty: the step waits

    // the first caregiver's shift is cut short: it now ends 20 s from now, inside the 60 s step
    const shifts = (await f.api.get(`/api/shifts?caregiverId=${first.id}`)).body as Array<{ id: string; start: string }>;
    expect(shifts).toHaveLength(1);
    expect((await f.api.del(`/api/shifts/${shifts[0]!.id}`)).status).toBe(204);
    const endsAt = new Date(f.clock.now().getTime() + 20_000); // before the 60 s deadline
    await f.api.create('/api/shifts', { caregiverId: first.id, start: shifts[0]!.start, end: endsAt.toISOString() });
    await f.dispatcher.refreshDirectory();
    await f.clock.advanceTo(new Date(endsAt.getTime() - 1));
    expect((await f.dispatcher.sweep()).shiftChange).toBe(0); // still on duty

    await f.clock.advanceTo(new Date(endsAt.getTime() + 1));
    const counts = await f.dispatcher.sweep();
    expect(counts.shiftChange).toBe(1);
    const d = await f.until(alarm.id, (x) => x.step === 2);
    const second = await f.sentWhere((s) => s.id === other.wearable.id && s.message.alarmId === alarm.id && s.message.step === 2);
    expect(second.message).toMatchObject({ type: 'alarm.alert', step: 2 });
    expect(startedSteps(d)).toEqual([1, 2]);
    expect(at(rows(d, 'step.started')[1]!.at)).toBe(endsAt.getTime() + 1);
    expect(at(rows(d, 'step.started')[1]!.at)).toBeLessThan(at(alarm.stepDeadline));
    // step 2 (all in grid) alerts only who is on duty now
    expect(d.notifications.filter((n) => n.step === 2).map((n) => n.recipientName)).toEqual([other.name]);
    expect(alertsTo(f, first.wearable.id, alarm.id).filter((s) => s.message.step === 2)).toHaveLength(0);
    expect((await f.api.post(`/api/alarms/${alarm.id}/cancel`, {})).status).toBe(200);
  });
});

describe.each(['embedded', 'postgres'] as const)('restart mid-escalation on %s (manual clock)', (kind) => {
  let f: DispatcherFixture;
  beforeAll(async () => {
    f = await dispatcherFixture({ db: kind, policy: POLICY });
  });
  afterAll(async () => f?.close());

  /** Stops the running dispatcher (its timers go with it) and, `laterMs` later, starts a new one on the same database. */
  const restart = async (laterMs: number) => {
    await f.main.stop();
    await f.clock.advance(laterMs);
    f.main = await f.instance();
  };

  it('within the step: the alarm resumes at the same step, deadline and reply code, and step 2 fires exactly at the stored deadline', async () => {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm: before } = await pressAndOpen(f, centre);
    expect(before).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid' });

    await restart((S / 2) * 1000);
    await f.online(li!.wearable.id, wang!.wearable.id);
    const after = await f.alarm(before.id);
    expect(after).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid', stepDeadline: before.stepDeadline, replyCode: before.replyCode });
    expect(at(after.stepDeadline)).toBeGreaterThan(f.clock.now().getTime());

    await f.clock.advanceTo(new Date(at(before.stepDeadline) - 1));
    expect((await f.alarm(before.id)).step).toBe(1);
    await f.clock.advanceTo(new Date(at(before.stepDeadline)));
    const detail = await f.until(before.id, (d) => d.step === 2);
    const stepTwo = await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === before.id && s.message.step === 2);
    expect(stepTwo.message).toMatchObject({ type: 'alarm.alert', alarmId: before.id, step: 2 });
    const started = rows(detail, 'step.started');
    expect(started.map((t) => t.detail.step)).toEqual([1, 2]);
    expect(at(started[1]!.at) - at(before.stepDeadline)).toBe(0);
    expect((await f.api.post(`/api/alarms/${before.id}/cancel`, {})).status).toBe(200);
  });

  it('down past the deadline: the new instance serves the step at once when it starts, exactly once', async () => {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm: before } = await pressAndOpen(f, centre);

    await f.main.stop();
    await f.clock.advanceTo(new Date(at(before.stepDeadline) + 30_000));
    const restartedAt = f.clock.now().getTime();
    f.main = await f.instance();
    await f.clock.advance(0); // the re-armed deadline is already due
    const detail = await f.until(before.id, (d) => d.step === 2);
    const started = rows(detail, 'step.started');
    expect(started.map((t) => t.detail.step)).toEqual([1, 2]);
    expect(at(started[1]!.at)).toBe(restartedAt);
    expect(detail.replyCode).toBe(before.replyCode);
    // the watchdog finds nothing left to serve; step 3 waits for step 2's own limit
    expect((await f.dispatcher.sweep()).missed).toBe(0);
    await f.clock.advance(S * 1000 - 1);
    expect(startedSteps(await f.alarm(before.id))).toEqual([1, 2]);
    expect((await f.api.post(`/api/alarms/${before.id}/cancel`, {})).status).toBe(200);
  });

  it('already at step 2 when it went down: resumes at step 2 with its deadline; step 3 comes at that deadline, not before', async () => {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm: before } = await pressAndOpen(f, centre);
    await f.clock.advanceTo(new Date(at(before.stepDeadline)));
    const atTwo = await f.until(before.id, (d) => d.step === 2);
    expect(at(atTwo.stepDeadline)).toBe(at(before.stepDeadline) + S * 1000);

    await restart((S / 2) * 1000);
    const after = await f.alarm(before.id);
    expect(after).toMatchObject({ status: 'open', step: 2, stepKind: 'all_in_grid', stepDeadline: atTwo.stepDeadline, replyCode: before.replyCode });
    await f.clock.advanceTo(new Date(at(atTwo.stepDeadline) - 1));
    expect((await f.alarm(before.id)).step).toBe(2);
    await f.clock.advanceTo(new Date(at(atTwo.stepDeadline)));
    const three = await f.until(before.id, (d) => d.step === 3);
    expect(three).toMatchObject({ status: 'open', stepKind: 'console' });
    const started = rows(three, 'step.started');
    expect(started.map((t) => t.detail.step)).toEqual([1, 2, 3]);
    expect(at(started[2]!.at)).toBe(at(atTwo.stepDeadline));
    expect(codes(three)).not.toContain('watchdog.missed_deadline');
    expect((await f.api.post(`/api/alarms/${before.id}/cancel`, {})).status).toBe(200);
  });
});

describe('failover: two dispatchers on one PostgreSQL; the one that opened the alarm goes away mid-step', () => {
  let f: DispatcherFixture;
  beforeAll(async () => {
    f = await dispatcherFixture({ db: 'postgres', policy: POLICY });
  });
  afterAll(async () => f?.close());

  it('the survivor arms the deadline at its periodic reload and serves it on time', async () => {
    const survivor = await f.instance();
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm } = await pressAndOpen(f, centre);
    expect(survivor.dispatcher.activeCount).toBe(0); // only the opener knows it yet
    await survivor.dispatcher.reload();
    expect(survivor.dispatcher.activeCount).toBe(1);

    await f.main.stop(); // its in-process timer goes with it
    f.main = survivor;
    await f.clock.advanceTo(new Date(at(alarm.stepDeadline)));
    const detail = await f.until(alarm.id, (d) => d.step === 2);
    await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === alarm.id && s.message.step === 2);
    const started = rows(detail, 'step.started');
    expect(started.map((t) => t.detail.step)).toEqual([1, 2]);
    expect(at(started[1]!.at) - at(started[0]!.detail.deadline)).toBe(0);
    expect(codes(detail)).not.toContain('watchdog.missed_deadline');
    expect((await f.api.post(`/api/alarms/${alarm.id}/cancel`, {})).status).toBe(200);
  });

  it('a deadline nobody armed is served by the survivor\'s watchdog sweep, recorded as missed with how late it was', async () => {
    const opener = await f.instance(); // f.main is the survivor from here on
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const { alarm } = await pressAndOpen(f, centre, opener);
    await opener.stop();

    // the survivor never read this alarm; its watchdog (every 5 s, 5 s of grace) finds it 6 s late
    await f.clock.advanceTo(new Date(at(alarm.stepDeadline) + 6_000));
    expect((await f.dispatcher.sweep()).missed).toBe(1);
    const detail = await f.until(alarm.id, (d) => d.step === 2);
    await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === alarm.id && s.message.step === 2);
    const started = rows(detail, 'step.started');
    expect(started.map((t) => t.detail.step)).toEqual([1, 2]);
    expect(at(started[1]!.at) - at(started[0]!.detail.deadline)).toBe(6_000);
    expect(rows(detail, 'watchdog.missed_deadline').map((r) => r.detail.lateMs)).toEqual([6_000]);
    // and only once: the next sweep has nothing to serve
    expect((await f.dispatcher.sweep()).missed).toBe(0);
    expect((await f.api.post(`/api/alarms/${alarm.id}/cancel`, {})).status).toBe(200);
  });

  it("a wrist's accept that reaches one instance before the other has committed the alarm is not lost", async () => {
    // (MQTT_URL: the first alert leaves while the opener still writes; the accept can go to the other instance)
    const opener = await f.instance();
    const centre = await f.centre();
    const [li] = centre.caregivers;
    await f.online(li!.wearable.id);
    const eventId = `early-accept-${Date.now()}`;
    const alarmId = alarmIdFor(centre.pendant.id, eventId, 'fp-early');
    const before = f.sent.length;
    // the accept arrives first, at the instance that has never heard of the alarm
    const accepting = f.ack(li!.wearable.id, alarmId, 'accept');
    await new Promise((r) => setTimeout(r, 20));
    await opener.dispatcher.handleEvent({
      device: { deviceId: centre.pendant.id, kind: 'pendant', residentId: centre.resident.id },
      event: { id: eventId, type: 'button.pressed', ts: f.clock.now().toISOString(), data: {} },
      fingerprint: 'fp-early',
      receivedAt: f.clock.now(),
    });
    await accepting;
    const detail = await f.until(alarmId, (d) => d.status === 'accepted');
    expect(detail.acceptedByName).toBe(li!.name);
    // the wrist was never told the alarm was closed or unknown
    expect(f.sent.slice(before).filter((s) => s.id === li!.wearable.id && s.message.type === 'alarm.closed')).toEqual([]);
    await opener.stop();
    expect((await f.api.post(`/api/alarms/${alarmId}/resolve`, {})).status).toBe(200);
  });
});

describe('SMS fallback timing (manual clock)', () => {
  it('no provider: SMS land in the outbox and escalation moves on exactly at the step deadline, not before', async () => {
    const f = await dispatcherFixture({ policy: { emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 2 }, { kind: 'all_in_grid', acceptWithinS: 2 }, { kind: 'console', acceptWithinS: 2 }] } } });
    try {
      const centre = await f.centre(); // wrists never come online: SMS is the only way to them
      const [li, wang] = centre.caregivers;
      const { alarm } = await pressAndOpen(f, centre);
      const first = await f.until(alarm.id, (d) => codes(d).includes('sms.outbox'));
      const sms = first.notifications.filter((n) => n.channel === 'sms');
      expect(sms).toHaveLength(1);
      expect(sms[0]).toMatchObject({ step: 1, status: 'outbox', target: li!.phone, providerSid: null, attempts: 0 });
      expect(sms[0]!.body).toContain(alarm.replyCode);
      expect(first.step).toBe(1); // an outbox SMS is not a failed one: no early escalation

      await f.clock.advance(1_999);
      expect((await f.alarm(alarm.id)).step).toBe(1);
      await f.clock.advance(1);
      const second = await f.until(alarm.id, (d) => d.step === 2 && rows(d, 'sms.outbox').length === 3);
      const step2 = rows(second, 'step.started').find((t) => t.detail.step === 2)!;
      expect(at(step2.at) - at(second.raisedAt)).toBe(2_000);
      const smsRows = second.notifications.filter((n) => n.channel === 'sms');
      expect(smsRows.filter((n) => n.step === 2).map((n) => n.target).sort()).toEqual([li!.phone, wang!.phone].sort());
      expect(smsRows.map((n) => n.status)).toEqual(['outbox', 'outbox', 'outbox']);
      expect(second.status).toBe('open');
    } finally {
      await f.close();
    }
  });

  it('Twilio rejects the only recipient\'s number (400, 21211): escalation moves on at once, without the clock moving', async () => {
    const f = await dispatcherFixture({ twilio: true, policy: { emergency: { steps: steps('next_in_grid', 'all_in_grid', 'console') } } });
    try {
      const centre = await f.centre();
      const [li, wang] = centre.caregivers;
      const fake = f.twilio!;
      fake.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
      const { alarm } = await pressAndOpen(f, centre);
      const messages = await fake.waitForMessages(2, 15_000); // step 2: everyone in the grid
      expect(messages.map((m) => m.to).sort()).toEqual([li!.phone, wang!.phone].sort());
      expect(fake.requests.map((r) => r.status)).toEqual([400, 201, 201]);

      const d = await f.until(alarm.id, (x) => x.step === 2 && x.notifications.filter((n) => n.channel === 'sms' && n.step === 2).every((n) => n.status === 'queued'));
      expect(d).toMatchObject({ status: 'open', stepKind: 'all_in_grid' });
      const step2 = rows(d, 'step.started').find((t) => t.detail.step === 2)!;
      expect(at(step2.at)).toBe(at(d.raisedAt)); // the step's deadline was 60 s: the clock never moved
      const failed = rows(d, 'notification.failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.detail).toMatchObject({ channel: 'sms', target: li!.phone, code: 21211, retryable: false });
      expect(codes(d).indexOf('notification.failed')).toBeLessThan(d.timeline.indexOf(step2));
      const first = d.notifications.find((n) => n.channel === 'sms' && n.step === 1)!;
      expect(first).toMatchObject({ status: 'failed', providerSid: null, target: li!.phone, attempts: 1 });
      expect(first.error).toMatch(/21211/);
    } finally {
      await f.close();
    }
  });
});
