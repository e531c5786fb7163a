import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatcherFixture, rows, type AlarmDetail, type DispatcherFixture } from './helpers/dispatcher-fixture.ts';
import { waitFor } from './helpers/gateway-harness.ts';

/**
 * Safety first, bookkeeping second: with the database away (a cut connection, or a blackhole
 * that answers nothing), the dispatcher goes on deciding from what it holds: steps at their
 * deadlines, SMS for offline wrists, accepts stamped when received and the resident told at
 * once. When the database is back, everything is written in order, exactly once. PostgreSQL
 * behind a TCP proxy; the clock is manual, so step times are exact however busy the machine.
 */

const S = 60;
const steps = (...kinds: string[]) => kinds.map((kind) => ({ kind, acceptWithinS: S }));
const POLICY = { emergency: { steps: steps('next_in_grid', 'all_in_grid', 'console') } };
const startedSteps = (d: AlarmDetail) => rows(d, 'step.started').map((r) => r.detail.step as number);

async function openAlarm(f: DispatcherFixture, centre: Awaited<ReturnType<DispatcherFixture['centre']>>) {
  await f.event(centre.pendant, centre.resident.id, 'button.pressed', {});
  const list = (await f.api.get('/api/alarms?status=open')).body as Array<{ id: string; residentId: string }>;
  return f.alarm(list.find((a) => a.residentId === centre.resident.id)!.id);
}

/** A fixture on PostgreSQL behind a proxy, for one describe block (SMS through the fake Twilio). */
function awayFixture(): () => DispatcherFixture {
  let f: DispatcherFixture | undefined;
  beforeAll(async () => {
    f = await dispatcherFixture({ db: 'postgres', proxy: true, twilio: true, policy: POLICY, env: { CANCEL_WINDOW_S: '0', DB_DEADLINE_MS: '400' } });
  });
  afterAll(async () => {
    f?.proxy?.restore();
    await f?.close();
  });
  return () => f!;
}

describe('escalation while the database is away (PostgreSQL behind a proxy, manual clock)', () => {
  const fixture = awayFixture();

  it('cut: step 2 at its deadline with SMS for the offline wrist; an accept stamped when received, the resident told at once; written once when back', async () => {
    const f = fixture();
    const centre = await f.centre({ caregivers: 3 });
    const [li, wang, zhao] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id); // Zhao's wrist is off: step 2 texts him
    const t0 = f.clock.now().getTime();
    const alarm = await openAlarm(f, centre);
    expect(alarm).toMatchObject({ status: 'open', step: 1 });

    f.proxy!.cut();
    await f.clock.advance(S * 1000);
    const second = await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === alarm.id && s.message.type === 'alarm.alert');
    expect(second.message).toMatchObject({ step: 2 });
    expect(second.at.getTime()).toBe(t0 + S * 1000);
    const sms = await waitFor(async () => f.twilio!.messages.find((m) => m.to === zhao!.phone));
    expect(sms.body).toContain(alarm.replyCode);
    expect(f.dispatcher.deciding).toBe('memory');

    await f.clock.advance(4_000);
    const received = f.clock.now();
    await f.ack(wang!.wearable.id, alarm.id, 'accept');
    const told = f.to(centre.pendant.id).find((s) => s.message.type === 'alarm.accepted' && s.message.alarmId === alarm.id);
    expect(told?.at.getTime()).toBe(received.getTime()); // "help is coming" did not wait for the database
    expect(f.to(li!.wearable.id, 'alarm.taken').some((s) => s.message.alarmId === alarm.id)).toBe(true);

    // the accept stopped the escalation in memory too: step 3's deadline passes with nothing
    await f.clock.advance(S * 1000);

    f.proxy!.restore();
    await waitFor(async () => f.dispatcher.queuedWrites === 0 && f.dispatcher.deciding === 'database', 30_000);
    const d = await f.until(alarm.id, (x) => x.status === 'accepted');
    expect(d.acceptedBy).toBe(wang!.id);
    expect(Date.parse(d.acceptedAt)).toBe(received.getTime());
    expect(startedSteps(d)).toEqual([1, 2]); // each step once
    const accepted = rows(d, 'alarm.accepted');
    expect(accepted).toHaveLength(1);
    expect(Date.parse(accepted[0]!.at)).toBe(received.getTime());
    expect(accepted[0]!.detail.seconds).toBe(S + 4);
    expect(Date.parse(rows(d, 'step.started')[1]!.at)).toBe(t0 + S * 1000);
    // step 2's notifications are on record once each, the SMS with its provider id
    const step2 = d.notifications.filter((n) => n.step === 2);
    expect(step2.map((n) => `${n.channel}:${n.recipientName}`).sort()).toEqual(['sms:Zhao Lei', 'wearable:Li Na', 'wearable:Wang Fang', 'wearable:Zhao Lei']); // an offline wrist: its session queues the alert, and an SMS goes too
    const zhaoSms = step2.find((n) => n.channel === 'sms')!;
    await waitFor(async () => (await f.alarm(alarm.id)).notifications.find((n) => n.id === zhaoSms.id)?.providerSid === sms.sid);
  });

  it('blackhole: a step due while the database answers nothing goes out within DB_DEADLINE_MS, and is written once when it is back', async () => {
    const f = fixture();
    const centre = await f.centre({ caregivers: 2 });
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id, wang!.wearable.id);
    const t0 = f.clock.now().getTime();
    const alarm = await openAlarm(f, centre);

    f.proxy!.hold();
    const before = performance.now();
    await f.clock.advance(S * 1000);
    const second = await f.sentWhere((s) => s.id === wang!.wearable.id && s.message.alarmId === alarm.id && s.message.type === 'alarm.alert');
    const lateMs = performance.now() - before;
    expect(second.at.getTime()).toBeGreaterThanOrEqual(t0 + S * 1000);
    // the decision waited for the database at most its deadline (400 ms), plus a busy machine's slack
    expect(lateMs).toBeLessThan(10_000);
    expect(f.dispatcher.deciding).toBe('memory');

    // the next step while still away is decided at its deadline, from memory
    await f.clock.advance(S * 1000);

    f.proxy!.restore();
    await waitFor(async () => f.dispatcher.queuedWrites === 0 && f.dispatcher.deciding === 'database', 60_000);
    const d = await f.until(alarm.id, (x) => x.step === 3);
    expect(startedSteps(d)).toEqual([1, 2, 3]);
    expect(Date.parse(rows(d, 'step.started')[2]!.at)).toBe(t0 + 2 * S * 1000);
    expect(rows(d, 'console.called')).toHaveLength(1);
  });
});

describe('SMS replies while the database is away (PostgreSQL behind a proxy, manual clock)', () => {
  const fixture = awayFixture();

  it('a texted caregiver accepts by SMS; a stranger and an untexted caregiver elsewhere learn nothing; a replay changes nothing; all written once back', async () => {
    const f = fixture();
    const centre = await f.centre({ caregivers: 3 });
    const [li, , zhao] = centre.caregivers;
    // another community's caregiver, on duty there now
    const far = await f.centre({ caregivers: 0 });
    const zhou = await f.api.create('/api/caregivers', { name: 'Zhou Min', phone: '+8613700000099', areaIds: [far.grid.id], role: 'caregiver' });
    const now = f.clock.now().getTime();
    await f.api.create('/api/shifts', { caregiverId: zhou.id, start: new Date(now - 3600_000).toISOString(), end: new Date(now + 8 * 3600_000).toISOString() });
    await f.dispatcher.refreshDirectory();
    await f.online(li!.wearable.id); // Wang and Zhao are texted at step 2
    const alarm = await openAlarm(f, centre);

    f.proxy!.cut();
    await f.clock.advance(S * 1000);
    await waitFor(async () => f.twilio!.messages.find((m) => m.to === zhao!.phone && m.body.includes(alarm.replyCode)));
    expect(f.dispatcher.deciding).toBe('memory');

    const code = alarm.replyCode;
    expect(await f.dispatcher.smsReply({ from: '+15550001111', text: code, messageSid: 'SM-away-stranger' })).toEqual({ kind: 'not_registered' });
    expect(await f.dispatcher.smsReply({ from: '+8613700000099', text: code, messageSid: 'SM-away-zhou' })).toEqual({ kind: 'no_alarm', code });
    const received = f.clock.now();
    const accepted = await f.dispatcher.smsReply({ from: zhao!.phone, text: `${code} A`, messageSid: 'SM-away-zhao' });
    expect(accepted).toEqual({ kind: 'accepted', resident: 'Huang Xueying', address: '12 Jade Lane' });
    expect(await f.dispatcher.smsReply({ from: zhao!.phone, text: `${code} A`, messageSid: 'SM-away-zhao' })).toEqual(accepted); // a replay
    expect(f.to(centre.pendant.id).some((s) => s.message.type === 'alarm.accepted' && s.message.by === 'Zhao Lei')).toBe(true);

    f.proxy!.restore();
    await waitFor(async () => f.dispatcher.queuedWrites === 0 && f.dispatcher.deciding === 'database', 30_000);
    const d = await f.until(alarm.id, (x) => x.status === 'accepted');
    expect(d.acceptedBy).toBe(zhao!.id);
    expect(Date.parse(d.acceptedAt)).toBe(received.getTime());
    expect(rows(d, 'alarm.accepted').map((r) => r.detail.via)).toEqual(['sms']);
    expect(rows(d, 'sms.reply').map((r) => r.actorName)).toEqual(['Zhao Lei']); // nothing from the others, once
  });
});
