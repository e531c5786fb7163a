import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock.ts';
import type { ReceivedEvent } from '../contract/received.ts';
import { startService, type RunningService } from '../runtime/service.ts';
import { apiClient, type ApiClient } from './helpers/api-client.ts';
import { testConfig } from './helpers/service-fixture.ts';
import { provisionCentre, type TimelineRow } from './helpers/care-centre.ts';
import { startFakeTwilio, type FakeTwilio } from './helpers/fake-twilio.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { createPgDatabase, migratedEmbeddedDir } from './helpers/test-db.ts';

/**
 * Who may answer an alarm's SMS code. The whole service (real twilio SDK → local fake Twilio,
 * webhooks signed over PUBLIC_URL as Twilio signs them) on a ManualClock, with its log lines
 * kept: codes are guessed from a stranger's phone and from another community's caregiver, a
 * signed request is replayed, a texted family contact and an on-duty caregiver accept.
 */

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'sms-security-auth-token-0123456789ab';
const FROM = '+15005550006';
const PUBLIC_URL = 'https://care.example.test';
const FAMILY_PHONE = '+8613900000009'; // Huang Xueying's son (care-centre.ts)
const STRANGER = '+8613712345678';
const OTHER_COMMUNITY = '+8613700000099'; // Zhou Min, on duty in another community's grid
const OFF_DUTY = '+8613700000077'; // Sun Li, this grid, shift over

// Long steps: nothing escalates unless a test moves the clock that far.
const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 600 }, { kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] },
  urgent: { steps: [{ kind: 'sms_family', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] },
});

type Centre = Awaited<ReturnType<typeof provisionCentre>>;
type Row = { channel: string; target: string | null; audience: string; body: string | null };
type Detail = { id: string; status: string; replyCode: string; acceptedBy: string | null; acceptedByName: string | null; timeline: TimelineRow[]; notifications: Row[] };

const NO_ALARM = (code: string) => `<Response><Message>No open alarm has code ${code}; it may be closed already.</Message></Response>`;
const TOO_MANY = '<Response><Message>Too many attempts with wrong codes. Please call the care centre.</Message></Response>';
const sig = (d: Detail, code: string) => d.timeline.filter((t) => t.code === code);

describe.each(['embedded', 'postgres'] as const)('SMS reply codes on %s: only the numbers an alarm concerns may answer it', (kind) => {
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const logs: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  let fake: FakeTwilio;
  let dbEnv: Record<string, string>;
  let dropDb: () => Promise<void>;
  let service: RunningService;
  let api: ApiClient;
  let centre: Centre;
  let seq = 0;

  const start = async () => {
    const twilio = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: FROM, TWILIO_API_URL: fake.url, PUBLIC_URL };
    service = await startService(testConfig({ ...twilio, ALARM_POLICY: POLICY, ...dbEnv }), logger, clock);
    api = apiClient(service.httpUrl);
    await api.login();
  };

  beforeAll(async () => {
    fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    if (kind === 'embedded') {
      const dir = await migratedEmbeddedDir('homecare-sms-security-');
      dbEnv = { DATA_DIR: dir.path };
      dropDb = async () => dir.remove();
    } else {
      const pg = await createPgDatabase();
      dbEnv = { DATABASE_URL: pg.url };
      dropDb = pg.drop;
    }
    await start();
    // Huang Xueying's grid: Li Na, Wang Fang, Zhao Lei on duty (wrists offline: SMS), Sun Li off duty
    centre = await provisionCentre(api, { now: clock.now(), caregivers: 3 });
    const hour = 3600_000;
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const sun = await api.create('/api/caregivers', { name: 'Sun Li', phone: OFF_DUTY, areaIds: [centre.grid.id], role: 'caregiver' });
    await api.create('/api/shifts', { caregiverId: sun.id, start: at(-9 * hour), end: at(-hour) });
    // another community, with its own caregiver on duty now
    const district = await api.create('/api/areas', { name: 'Dongcheng', kind: 'district', parentId: null });
    const street = await api.create('/api/areas', { name: 'Bell St', kind: 'street', parentId: district.id });
    const community = await api.create('/api/areas', { name: 'Pine Court', kind: 'community', parentId: street.id });
    const grid = await api.create('/api/areas', { name: 'Pine Grid 1', kind: 'grid', parentId: community.id });
    const zhou = await api.create('/api/caregivers', { name: 'Zhou Min', phone: OTHER_COMMUNITY, areaIds: [grid.id], role: 'caregiver' });
    await api.create('/api/shifts', { caregiverId: zhou.id, start: at(-hour), end: at(8 * hour) });
    await service.dispatcher.refreshDirectory();
  });
  afterEach(async () => {
    // operators close what is still active, so one test's alarm cannot answer in the next
    const open = (await api.get('/api/alarms?status=open')).body as Detail[];
    for (const a of open) await api.post(`/api/alarms/${a.id}/cancel`, { note: 'test cleanup' });
  });
  afterAll(async () => {
    await service?.close();
    await dropDb?.();
    await fake?.close();
  });

  /** An SMS to our number, as Twilio posts it (signed over PUBLIC_URL); `sid` replays a MessageSid. */
  const reply = (from: string, body: string, sid?: string) =>
    fake.sendInboundSms({
      webhookUrl: `${service.httpUrl}/twilio/sms`,
      signUrl: `${PUBLIC_URL}/twilio/sms`,
      from,
      to: FROM,
      body,
      ...(sid && { extra: { MessageSid: sid, SmsSid: sid, SmsMessageSid: sid } }),
    });
  const detail = async (id: string) => (await api.get(`/api/alarms/${id}`)).body as Detail;

  /** The resident's event, as the gateway hands it over; resolves with the alarm and its first SMS. */
  const raise = async (type = 'button.pressed', data: Record<string, unknown> = {}) => {
    const before = fake.messages.length;
    const n = ++seq;
    const e: ReceivedEvent = {
      device: { deviceId: centre.pendant.id, kind: 'pendant', residentId: centre.resident.id },
      event: { id: `sec-${n}`, type, ts: clock.now().toISOString(), data } as ReceivedEvent['event'],
      fingerprint: `fp-sec-${n}`,
      receivedAt: clock.now(),
    };
    await service.dispatcher.handleEvent(e);
    const [sms] = (await fake.waitForMessages(before + 1, 15_000)).slice(before);
    const alarm = await waitFor(async () => {
      const list = (await api.get('/api/alarms?status=open')).body as Detail[];
      const a = list.find((x) => x.status === 'open');
      return a && detail(a.id);
    }, 15_000);
    return { alarm, sms: sms! };
  };

  const refused = async (reason: string) => {
    const text = (await api.get('/metrics')).text;
    const m = new RegExp(`^homecare_sms_reply_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  /** Codes that are not `code` (nor any alarm's: only one is active at a time here). */
  const otherCodes = (code: string, n: number) => Array.from({ length: n + 1 }, (_, i) => String(1000 + i)).filter((c) => c !== code).slice(0, n);

  it('a stranger gets one answer for an active, an inactive and a wrong code, and the alarm hears nothing of it', async () => {
    const { alarm: closed } = await raise();
    await api.post(`/api/alarms/${closed.id}/cancel`, { note: 'false alarm' });
    let { alarm } = await raise();
    while (alarm.replyCode === closed.replyCode) {
      // a closed alarm's code may come round again (1 in 9,000): another, for an inactive code
      await api.post(`/api/alarms/${alarm.id}/cancel`, { note: 'same code' });
      ({ alarm } = await raise());
    }
    const [wrong] = otherCodes(alarm.replyCode, 2).filter((c) => c !== closed.replyCode);

    const answers = [];
    for (const body of [alarm.replyCode, closed.replyCode, wrong!, `${alarm.replyCode} A`, 'yes I go']) answers.push(await reply(STRANGER, body));
    for (const a of answers) expect({ status: a.status, body: a.body }).toEqual({ status: 200, body: answers[0]!.body });
    expect(answers[0]!.body).toContain('<Message>This number is not registered for alarms. Please call the care centre.</Message>');

    const d = await detail(alarm.id);
    expect(d).toMatchObject({ status: 'open', acceptedBy: null });
    expect(sig(d, 'sms.reply')).toEqual([]);
  });

  it("another community's caregiver guessing codes never accepts, is stopped after 5 wrong codes (across a restart), and is logged and counted", async () => {
    const { alarm } = await raise();
    const code = alarm.replyCode;
    const wrongBefore = await refused('wrong_code');
    const limitedBefore = await refused('too_many_attempts');
    const logsBefore = logs.length;

    // the real code third: answered exactly as the codes that match nothing
    const [a, b, c, d2] = otherCodes(code, 4);
    const first = [a!, b!, code, c!, d2!];
    for (const guess of first) {
      const r = await reply(OTHER_COMMUNITY, guess);
      expect(r.status).toBe(200);
      expect(r.body).toContain(NO_ALARM(guess));
    }
    // the limit: every further reply refused unread, the real code included
    for (const guess of [...otherCodes(code, 10), code, 'hello']) {
      const r = await reply(OTHER_COMMUNITY, guess);
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: expect.stringContaining(TOO_MANY) });
    }
    expect(await refused('wrong_code')).toBe(wrongBefore + 5);
    expect(await refused('too_many_attempts')).toBe(limitedBefore + 12);
    const warned = logs.slice(logsBefore).filter((l) => l.level === 40);
    expect(warned.filter((l) => l.msg === 'SMS reply names no alarm this number may answer').map((l) => [l.phone, l.wrongCodes])).toEqual([
      ['…0099', 1],
      ['…0099', 2],
      ['…0099', 3],
      ['…0099', 4],
      ['…0099', 5],
    ]);
    expect(warned.filter((l) => /too many wrong SMS reply codes/.test(l.msg)).map((l) => l.phone)).toEqual(['…0099']);
    expect(JSON.stringify(logs)).not.toContain('13700000099'); // personal data: the last 4 digits only

    // kept in the database: a restart does not forget
    await service.close();
    await start();
    expect((await reply(OTHER_COMMUNITY, code)).body).toContain(TOO_MANY);

    // the window passes: the number's codes are read again (and still cannot take this alarm)
    await clock.advance(15 * 60_000 + 1000);
    expect((await reply(OTHER_COMMUNITY, code)).body).toContain(NO_ALARM(code));
    const after = await detail(alarm.id);
    expect(after.status).toBe('open');
    expect(sig(after, 'sms.reply')).toEqual([]);
    expect(sig(after, 'alarm.accepted')).toEqual([]);

    // someone texted for it is not held back by another number's guessing
    const li = centre.caregivers[0]!;
    expect((await reply(li.phone, code)).body).toContain('<Message>Accepted: please go to Huang Xueying at 12 Jade Lane.</Message>');
    expect(await detail(alarm.id)).toMatchObject({ status: 'accepted', acceptedBy: li.id });
  });

  // The rest does not depend on the database: once, on the default one.
  if (kind !== 'embedded') return;

  it('a replayed signed request (same MessageSid) gets the same answer and changes nothing', async () => {
    const [li, wang] = centre.caregivers;
    const { alarm, sms } = await raise();
    expect(sms.to).toBe(li!.phone);
    const sid = `SM${'5'.repeat(32)}`;
    // Twilio retrying while the first delivery is still being answered, and later again
    const [one, two] = await Promise.all([reply(li!.phone, alarm.replyCode, sid), reply(li!.phone, alarm.replyCode, sid)]);
    const three = await reply(li!.phone, alarm.replyCode, sid);
    expect(one.body).toContain('<Message>Accepted: please go to Huang Xueying at 12 Jade Lane.</Message>');
    expect([two.body, three.body]).toEqual([one.body, one.body]);
    const d = await detail(alarm.id);
    expect(d).toMatchObject({ status: 'accepted', acceptedBy: li!.id });
    expect(sig(d, 'sms.reply').map((t) => [t.actorName, t.detail.messageSid])).toEqual([['Li Na', sid]]);
    expect(sig(d, 'alarm.accepted')).toHaveLength(1);

    // a wrong code replayed counts once
    const wrongBefore = await refused('wrong_code');
    const [wrong] = otherCodes(alarm.replyCode, 1);
    const wsid = `SM${'6'.repeat(32)}`;
    const w1 = await reply(wang!.phone, wrong!, wsid);
    const w2 = await reply(wang!.phone, wrong!, wsid);
    expect(w2.body).toBe(w1.body);
    expect(w1.body).toContain(NO_ALARM(wrong!));
    expect(await refused('wrong_code')).toBe(wrongBefore + 1);
  });

  it('a family contact the escalation texted (without the key-safe code) accepts; one it did not text cannot', async () => {
    // an emergency: caregivers are texted, with the notes; the family is not (yet)
    const { alarm: emergency, sms: toCaregiver } = await raise();
    expect(toCaregiver.body).toContain('key safe 4711');
    expect((await reply(FAMILY_PHONE, emergency.replyCode)).body).toContain(NO_ALARM(emergency.replyCode));
    const e = await detail(emergency.id);
    expect(e).toMatchObject({ status: 'open', acceptedBy: null });
    expect(sig(e, 'sms.reply')).toEqual([]);
    await api.post(`/api/alarms/${emergency.id}/cancel`, { note: 'next case' });

    // extreme heat is urgent: this policy texts the family first
    const { alarm, sms } = await raise('temperature', { celsius: 41 });
    expect(sms.to).toBe(FAMILY_PHONE);
    expect(sms.body).toContain(`Reply ${alarm.replyCode}`);
    expect(sms.body).not.toMatch(/key safe|diabetic/);
    const row = alarm.notifications.find((n) => n.channel === 'sms')!;
    expect(row).toMatchObject({ audience: 'family', target: FAMILY_PHONE });
    expect(row.body).not.toMatch(/key safe|diabetic/);

    const r = await reply(FAMILY_PHONE, alarm.replyCode);
    expect(r.body).toContain('<Message>Accepted: please go to Huang Xueying at 12 Jade Lane.</Message>');
    const d = await detail(alarm.id);
    expect(d).toMatchObject({ status: 'accepted', acceptedBy: null, acceptedByName: 'Huang Wei' });
    expect(sig(d, 'sms.reply').map((t) => [t.actorKind, t.actorName])).toEqual([['contact', 'Huang Wei']]);
  });

  it('a caregiver on duty for the grid accepts without having been texted; off duty, the same grid cannot', async () => {
    const [li, wang] = centre.caregivers;
    const { alarm, sms } = await raise();
    expect(sms.to).toBe(li!.phone); // step 1 texts Li Na only
    expect(alarm.notifications.filter((n) => n.channel === 'sms').map((n) => n.target)).toEqual([li!.phone]);

    expect((await reply(OFF_DUTY, alarm.replyCode)).body).toContain(NO_ALARM(alarm.replyCode));
    expect(sig(await detail(alarm.id), 'sms.reply')).toEqual([]);

    const r = await reply(wang!.phone, `${alarm.replyCode} A`);
    expect(r.body).toContain('<Message>Accepted: please go to Huang Xueying at 12 Jade Lane.</Message>');
    const d = await detail(alarm.id);
    expect(d).toMatchObject({ status: 'accepted', acceptedBy: wang!.id, acceptedByName: 'Wang Fang' });
    expect(sig(d, 'sms.reply').map((t) => [t.actorKind, t.actorName])).toEqual([['caregiver', 'Wang Fang']]);

    // Li Na, texted, answers late: taken
    expect((await reply(li!.phone, alarm.replyCode)).body).toContain(`Alarm ${alarm.replyCode} is already taken by Wang Fang`);
  });
});
