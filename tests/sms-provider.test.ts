import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyTwilioError,
  fitOneSegment,
  isGsm7,
  mapTwilioStatus,
  sendWithRetry,
  SmsError,
  type RetryOptions,
  type SmsProvider,
} from '../dispatch-console/dispatcher/sms/sms-provider.ts';
import { createTwilioProvider, validateTwilioSignature } from '../dispatch-console/dispatcher/sms/twilio-provider.ts';
import { start, type FakeTwilio } from './helpers/fake-twilio.ts';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const FROM = '+15005550006';
const logger = pino({ level: 'silent' });

// No waiting in tests: the retry loop's delays are recorded, not slept.
const noSleep: RetryOptions = { maxAttempts: 5, baseMs: 100, capMs: 1_000, sleep: async () => undefined };

describe('Twilio provider (real twilio SDK against a fake Twilio)', () => {
  let fake: FakeTwilio;
  let provider: SmsProvider;

  beforeAll(async () => {
    fake = await start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    provider = createTwilioProvider({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: fake.url, logger });
  });
  afterAll(async () => {
    await fake?.close();
  });

  /** Requests the fake sees while fn runs. */
  async function requestsDuring(fn: () => Promise<unknown>): Promise<number[]> {
    const before = fake.requests.length;
    await fn().catch(() => undefined);
    return fake.requests.slice(before).map((r) => r.status);
  }

  it('sends, and Twilio receives To, From, Body and StatusCallback', async () => {
    const receipt = await provider.send({
      to: '+447700900123',
      body: 'HIGH fall: Ann Lee. Reply 123 to accept.',
      statusCallback: 'https://care.example.org/twilio/status',
    });
    const [m] = await fake.waitForMessages(1);
    expect(m).toMatchObject({
      to: '+447700900123',
      from: FROM,
      body: 'HIGH fall: Ann Lee. Reply 123 to accept.',
      statusCallback: 'https://care.example.org/twilio/status',
    });
    expect(receipt).toEqual({ providerSid: m!.sid, status: 'queued' });
    expect(receipt.providerSid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends no StatusCallback when none is given', async () => {
    const { providerSid } = await provider.send({ to: '+447700900124', body: 'hello' });
    expect(fake.messages.find((m) => m.sid === providerSid)?.statusCallback).toBeUndefined();
  });

  it('an apiBaseUrl with a trailing slash still reaches the fake', async () => {
    const p = createTwilioProvider({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: `${fake.url}/`, logger });
    const { providerSid } = await p.send({ to: '+447700900131', body: 'slash' });
    expect(fake.messages.at(-1)?.sid).toBe(providerSid);
  });

  it('wrong credentials: a non-retryable SmsError, tried once', async () => {
    const bad = createTwilioProvider({ accountSid: ACCOUNT_SID, authToken: 'wrong', from: FROM, apiBaseUrl: fake.url, logger });
    let error: unknown;
    const seen = await requestsDuring(() => sendWithRetry(bad, { to: '+447700900123', body: 'x' }, noSleep).catch((e) => (error = e, Promise.reject(e))));
    expect(error).toBeInstanceOf(SmsError);
    expect(error).toMatchObject({ retryable: false, providerCode: 20003 });
    expect(seen).toEqual([401]);
  });

  it('a 500 then success: sendWithRetry succeeds on attempt 2 and reports both', async () => {
    fake.failNext(1, { status: 500 });
    const attempts: Array<{ attempt: number; ok: boolean; retryable?: boolean; delayMs?: number }> = [];
    let result: Awaited<ReturnType<typeof sendWithRetry>> | undefined;
    const seen = await requestsDuring(async () => {
      result = await sendWithRetry(provider, { to: '+447700900125', body: 'retry me' }, {
        ...noSleep,
        onAttempt: (a) => attempts.push({ attempt: a.attempt, ok: a.ok, retryable: a.error?.retryable, delayMs: a.delayMs }),
      });
    });
    expect(seen).toEqual([500, 201]);
    expect(result?.attempts).toBe(2);
    expect(result?.receipt.providerSid).toBe(fake.messages.at(-1)?.sid);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ attempt: 1, ok: false, retryable: true });
    expect(attempts[0]?.delayMs).toBeGreaterThanOrEqual(0);
    expect(attempts[1]).toEqual({ attempt: 2, ok: true, retryable: undefined, delayMs: undefined });
  });

  it('a 400 with Twilio code 21211: not retryable, not retried', async () => {
    fake.failNext(1, { status: 400, code: 21211, message: "Invalid 'To' Phone Number" });
    let error: unknown;
    const seen = await requestsDuring(() => sendWithRetry(provider, { to: '+447700900126', body: 'x' }, noSleep).catch((e) => (error = e, Promise.reject(e))));
    expect(seen).toEqual([400]);
    expect(error).toBeInstanceOf(SmsError);
    expect(error).toMatchObject({ retryable: false, providerCode: 21211 });
  });

  it("the fake's own validation answers like Twilio: a malformed number is 21211", async () => {
    await expect(provider.send({ to: '07700 900123', body: 'x' })).rejects.toMatchObject({ retryable: false, providerCode: 21211 });
  });

  it('retries stop at maxAttempts and throw the last retryable error', async () => {
    fake.failNext(3, { status: 503, code: 20503, message: 'Service Unavailable' });
    const attempts: Array<{ attempt: number; ok: boolean; delayMs?: number }> = [];
    let error: unknown;
    const seen = await requestsDuring(() =>
      sendWithRetry(provider, { to: '+447700900127', body: 'x' }, { ...noSleep, maxAttempts: 3, onAttempt: (a) => attempts.push(a) }).catch(
        (e) => (error = e, Promise.reject(e)),
      ),
    );
    expect(seen).toEqual([503, 503, 503]);
    expect(error).toMatchObject({ retryable: true, providerCode: 20503 });
    expect(attempts.map((a) => [a.attempt, a.ok])).toEqual([[1, false], [2, false], [3, false]]);
    expect(attempts[2]?.delayMs).toBeUndefined(); // no wait after the last attempt
  });

  it("a 429 is retryable and the SDK's own auto-retry is off (one request per send)", async () => {
    fake.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests' });
    let error: unknown;
    const seen = await requestsDuring(() => provider.send({ to: '+447700900128', body: 'x' }).catch((e) => (error = e, Promise.reject(e))));
    expect(seen).toEqual([429]);
    expect(error).toMatchObject({ retryable: true, providerCode: 20429 });
  });

  it('a dropped connection is retryable', async () => {
    fake.failNext(1, { status: 0 });
    await expect(provider.send({ to: '+447700900129', body: 'x' })).rejects.toMatchObject({ retryable: true });
  });

  it('nothing listening (Twilio unreachable) is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = createTwilioProvider({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: `http://127.0.0.1:${port}`, logger });
    const err = await dead.send({ to: '+447700900123', body: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsError);
    expect(err).toMatchObject({ retryable: true, providerCode: 'ECONNREFUSED' });
  });

  describe('signed webhooks from the fake', () => {
    const publicUrl = 'https://care.example.org';
    let hook: Server;
    let localUrl: string;
    const verdicts: Array<{ path: string; valid: boolean; params: Record<string, string> }> = [];

    beforeAll(async () => {
      // A stand-in for the service's webhook routes: it checks signatures against PUBLIC_URL.
      hook = createServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        req.on('end', () => {
          const params = Object.fromEntries(new URLSearchParams(raw));
          const signature = req.headers['x-twilio-signature'];
          const valid = validateTwilioSignature(AUTH_TOKEN, typeof signature === 'string' ? signature : undefined, publicUrl + req.url, params);
          verdicts.push({ path: req.url ?? '', valid, params });
          res.writeHead(valid ? 200 : 403, { 'content-type': 'text/xml' }).end('<Response/>');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
      localUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((r) => hook?.close(() => r()));
    });

    it('an inbound SMS is signed for the public URL, empty fields included', async () => {
      const r = await fake.sendInboundSms({
        webhookUrl: `${localUrl}/twilio/sms`,
        signUrl: `${publicUrl}/twilio/sms`,
        from: '+447700900123',
        to: FROM,
        body: '123',
      });
      expect(r.status).toBe(200);
      const v = verdicts.at(-1);
      expect(v).toMatchObject({ path: '/twilio/sms', valid: true });
      expect(v?.params).toMatchObject({ From: '+447700900123', To: FROM, Body: '123', AccountSid: ACCOUNT_SID, MessageSid: r.messageSid, NumMedia: '0', FromZip: '' });
    });

    it('an inbound SMS signed for the local URL fails the public-URL check', async () => {
      const r = await fake.sendInboundSms({ webhookUrl: `${localUrl}/twilio/sms`, from: '+447700900123', to: FROM, body: '123' });
      expect(r.status).toBe(403);
    });

    it('a status callback goes to StatusCallback, signed with it', async () => {
      const { providerSid } = await provider.send({ to: '+447700900130', body: 'x', statusCallback: `${publicUrl}/twilio/status` });
      const r = await fake.sendStatusCallback(providerSid, 'undelivered', { postUrl: `${localUrl}/twilio/status`, errorCode: 30003 });
      expect(r.status).toBe(200);
      expect(verdicts.at(-1)).toMatchObject({
        path: '/twilio/status',
        valid: true,
        params: { MessageSid: providerSid, MessageStatus: 'undelivered', ErrorCode: '30003' },
      });
      expect(mapTwilioStatus(verdicts.at(-1)!.params.MessageStatus!)).toBe('failed');
    });
  });
});

describe('sendWithRetry (unit)', () => {
  const alwaysDown: SmsProvider = {
    name: 'down',
    send: async () => {
      throw new SmsError('provider down', true, 503);
    },
  };

  it('backoff delays are full jitter within [0, min(cap, base·2^n))', async () => {
    for (const r of [0, 0.5, 0.999999]) {
      const slept: number[] = [];
      const reported: Array<number | undefined> = [];
      await expect(
        sendWithRetry(alwaysDown, { to: '+1', body: 'x' }, {
          maxAttempts: 7,
          baseMs: 100,
          capMs: 1_000,
          random: () => r,
          sleep: async (ms) => void slept.push(ms),
          onAttempt: (a) => reported.push(a.delayMs),
        }),
      ).rejects.toMatchObject({ retryable: true });
      expect(slept).toHaveLength(6);
      expect(reported).toEqual([...slept, undefined]);
      slept.forEach((ms, n) => {
        const ceiling = Math.min(1_000, 100 * 2 ** n);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThan(ceiling);
        expect(ms).toBe(Math.floor(r * ceiling));
      });
    }
  });

  it('a provider throwing a non-SmsError fails at once, as non-retryable', async () => {
    let calls = 0;
    const buggy: SmsProvider = {
      name: 'buggy',
      send: async () => {
        calls++;
        throw new TypeError('boom');
      },
    };
    await expect(sendWithRetry(buggy, { to: '+1', body: 'x' }, noSleep)).rejects.toMatchObject({ name: 'SmsError', retryable: false, message: 'boom' });
    expect(calls).toBe(1);
  });

  it('maxAttempts below 1 still makes one attempt', async () => {
    let calls = 0;
    const p: SmsProvider = { name: 'ok', send: async () => (calls++, { providerSid: 'SM1', status: 'queued' }) };
    await expect(sendWithRetry(p, { to: '+1', body: 'x' }, { ...noSleep, maxAttempts: 0 })).resolves.toEqual({ receipt: { providerSid: 'SM1', status: 'queued' }, attempts: 1 });
    expect(calls).toBe(1);
  });
});

describe('classifyTwilioError', () => {
  it.each([
    ['HTTP 500', { status: 500, code: 20500, message: 'Internal' }, true, 20500],
    ['HTTP 503', { status: 503, message: 'Unavailable' }, true, 503],
    ['HTTP 429', { status: 429, code: 20429, message: 'Too Many Requests' }, true, 20429],
    ['HTTP 408', { status: 408, message: 'Timeout' }, true, 408],
    ['21211 invalid To', { status: 400, code: 21211, message: "Invalid 'To'" }, false, 21211],
    ['21610 unsubscribed', { status: 400, code: 21610, message: 'Unsubscribed recipient' }, false, 21610],
    ['21614 not a mobile', { status: 400, code: 21614, message: 'Not a mobile number' }, false, 21614],
    ['401 bad credentials', { status: 401, code: 20003, message: 'Authenticate' }, false, 20003],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true, 'ECONNRESET'],
    ['ETIMEDOUT', Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), true, 'ETIMEDOUT'],
    ['a plain Error', new Error('accountSid must start with AC'), false, undefined],
    ['a string', 'weird', false, undefined],
  ])('%s', (_name, err, retryable, code) => {
    const e = classifyTwilioError(err);
    expect(e).toBeInstanceOf(SmsError);
    expect(e.retryable).toBe(retryable);
    expect(e.providerCode).toBe(code);
  });

  it('passes an SmsError through untouched', () => {
    const e = new SmsError('x', true, 1);
    expect(classifyTwilioError(e)).toBe(e);
  });
});

describe('validateTwilioSignature', () => {
  const url = 'https://care.example.org/twilio/sms';
  const params = { From: '+447700900123', To: FROM, Body: '123 ok', MessageSid: 'SM1', FromZip: '' };
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);

  it('accepts a correctly signed request', () => {
    expect(validateTwilioSignature(AUTH_TOKEN, signature, url, params)).toBe(true);
  });
  it.each([
    ['a tampered param', AUTH_TOKEN, signature, url, { ...params, Body: '999 ok' }],
    ['an added param', AUTH_TOKEN, signature, url, { ...params, Extra: 'x' }],
    ['a wrong URL', AUTH_TOKEN, signature, 'https://care.example.org/twilio/status', params],
    ['a missing signature', AUTH_TOKEN, undefined, url, params],
    ['an empty signature', AUTH_TOKEN, '', url, params],
    ['another auth token', 'other-token', signature, url, params],
    ['an unparseable URL', AUTH_TOKEN, signature, 'not a url', params],
  ])('rejects %s', (_name, token, sig, u, p) => {
    expect(validateTwilioSignature(token, sig, u, p)).toBe(false);
  });
});

describe('mapTwilioStatus', () => {
  it.each([
    ['queued', 'queued'],
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
    ['receiving', undefined],
    ['received', undefined],
    ['partially_delivered', undefined],
    ['', undefined],
    ['toString', undefined],
    ['DELIVERED', 'delivered'],
  ])('%s → %s', (twilioStatus, ours) => {
    expect(mapTwilioStatus(twilioStatus)).toBe(ours);
  });
});

describe('isGsm7', () => {
  it.each([
    ['plain English', 'HIGH fall: Ann Lee, 4 Elm St. Reply 123 to accept.', true],
    ['GSM accents and symbols', 'Café Müller ñ ¿Qué? £5 @home', true],
    ['extension characters', 'a{b}[c]~|^€\\', true],
    ['Chinese', '王小明', false],
    ['an emoji', 'help 🚑', false],
    ['a lower-case ç (only Ç is GSM)', 'façade', false],
    ['curly quotes', '“quoted”', false],
    ['empty', '', true],
  ])('%s', (_name, text, gsm) => {
    expect(isGsm7(text)).toBe(gsm);
  });
});

describe('fitOneSegment', () => {
  const tail = ' Reply 123 to accept.';
  const septets = (s: string) => [...s].reduce((n, c) => n + ('\f^{}\\[~]|€'.includes(c) ? 2 : 1), 0);

  it('leaves a short body alone', () => {
    expect(fitOneSegment('HIGH fall: Ann Lee.', tail)).toBe(`HIGH fall: Ann Lee.${tail}`);
  });

  it('an exactly-160 GSM body is kept whole', () => {
    const head = 'x'.repeat(160 - tail.length);
    expect(fitOneSegment(head, tail)).toBe(head + tail);
  });

  it.each([
    ['a long English body', `HIGH fall: Ann Lee, 4 Elm Street, Flat 2. ${'Diabetic; key safe code 4711 by the back door; dog in kitchen. '.repeat(4)}`],
    ['extension characters counting twice', `HIGH fall: [${'{~}'.repeat(60)}]`],
  ])('%s fits 160 septets with the tail intact', (_name, head) => {
    const out = fitOneSegment(head, tail);
    expect(isGsm7(out)).toBe(true);
    expect(septets(out)).toBeLessThanOrEqual(160);
    expect(out.endsWith(`...${tail}`)).toBe(true);
    expect(head.startsWith(out.slice(0, -(tail.length + 3)))).toBe(true);
  });

  it('a Chinese name: at most 70 UCS-2 characters, name and tail intact', () => {
    const head = `HIGH fall: 王小明, 4 Elm Street, Flat 2. Diabetic; key safe code 4711 by the back door.`;
    const out = fitOneSegment(head, tail);
    expect(out.length).toBeLessThanOrEqual(70);
    expect(out).toContain('王小明');
    expect(out.endsWith(`…${tail}`)).toBe(true);
  });

  it('a Chinese body with a Chinese tail stays within 70', () => {
    const head = '紧急：王小明在家中跌倒，地址：北京市朝阳区建国路八十八号三号楼二单元五零一室，糖尿病患者，钥匙在门口的信箱里，家里有一只狗，请注意安全。';
    expect((head + '回复123接受。').length).toBeGreaterThan(70);
    const out = fitOneSegment(head, '回复123接受。');
    expect(out.length).toBeLessThanOrEqual(70);
    expect(out.endsWith('…回复123接受。')).toBe(true);
  });

  it('a non-GSM character beyond what UCS-2 could keep does not cost the GSM-7 budget', () => {
    const head = `HIGH fall: Ann Lee, ${'4 Elm Street, Flat 2, '.repeat(4)}neighbour 王小明 has a key.`;
    const out = fitOneSegment(head, tail);
    expect(isGsm7(out)).toBe(true);
    expect(out.length).toBeGreaterThan(70);
    expect(septets(out)).toBeLessThanOrEqual(160);
    expect(out.endsWith(`...${tail}`)).toBe(true);
  });

  it('never splits an emoji (surrogate pair)', () => {
    const out = fitOneSegment(`🚑${'🚑'.repeat(60)}`, tail);
    expect(out.length).toBeLessThanOrEqual(70);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(out.endsWith(`…${tail}`)).toBe(true);
  });

  it('a tail too long to leave room for the head: head and tail unshortened', () => {
    const longTail = ` ${'Reply 123 to accept. '.repeat(8)}`;
    expect(fitOneSegment('HIGH fall: Ann Lee.', longTail)).toBe(`HIGH fall: Ann Lee.${longTail}`);
  });
});
