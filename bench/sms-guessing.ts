// SMS reply-code guessing: how fast can someone try codes against POST /twilio/sms, and how
// many of those tries are actually checked against an alarm's code before the per-number
// limit stops them. The whole service runs in this process (embedded database in a temporary
// directory, or DATABASE_URL when set) with SMS through the real twilio SDK to a local fake
// Twilio, which also signs the inbound webhooks as Twilio does. One alarm is open; its SMS
// went to the grid's caregiver. Two attackers send codes in a loop, `--concurrency` at a time:
//   - a stranger (a number nobody registered),
//   - a caregiver of another community (registered, on duty, never texted for this alarm);
// the alarm's real code is the third guess of each. Then the texted caregiver answers it.
//
//   node --import tsx bench/sms-guessing.ts
//   node --import tsx bench/sms-guessing.ts --guesses 5000 --concurrency 16
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { topics } from '../contract/topics.ts';
import { ApiClient } from '../device-sim/api-client.ts';
import { startService } from '../runtime/service.ts';
import { startFakeTwilio } from '../tests/helpers/fake-twilio.ts';

const { values: args } = parseArgs({ options: { guesses: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } } });
const nGuesses = Number(args.guesses);
const concurrency = Number(args.concurrency);
if (!Number.isInteger(nGuesses) || nGuesses < 10 || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('--guesses (≥ 10) and --concurrency (≥ 1) must be whole numbers');

const PASSWORD = 'bench-admin-password';
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'bench-sms-guessing-auth-token-0123';
const FROM = '+15005550006';
const PUBLIC_URL = 'https://care.example.test';
const CAREGIVER = '+8613700001001';
const OTHER_COMMUNITY = '+8613700002002';
const STRANGER = '+8613712345678';

const fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'homecare-bench-sms-'));
const service = await startService(
  loadConfig({
    ...process.env,
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: FROM,
    TWILIO_API_URL: fake.url,
    PUBLIC_URL,
    ...(dataDir && { DATA_DIR: dataDir }),
  }),
  createLogger(process.env.LOG_LEVEL ?? 'error'),
);
const api = new ApiClient(service.httpUrl);
await api.login('admin', PASSWORD);

// two communities, a caregiver on duty in each (no wrist: SMS), a resident with a pendant in the first
const tag = Date.now().toString(36);
const area = async (name: string, kind: string, parentId: string | null) => (await api.post('/api/areas', { name: `${name} ${tag}`, kind, parentId })).id as string;
const street = await area('SMS Bench Street', 'street', await area('SMS Bench District', 'district', null));
const gridA = await area('Grid A', 'grid', await area('Community A', 'community', street));
const gridB = await area('Grid B', 'grid', await area('Community B', 'community', street));
const now = Date.now();
for (const [name, phone, grid] of [['Bench Carer A', CAREGIVER, gridA], ['Bench Carer B', OTHER_COMMUNITY, gridB]] as const) {
  const c = await api.post('/api/caregivers', { name: `${name} ${tag}`, phone, areaIds: [grid], role: 'caregiver' });
  await api.post('/api/shifts', { caregiverId: c.id, start: new Date(now - 3600_000).toISOString(), end: new Date(now + 8 * 3600_000).toISOString() });
}
const resident = await api.post('/api/residents', { name: `Bench Resident ${tag}`, areaId: gridA, address: '1 Bench Lane', phone: null, notes: 'key safe 2580', contacts: [] });
const pendant = await api.post('/api/devices', { kind: 'pendant', residentId: resident.id });

// the alarm, and its SMS to the caregiver
const device = await mqtt.connectAsync(service.mqttUrl, { username: pendant.id as string, password: pendant.secret as string, clientId: pendant.id as string });
await device.publishAsync(topics.deviceEvents(pendant.id as string), JSON.stringify({ id: `sms-bench-${tag}`, type: 'button.pressed', ts: new Date().toISOString(), data: {} }), { qos: 1 });
const [sms] = await fake.waitForMessages(1, 15_000);
if (sms?.to !== CAREGIVER) throw new Error(`expected the alarm's SMS to go to the grid's caregiver, got ${JSON.stringify(sms)}`);
const alarm = ((await api.get('/api/alarms?status=open')) as Array<{ id: string; replyCode: string; residentId: string }>).find((a) => a.residentId === resident.id)!;
const code = alarm.replyCode;

const reply = (from: string, body: string) => fake.sendInboundSms({ webhookUrl: `${service.httpUrl}/twilio/sms`, signUrl: `${PUBLIC_URL}/twilio/sms`, from, to: FROM, body });
const kindOf = (xml: string) =>
  /Accepted:/.test(xml) ? 'accepted' : /not registered/.test(xml) ? 'not registered' : /No open alarm/.test(xml) ? 'no alarm (checked)' : /Too many attempts/.test(xml) ? 'too many attempts' : /already taken/.test(xml) ? 'taken' : 'other';
const refused = async (reason: string) => {
  const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
  return Number(new RegExp(`^homecare_sms_reply_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};

/** `nGuesses` codes from one number, `concurrency` in flight; the real code is the third. */
async function guess(from: string) {
  const others = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0')).filter((c) => c !== code);
  const codes = [others[0]!, others[1]!, code, ...others.slice(2, nGuesses - 1)];
  const counts: Record<string, number> = {};
  const realCode: string[] = [];
  const before = { checked: await refused('wrong_code'), limited: await refused('too_many_attempts') };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < codes.length; i = next++) {
        const r = await reply(from, codes[i]!);
        if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body}`);
        const k = kindOf(r.body);
        counts[k] = (counts[k] ?? 0) + 1;
        if (codes[i] === code) realCode.push(k);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const checked = (await refused('wrong_code')) - before.checked;
  return { sent: codes.length, perSecond: codes.length / seconds, seconds, counts, realCode: realCode[0], checked, limited: (await refused('too_many_attempts')) - before.limited };
}

const stranger = await guess(STRANGER);
const other = await guess(OTHER_COMMUNITY);
const legit = kindOf((await reply(CAREGIVER, code)).body);
const state = ((await api.get(`/api/alarms/${alarm.id}`)) as { status: string; timeline: Array<{ code: string }> });

const line = (name: string, r: Awaited<ReturnType<typeof guess>>) =>
  [
    `${name}: ${r.sent} guesses in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(0)} answered/s`,
    `  answers: ${Object.entries(r.counts).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  checked against codes: ${r.checked} (homecare_sms_reply_refused_total{reason="wrong_code"}); refused unread: ${r.limited}`,
    `  the real code (3rd guess) was answered: ${r.realCode}`,
  ].join('\n');
process.stdout.write(
  [
    `SMS reply-code guessing, ${nGuesses} signed webhooks per attacker, ${concurrency} in flight, database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded'}`,
    line('stranger (unregistered number)', stranger),
    line("another community's caregiver (on duty, not texted)", other),
    `the texted caregiver then answers the code: ${legit}; alarm ${state.status}, sms.reply rows on its timeline: ${state.timeline.filter((t) => t.code === 'sms.reply').length}`,
    '',
  ].join('\n'),
);
await device.endAsync();
await service.close();
await fake.close();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
