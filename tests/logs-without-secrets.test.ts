import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../runtime/service.ts';
import { ADMIN, apiClient, type ApiClient } from './helpers/api-client.ts';
import { testConfig } from './helpers/service-fixture.ts';
import { ack, alertOf, commandOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { openConsole, wsUrl } from './helpers/console-socket.ts';
import { startFakeTwilio, type FakeTwilio } from './helpers/fake-twilio.ts';
import { connect, waitFor } from './helpers/gateway-harness.ts';
import { migratedEmbeddedDir } from './helpers/test-db.ts';

/**
 * Issue 11 item 6: no password, session token, device secret, SMS reply code or resident
 * health note in any log line. The whole service in this process on real sockets, its logger
 * at `trace` writing into an array; a full day's scenario runs through it (admin login, a
 * resident with notes, devices and their secrets, MQTT connects, a press, a wrist's accept,
 * an SMS reply code, wrong logins and secrets, the live console, logout); then every captured
 * line is searched for every secret value the scenario used.
 */

const ACCOUNT_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'logs-secret-auth-token-0123456789abcd';
const FROM = '+15005550006';
const PUBLIC_URL = 'https://care.example.test';
const STRANGER = '+8613712345678';
const NOTES = 'insulin at 08:00 and 20:00; key safe behind the blue flowerpot, code 3391';
/** The part of NOTES that survives PostgreSQL's truncation of a value in an error's detail. */
const NOTES_HEAD = 'key safe behind the blue flowerpot';
const CAREGIVER_PASSWORD = 'wrist-login-pass-7Hq2x';
const WRONG_PASSWORD = 'not-the-password-9Zk4m';
const WRONG_SECRET = 'a-guessed-device-secret-5Tw8';

// Every alerted caregiver at once: Li Na's wrist gets the alert, Wang Fang (no wrist online) an SMS.
const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] },
});

type Detail = { id: string; status: string; replyCode: string };

describe('logs without secrets: a full scenario at log level trace', () => {
  const lines: string[] = [];
  const logger = pino({ level: 'trace', base: undefined }, { write: (line: string) => void lines.push(line) });
  /** Secret values used in the scenario, by what they are. */
  const secrets: Array<{ what: string; value: string }> = [];
  /** SMS reply codes (4 digits: searched as whole numbers in string values only, see below). */
  const replyCodes: string[] = [];
  const clients: MqttClient[] = [];
  let fake: FakeTwilio;
  let dir: { path: string; remove(): void };
  let service: RunningService;
  let api: ApiClient;

  beforeAll(async () => {
    fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    dir = await migratedEmbeddedDir('homecare-logs-secrets-');
    const config = testConfig({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: FROM,
      TWILIO_API_URL: fake.url,
      PUBLIC_URL,
      ALARM_POLICY: POLICY,
      DATA_DIR: dir.path,
    });
    service = await startService(config, logger);
    api = apiClient(service.httpUrl);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await service?.close();
    dir?.remove();
    await fake?.close();
  });

  const secret = (what: string, value: string) => (secrets.push({ what, value }), value);
  const detail = async (id: string) => (await api.get(`/api/alarms/${id}`)).body as Detail;

  it('runs a day of work: logins, provisioning, MQTT, a press, a wrist accept, an SMS reply, logout', async () => {
    secret('admin password', ADMIN.password);
    secret('Twilio auth token', AUTH_TOKEN);
    secret('wrong login password', WRONG_PASSWORD);
    secret('wrong device secret', WRONG_SECRET);
    secret('caregiver login password', CAREGIVER_PASSWORD);
    secret('resident health note', NOTES);
    secret('resident health note (its head)', NOTES_HEAD);
    secret('resident health note (from the helper)', 'diabetic; key safe 4711');

    // a wrong login first, then the admin's
    expect((await api.call('POST', '/api/login', { username: ADMIN.username, password: WRONG_PASSWORD })).status).toBe(401);
    expect((await api.call('POST', '/api/login', { username: 'nobody', password: WRONG_PASSWORD })).status).toBe(401);
    secret('admin session token', await api.login());

    // the care centre: areas, a resident (notes), a pendant, two caregivers with wrists and shifts
    const centre = await provisionCentre(api, { caregivers: 2 });
    const [li, wang] = centre.caregivers;
    secret('pendant secret', centre.pendant.secret);
    for (const c of centre.caregivers) secret(`${c.name}'s wearable secret`, c.wearable.secret);
    const res = await api.patch(`/api/residents/${centre.resident.id}`, { notes: NOTES });
    expect(res.status, res.text).toBe(200);
    expect((await api.get(`/api/residents/${centre.resident.id}`)).body.notes).toBe(NOTES);

    // a second device whose secret is rotated: both the old and the new secret are secrets
    const door = (await api.create('/api/devices', { kind: 'door_sensor', residentId: centre.resident.id })) as { id: string; secret: string };
    secret('door sensor secret (before rotation)', door.secret);
    const rotated = await api.post(`/api/devices/${door.id}/secret`);
    expect(rotated.status, rotated.text).toBe(200);
    secret('door sensor secret (rotated)', rotated.body.secret as string);

    // a caregiver login for Li Na: created with a password, logged in, and out again
    const user = await api.create('/api/users', { username: 'li.na', password: CAREGIVER_PASSWORD, role: 'caregiver', caregiverId: li!.id });
    expect(user.username).toBe('li.na');
    const liApi = apiClient(service.httpUrl);
    expect((await liApi.call('POST', '/api/login', { username: 'li.na', password: WRONG_PASSWORD })).status).toBe(401);
    secret('caregiver session token', await liApi.login('li.na', CAREGIVER_PASSWORD));
    expect((await liApi.get('/api/me')).status).toBe(200);

    // the live console, which takes its token in the URL
    const console = await openConsole(wsUrl(service.httpUrl, api.token!));
    await console.next((m) => m.type === 'snapshot');
    const refused = await fetch(`${service.httpUrl}/ws?token=${encodeURIComponent(secret('forged session token', 'forged-token-Qx81vB72nM'))}`);
    expect(refused.status).toBeGreaterThanOrEqual(400);

    // MQTT: a wrong secret is refused; the pendant and Li Na's wrist connect with theirs
    await expect(connect(service.mqttUrl, { username: centre.pendant.id, password: WRONG_SECRET, clientId: 'guess', reconnectPeriod: 0 })).rejects.toThrow();
    await expect(connect(service.mqttUrl, { username: door.id, password: door.secret, clientId: 'old-secret', reconnectPeriod: 0 })).rejects.toThrow();
    const pendant = await connectDevice(service.mqttUrl, centre.pendant);
    clients.push(pendant);
    const wrist = await connectWearable(service.mqttUrl, li!.wearable);
    clients.push(wrist);
    const doorClient = await connectDevice(service.mqttUrl, { id: door.id, secret: rotated.body.secret as string });
    clients.push(doorClient);
    await service.dispatcher.refreshDirectory();

    // alarm 1: a press; Li Na's wrist is alerted, Wang Fang texted; the wrist accepts, arrives, resolves
    // Twilio answers 503 once: the retry path logs the provider's error
    fake.failNext(1, { status: 503, code: 20503, message: 'Service Unavailable' });
    const before = fake.messages.length;
    const alert = alertOf(wrist, li!.wearable.id, 15_000);
    await press(pendant, centre.pendant.id);
    const a1 = await alert;
    expect(a1.type).toBe('alarm.alert');
    const first = await detail(a1.alarmId as string);
    replyCodes.push(first.replyCode);
    const [sms1] = (await fake.waitForMessages(before + 1, 15_000)).slice(before);
    expect(sms1!.to).toBe(wang!.phone);
    expect(sms1!.body).toContain(`Reply ${first.replyCode}`);
    const helpComing = commandOf(pendant, centre.pendant.id, 10_000);
    await ack(wrist, li!.wearable.id, first.id, 'accept');
    expect(await helpComing).toMatchObject({ type: 'alarm.accepted', alarmId: first.id });
    await ack(wrist, li!.wearable.id, first.id, 'arrived');
    await waitFor(async () => (await detail(first.id)).status === 'on_site', 10_000);
    await ack(wrist, li!.wearable.id, first.id, 'resolve', 'resolved_on_site');
    await waitFor(async () => (await detail(first.id)).status === 'resolved', 10_000);

    // alarm 2: a press; a stranger and Wang Fang guess wrong, then Wang Fang answers the SMS code
    const before2 = fake.messages.length;
    const alert2 = alertOf(wrist, li!.wearable.id, 15_000);
    await press(pendant, centre.pendant.id);
    const a2 = await alert2;
    const second = await detail(a2.alarmId as string);
    replyCodes.push(second.replyCode);
    const [sms2] = (await fake.waitForMessages(before2 + 1, 15_000)).slice(before2);
    expect(sms2!.body).toContain(`Reply ${second.replyCode}`);
    const reply = (from: string, body: string) =>
      fake.sendInboundSms({ webhookUrl: `${service.httpUrl}/twilio/sms`, signUrl: `${PUBLIC_URL}/twilio/sms`, from, to: FROM, body });
    const wrong = second.replyCode === '9999' ? '9998' : '9999';
    expect((await reply(STRANGER, second.replyCode)).status).toBe(200);
    expect((await reply(wang!.phone, wrong)).status).toBe(200);
    const accepted = await reply(wang!.phone, second.replyCode);
    expect(accepted.body).toContain('Accepted');
    await waitFor(async () => (await detail(second.id)).status === 'accepted', 10_000);
    // a webhook with a bad signature (as a forger would send it)
    const forged = await fetch(`${service.httpUrl}/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
      body: new URLSearchParams({ From: wang!.phone, To: FROM, Body: second.replyCode, MessageSid: 'SMforged' }).toString(),
    });
    expect(forged.status).toBe(403);
    await api.post(`/api/alarms/${second.id}/resolve`, { outcome: 'resolved_on_site', note: 'done' });

    // A statement the database refuses names the failing row in its detail ("Failing row
    // contains (…)", every column, the notes too); logged as the 500 path logs it, with `err`.
    const refusedRow = await service.db
      .query('UPDATE residents SET name = NULL, notes = $1 WHERE id = $2', [NOTES, centre.resident.id])
      .then(() => undefined, (err: unknown) => err as Error & { code?: string; detail?: string });
    expect(refusedRow?.code).toBe('23502');
    expect(refusedRow?.detail).toContain(NOTES_HEAD); // the database does say it; the log must not
    logger.child({ part: 'console' }).error({ err: refusedRow, status: 500 }, 'request failed');

    // logout: both sessions end; the ended token is refused afterwards
    console.close();
    expect((await liApi.post('/api/logout')).status).toBe(204);
    expect((await liApi.get('/api/me')).status).toBe(401);
    expect((await api.post('/api/logout')).status).toBe(204);
  }, 90_000);

  it('no captured log line holds any of those secrets', async () => {
    // let the last asynchronous lines (logout, SMS status) land
    await new Promise((r) => setTimeout(r, 200));
    expect(lines.length).toBeGreaterThan(50);
    expect(secrets.length).toBeGreaterThanOrEqual(14);
    expect(replyCodes).toHaveLength(2);

    // the scenario reached the places that log around secrets (so a quiet log cannot pass)
    const entries = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
    const msgs = new Set(entries.map((e) => e.msg));
    for (const m of ['alert sent', 'SMS attempt failed', 'SMS accepted by provider', 'SMS reply names no alarm this number may answer', 'twilio webhook with a bad signature refused', 'device secret rotated']) {
      expect(msgs, m).toContain(m);
    }
    expect(entries.filter((e) => e.req?.url.startsWith('/ws?')).map((e) => e.req!.url)).toEqual(['/ws?token=[redacted]', '/ws?token=[redacted]']);

    const leaks: string[] = [];
    for (const line of lines) {
      for (const { what, value } of secrets) {
        const forms = new Set([value, encodeURIComponent(value), value.replace(/ /g, '+'), JSON.stringify(value).slice(1, -1)]);
        if ([...forms].some((f) => line.includes(f))) leaks.push(`${what}: ${line}`);
      }
      // A reply code is 4 digits, so it is looked for as a whole number inside the line's
      // string values (a message, a URL, a body) and as a value under a key that names a code:
      // a port, a pid or a duration that happens to share the digits is not a leak.
      const visit = (v: unknown, key: string) => {
        if (typeof v === 'string') {
          for (const code of replyCodes) if (new RegExp(`(?<!\\d)${code}(?!\\d)`).test(v)) leaks.push(`reply code ${code} in "${key}": ${line}`);
        } else if (typeof v === 'number') {
          if (/code|reply|body|text/i.test(key) && replyCodes.includes(String(v))) leaks.push(`reply code in "${key}": ${line}`);
        } else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) visit(x, k);
        }
      };
      visit(JSON.parse(line), '');
    }
    expect(leaks).toEqual([]);
  });
});
