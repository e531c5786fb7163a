import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../runtime/service.ts';
import { commandOf, connectDevice, press, provisionCentre } from './helpers/care-centre.ts';
import type { AlarmDetail as ContractAlarmDetail, Wire } from '../contract/alarm-view.ts';
import { startFakeTwilio, type FakeTwilio } from './helpers/fake-twilio.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { apiClient } from './helpers/api-client.ts';
import { startTestService } from './helpers/service-fixture.ts';
import { createPgDatabase, tempDir } from './helpers/test-db.ts';

/**
 * The SMS path end to end: the whole service (broker, dispatcher, console) with the real twilio
 * SDK talking to a local fake Twilio, which also calls the service's webhooks back, signed over
 * PUBLIC_URL the way Twilio signs them.
 */

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'sms-e2e-auth-token-0123456789abcdef';
const FROM = '+15005550006';
const PUBLIC_URL = 'https://care.example.test';
const FAMILY_PHONE = '+8613900000009';

// Long steps: anything that moves on before 15 s moved on for a reason other than the clock.
// Urgent alarms text the family first, so that step can be reached without waiting.
const TWILIO_POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 15 }, { kind: 'all_in_grid', acceptWithinS: 15 }, { kind: 'console', acceptWithinS: 15 }] },
  urgent: { steps: [{ kind: 'sms_family', acceptWithinS: 15 }, { kind: 'console', acceptWithinS: 15 }] },
});
// No provider. (Escalation timing with outbox SMS, and a rejected number moving on at once,
// are in dispatcher-timing.test.ts, on a manual clock.)
const OUTBOX_POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 600 }, { kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] },
});

type Api = ReturnType<typeof apiClient>;
type Centre = Awaited<ReturnType<typeof provisionCentre>>;
/** The alarm detail as the API answers it (the contract's type, dates as strings). */
type AlarmDetail = Wire<ContractAlarmDetail>;

async function startOn(kind: 'embedded' | 'postgres', env: Record<string, string>): Promise<{ service: RunningService; teardown: () => Promise<void> }> {
  if (kind === 'embedded') {
    const dir = tempDir();
    const service = await startTestService({ ...env, DATA_DIR: dir.path });
    return { service, teardown: async () => dir.remove() };
  }
  const pg = await createPgDatabase();
  const service = await startTestService({ ...env, DATABASE_URL: pg.url });
  return { service, teardown: pg.drop };
}

/** The console's view of one alarm, and small questions about it. */
function alarmsOf(api: Api) {
  const detail = async (id: string): Promise<AlarmDetail> => {
    const r = await api.call('GET', `/api/alarms/${id}`);
    if (r.status !== 200) throw new Error(`GET /api/alarms/${id}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as AlarmDetail;
  };
  /** The resident's active alarm, once it exists. */
  const activeOf = (residentId: string) =>
    waitFor(async () => {
      const list = (await api.call('GET', '/api/alarms?status=open')).body as AlarmDetail[];
      const a = list.find((x) => x.residentId === residentId);
      return a ? detail(a.id) : undefined;
    });
  /** Waits until the alarm's detail satisfies ok, and returns it. */
  const until = (id: string, ok: (d: AlarmDetail) => boolean, ms = 5_000) =>
    waitFor(async () => {
      const d = await detail(id);
      return ok(d) ? d : undefined;
    }, ms);
  /** Operators close whatever is still active, so one test's alarm cannot text during the next. */
  const closeAll = async () => {
    const list = (await api.call('GET', '/api/alarms?status=open')).body as AlarmDetail[];
    for (const a of list) await api.call('POST', `/api/alarms/${a.id}/cancel`, { note: 'test cleanup' });
  };
  return { detail, activeOf, until, closeAll };
}

const codes = (d: AlarmDetail) => d.timeline.map((t) => t.code);
const smsRows = (d: AlarmDetail) => d.notifications.filter((n) => n.channel === 'sms');

/** One more resident (with the same family contact) and a pendant, in the centre's grid. */
async function addResident(api: Api, centre: Centre, name: string) {
  const resident = await api.create('/api/residents', {
    name,
    areaId: centre.grid.id,
    address: '3 Willow Court',
    phone: '+8613800000001',
    notes: 'hard of hearing',
    contacts: [{ name: 'Huang Wei', phone: FAMILY_PHONE, relation: 'son' }],
  });
  const pendant = (await api.create('/api/devices', { kind: 'pendant', residentId: resident.id })) as { id: string; secret: string };
  return { resident: resident as { id: string }, pendant };
}

/**
 * A pass-through to the fake Twilio whose answers can be held back: a slow network between the
 * service and Twilio, so Twilio has a message (and may report on it) before the service knows.
 */
async function startSlowLink(target: string) {
  let gate: Promise<void> | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'accept', 'user-agent']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const up = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await up.arrayBuffer());
      await gate;
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Holds every answer from now until the returned function is called. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.each(['embedded', 'postgres'] as const)('SMS path end to end on %s (real twilio SDK, fake Twilio)', (kind) => {
  let fake: FakeTwilio;
  let link: Awaited<ReturnType<typeof startSlowLink>>;
  let service: RunningService;
  let teardown: (() => Promise<void>) | undefined;
  let api: Api;
  let alarms: ReturnType<typeof alarmsOf>;
  let centre: Centre;
  const clients: MqttClient[] = [];
  const track = <T extends MqttClient>(c: T) => (clients.push(c), c);

  beforeAll(async () => {
    fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    link = await startSlowLink(fake.url);
    ({ service, teardown } = await startOn(kind, {
      ALARM_POLICY: TWILIO_POLICY,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: FROM,
      TWILIO_API_URL: link.url,
      PUBLIC_URL,
    }));
    api = apiClient(service.httpUrl);
    await api.login();
    alarms = alarmsOf(api);
    // the caregivers' wearables are provisioned but never connect: SMS is the only way to them
    centre = await provisionCentre(api);
  });
  afterEach(async () => {
    await alarms?.closeAll();
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await service?.close();
    await teardown?.();
    await link?.close();
    await fake?.close();
  });

  /** An SMS from a phone to our number, as Twilio posts it (signed over PUBLIC_URL). */
  const reply = (from: string, body: string) =>
    fake.sendInboundSms({ webhookUrl: `${service.httpUrl}/twilio/sms`, signUrl: `${PUBLIC_URL}/twilio/sms`, from, to: FROM, body });

  /** The messages the fake accepted from here on. */
  const sentFrom = (before: number) => async (count: number, ms?: number) => (await fake.waitForMessages(before + count, ms)).slice(before);

  it('wrists offline: a press texts the first caregiver with the reply code; "<code>" and "<code> A" replies accept; strangers and latecomers do not', async () => {
    const [li, wang] = centre.caregivers;
    const pendant = track(await connectDevice(service.mqttUrl, centre.pendant));
    const sent = sentFrom(fake.messages.length);

    await press(pendant, centre.pendant.id);
    const [sms] = await sent(1);
    const alarm = await alarms.activeOf(centre.resident.id);
    expect(alarm.replyCode).toMatch(/^\d{4}$/);
    expect(sms).toMatchObject({ to: li!.phone, from: FROM, statusCallback: `${PUBLIC_URL}/twilio/status`, numSegments: 1 });
    expect([...sms!.body].length).toBeLessThanOrEqual(160);
    expect(sms!.body).toMatch(/^[\x20-\x7e]+$/); // plain text: with numSegments 1 and ~100 characters, GSM-7 (UCS-2 would take 2)
    expect(sms!.body).toContain(`Reply ${alarm.replyCode} to accept`);
    expect(sms!.body).toContain('Huang Xueying');
    expect(sms!.body).toContain('12 Jade Lane');

    const row = (await alarms.until(alarm.id, (d) => smsRows(d).some((n) => n.providerSid !== null))).notifications.find((n) => n.channel === 'sms')!;
    expect(row).toMatchObject({ step: 1, audience: 'caregiver', caregiverId: li!.id, recipientName: 'Li Na', target: li!.phone, status: 'queued', providerSid: sms!.sid, attempts: 1, error: null });
    expect(row.body).toBe(sms!.body);

    // a number nobody registered: answered politely, accepts nothing
    const stranger = await reply('+8613712345678', alarm.replyCode);
    expect(stranger.status).toBe(200);
    expect(stranger.body).toMatch(/^<\?xml[^>]*\?><Response><Message>This number is not registered/);
    expect((await alarms.detail(alarm.id)).status).toBe('open');

    const helpComing = commandOf(pendant, centre.pendant.id);
    const accepted = await reply(li!.phone, alarm.replyCode);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toContain('<Response><Message>Accepted: please go to Huang Xueying at 12 Jade Lane.</Message></Response>');
    expect(await helpComing).toMatchObject({ type: 'alarm.accepted', alarmId: alarm.id, by: 'Li Na' });

    const after = await alarms.detail(alarm.id);
    expect(after).toMatchObject({ status: 'accepted', acceptedBy: li!.id, acceptedByName: 'Li Na' });
    // the stranger's reply never reaches the alarm (sms-reply-security.test.ts)
    const replies = after.timeline.filter((t) => t.code === 'sms.reply');
    expect(replies.map((t) => [t.actorKind, t.actorName, t.detail.from])).toEqual([['caregiver', 'Li Na', li!.phone]]);
    const acceptedRow = after.timeline.find((t) => t.code === 'alarm.accepted')!;
    expect(acceptedRow).toMatchObject({ actorKind: 'caregiver', actorId: li!.id, actorName: 'Li Na', detail: { via: 'sms' } });
    expect(codes(after).indexOf('alarm.accepted')).toBeGreaterThan(codes(after).lastIndexOf('sms.reply'));

    // Wang Fang answers too late: told it is taken, and nothing moves
    const late = await reply(wang!.phone, alarm.replyCode);
    expect(late.status).toBe(200);
    expect(late.body).toContain(`Alarm ${alarm.replyCode} is already taken by Li Na`);
    expect(await alarms.detail(alarm.id)).toMatchObject({ status: 'accepted', acceptedBy: li!.id, acceptedByName: 'Li Na' });

    // Li Na resolves it; the next press is a new alarm with its own code, accepted by "<code> A"
    const resolved = commandOf(pendant, centre.pendant.id);
    expect((await api.call('POST', `/api/alarms/${alarm.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
    await resolved;
    await press(pendant, centre.pendant.id);
    const [, second] = await sent(2);
    const alarm2 = await alarms.activeOf(centre.resident.id);
    expect(alarm2.id).not.toBe(alarm.id);
    expect(second).toMatchObject({ to: li!.phone }); // free again after resolving: first in line once more
    expect(second!.body).toContain(`Reply ${alarm2.replyCode} to accept`);

    const helpComing2 = commandOf(pendant, centre.pendant.id);
    const accepted2 = await reply(li!.phone, `${alarm2.replyCode} A`);
    expect(accepted2.body).toContain('<Message>Accepted');
    expect(await helpComing2).toMatchObject({ type: 'alarm.accepted', alarmId: alarm2.id, by: 'Li Na' });
    expect(await alarms.detail(alarm2.id)).toMatchObject({ status: 'accepted', acceptedBy: li!.id, acceptedByName: 'Li Na' });
  });

  // The rest does not depend on the database: once, on the default one.
  if (kind !== 'embedded') return;

  it('a webhook with a bad, missing or stale signature is refused with 403 and a JSON error; nothing changes', async () => {
    const [li] = centre.caregivers;
    const { resident, pendant: dev } = await addResident(api, centre, 'Chen Guiying');
    const pendant = track(await connectDevice(service.mqttUrl, dev));
    const sent = sentFrom(fake.messages.length);
    await press(pendant, dev.id);
    const [sms] = await sent(1);
    const alarm = await alarms.activeOf(resident.id);
    await alarms.until(alarm.id, (d) => smsRows(d)[0]?.status === 'queued');

    const expectRefused = (r: { status: number; body: string }) => {
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ error: expect.stringMatching(/signature/i), code: 'forbidden' });
    };
    // signed for another URL (what a service that ignored PUBLIC_URL would check)
    expectRefused(await fake.sendInboundSms({ webhookUrl: `${service.httpUrl}/twilio/sms`, from: li!.phone, to: FROM, body: alarm.replyCode }));
    // no signature at all, and a made-up one
    const form = new URLSearchParams({ From: li!.phone, To: FROM, Body: alarm.replyCode, MessageSid: 'SM0', AccountSid: ACCOUNT_SID }).toString();
    const post = async (headers: Record<string, string>, body = form) => {
      const res = await fetch(`${service.httpUrl}/twilio/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
      return { status: res.status, body: await res.text() };
    };
    expectRefused(await post({}));
    expectRefused(await post({ 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }));
    // a real signature over other fields (someone changed who it is from)
    const signed = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/sms`, { From: '+8613712345678', To: FROM, Body: alarm.replyCode, MessageSid: 'SM0', AccountSid: ACCOUNT_SID });
    expectRefused(await post({ 'x-twilio-signature': signed }));
    // a delivery report signed with another account's token
    const forged = await fetch(`${service.httpUrl}/twilio/status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature('someone-elses-token', `${PUBLIC_URL}/twilio/status`, { MessageSid: sms!.sid, MessageStatus: 'failed' }),
      },
      body: new URLSearchParams({ MessageSid: sms!.sid, MessageStatus: 'failed' }).toString(),
    });
    expectRefused({ status: forged.status, body: await forged.text() });

    const d = await alarms.detail(alarm.id);
    expect(d).toMatchObject({ status: 'open', acceptedBy: null });
    expect(codes(d)).not.toContain('sms.reply');
    expect(codes(d)).not.toContain('notification.failed');
    expect(smsRows(d)[0]).toMatchObject({ providerSid: sms!.sid, status: 'queued', error: null });
  });

  it('delivery reports: "delivered" is recorded with a timeline row; a late "sent" does not move it back', async () => {
    const { resident, pendant: dev } = await addResident(api, centre, 'Sun Meili');
    const pendant = track(await connectDevice(service.mqttUrl, dev));
    const sent = sentFrom(fake.messages.length);
    await press(pendant, dev.id);
    const [sms] = await sent(1);
    expect(sms!.statusCallback).toBe(`${PUBLIC_URL}/twilio/status`);
    const alarm = await alarms.activeOf(resident.id);
    await alarms.until(alarm.id, (d) => smsRows(d)[0]?.providerSid === sms!.sid);

    // signed over the StatusCallback Twilio was given, posted to where the service really listens
    const report = (status: string) => fake.sendStatusCallback(sms!.sid, status, { postUrl: `${service.httpUrl}/twilio/status` });
    expect((await report('delivered')).status).toBe(204);
    const d = await alarms.detail(alarm.id);
    expect(smsRows(d)[0]).toMatchObject({ status: 'delivered', providerSid: sms!.sid });
    const rows = d.timeline.filter((t) => t.code === 'notification.delivered');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.detail).toMatchObject({ notificationId: smsRows(d)[0]!.id, channel: 'sms', target: sms!.to });

    expect((await report('sent')).status).toBe(204);
    expect((await report('delivered')).status).toBe(204); // a resent report: no second row
    const d2 = await alarms.detail(alarm.id);
    expect(smsRows(d2)[0]!.status).toBe('delivered');
    expect(d2.timeline.filter((t) => t.code === 'notification.delivered')).toHaveLength(1);
    expect(d2.status).toBe('open');
  });

  it('a delivery report that overtakes the send\'s own answer is not lost', async () => {
    const { resident, pendant: dev } = await addResident(api, centre, 'Guo Xiuying');
    const pendant = track(await connectDevice(service.mqttUrl, dev));
    const sent = sentFrom(fake.messages.length);
    const release = link.hold(); // Twilio's 201 is slow to come back to the service
    try {
      await press(pendant, dev.id);
      const [sms] = await sent(1);
      const report = fake.sendStatusCallback(sms!.sid, 'delivered', { postUrl: `${service.httpUrl}/twilio/status` });
      await sleep(300);
      const alarm = await alarms.activeOf(resident.id);
      expect(smsRows(await alarms.detail(alarm.id))[0]).toMatchObject({ providerSid: null, status: 'pending' }); // the service does not know the SID yet
      release();
      expect((await report).status).toBe(204);
      const d = await alarms.detail(alarm.id);
      expect(smsRows(d)[0]).toMatchObject({ providerSid: sms!.sid, status: 'delivered' });
      expect(d.timeline.filter((t) => t.code === 'notification.delivered')).toHaveLength(1);
    } finally {
      release();
    }
  });

  it('provider outages (HTTP 500 twice) are retried until the SMS goes out; the attempts are recorded', async () => {
    const [li] = centre.caregivers;
    const { resident, pendant: dev } = await addResident(api, centre, 'Wu Xiaoyan');
    const pendant = track(await connectDevice(service.mqttUrl, dev));
    const sent = sentFrom(fake.messages.length);
    const requests = fake.requests.length;
    fake.failNext(2, { status: 500 });

    await press(pendant, dev.id);
    const [sms] = await sent(1, 8_000);
    expect(sms).toMatchObject({ to: li!.phone });
    expect(fake.requests.slice(requests).map((r) => r.status)).toEqual([500, 500, 201]);

    const alarm = await alarms.activeOf(resident.id);
    const d = await alarms.until(alarm.id, (x) => smsRows(x)[0]?.status === 'queued');
    expect(smsRows(d)[0]).toMatchObject({ providerSid: sms!.sid, error: null });
    expect(smsRows(d)[0]!.attempts).toBeGreaterThanOrEqual(3);
    // a transient failure is not a reason to give up on the step
    expect(d).toMatchObject({ status: 'open', step: 1 });
    expect(codes(d)).not.toContain('notification.failed');
  });

  it('the sms_family step texts the family contact, whose reply accepts the alarm as the contact', async () => {
    const { resident } = await addResident(api, centre, 'Ma Yufen');
    const sensor = (await api.create('/api/devices', { kind: 'temperature_sensor', residentId: resident.id })) as { id: string; secret: string };
    const client = track(await connectDevice(service.mqttUrl, sensor));
    const sent = sentFrom(fake.messages.length);

    await press(client, sensor.id, 'temperature', { celsius: 41 }); // extreme heat: urgent
    const [sms] = await sent(1);
    const alarm = await alarms.activeOf(resident.id);
    expect(alarm).toMatchObject({ priority: 'urgent', stepKind: 'sms_family' });
    expect(sms!.to).toBe(FAMILY_PHONE);
    expect(sms!.numSegments).toBe(1);
    expect(sms!.body).toContain('Ma Yufen');
    expect(sms!.body).toContain(`Reply ${alarm.replyCode}`);
    const row = (await alarms.until(alarm.id, (d) => smsRows(d)[0]?.status === 'queued')).notifications.find((n) => n.channel === 'sms')!;
    expect(row).toMatchObject({ audience: 'family', caregiverId: null, recipientName: 'Huang Wei', target: FAMILY_PHONE, providerSid: sms!.sid });

    const helpComing = commandOf(client, sensor.id);
    const r = await reply(FAMILY_PHONE, alarm.replyCode);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<Message>Accepted');
    expect(await helpComing).toMatchObject({ type: 'alarm.accepted', alarmId: alarm.id, by: 'Huang Wei' });
    const d = await alarms.detail(alarm.id);
    expect(d).toMatchObject({ status: 'accepted', acceptedBy: null, acceptedByName: 'Huang Wei' });
    expect(d.timeline.find((t) => t.code === 'sms.reply')).toMatchObject({ actorKind: 'contact', actorName: 'Huang Wei', detail: { from: FAMILY_PHONE } });
    expect(d.timeline.find((t) => t.code === 'alarm.accepted')).toMatchObject({ actorKind: 'contact', actorName: 'Huang Wei', detail: { via: 'sms' } });
  });
});

describe('SMS without a provider (no TWILIO_* set)', () => {
  let service: RunningService;
  let teardown: (() => Promise<void>) | undefined;
  let api: Api;
  let pendant: MqttClient | undefined;

  beforeAll(async () => {
    ({ service, teardown } = await startOn('embedded', { ALARM_POLICY: OUTBOX_POLICY, PUBLIC_URL }));
    api = apiClient(service.httpUrl);
    await api.login();
  });
  afterAll(async () => {
    pendant?.end(true);
    await service?.close();
    await teardown?.();
  });

  it('SMS land in the outbox and the webhooks answer 404', async () => {
    const alarms = alarmsOf(api);
    const centre = await provisionCentre(api);
    const [li] = centre.caregivers;
    pendant = await connectDevice(service.mqttUrl, centre.pendant);
    await press(pendant, centre.pendant.id);
    const alarm = await alarms.activeOf(centre.resident.id);

    const first = await alarms.until(alarm.id, (d) => codes(d).includes('sms.outbox'));
    expect(smsRows(first)).toHaveLength(1);
    expect(smsRows(first)[0]).toMatchObject({ step: 1, status: 'outbox', target: li!.phone, providerSid: null, attempts: 0 });
    expect(smsRows(first)[0]!.body).toContain(alarm.replyCode);
    expect(first.timeline.find((t) => t.code === 'sms.outbox')).toMatchObject({ detail: { channel: 'sms', target: li!.phone } });
    expect(first.step).toBe(1); // an outbox SMS is not a failed one: no early escalation

    for (const path of ['/twilio/sms', '/twilio/status']) {
      const res = await fetch(`${service.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
        body: new URLSearchParams({ From: li!.phone, Body: alarm.replyCode }).toString(),
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: expect.any(String), code: 'not_found' });
    }
    expect((await alarms.detail(alarm.id)).status).toBe('open');
    const health = (await api.call('GET', '/healthz')).body;
    expect(JSON.stringify(health)).toContain('outbox');
    await alarms.closeAll();
  });
});
