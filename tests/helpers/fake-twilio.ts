import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/**
 * A local stand-in for Twilio's REST API and webhooks, so the real twilio SDK (and the service
 * around it) can be tested with no network: it accepts Messages.json the way Twilio does,
 * answers in Twilio's JSON shapes, and calls back with signatures Twilio's own code would make.
 * Deliberately independent of our sms code: a fake that shares the code under test agrees
 * with its bugs.
 */

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | undefined;
  /** Last status reported through sendStatusCallback ('queued' until then). */
  status: string;
  numSegments: number;
}

/** A canned failure; status 0 drops the connection with no answer (a network failure). */
export interface FakeTwilioFailure {
  status: number;
  code?: number;
  message?: string;
}

export interface SignedPostTarget {
  /** The URL signed, i.e. the one Twilio was configured with (PUBLIC_URL + path). */
  signUrl?: string;
  /** The URL actually POSTed to (e.g. the service's local address); defaults to signUrl. */
  postUrl?: string;
  /** Twilio's ErrorCode on failed/undelivered callbacks, e.g. 30003 (unreachable handset). */
  errorCode?: number;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  /** Messages accepted (201), in order. */
  messages: FakeTwilioMessage[];
  /** Every request seen, including rejected ones, with the status answered (0 = dropped). */
  requests: Array<{ method: string; path: string; status: number }>;
  failNext(n: number, failure: FakeTwilioFailure): void;
  waitForMessages(count: number, timeoutMs?: number): Promise<FakeTwilioMessage[]>;
  /**
   * POSTs a signed delivery report to the message's StatusCallback, as Twilio does. A string
   * third argument is the public URL to sign with (the POST still goes to StatusCallback).
   */
  sendStatusCallback(sid: string, status: string, target?: string | SignedPostTarget): Promise<{ status: number; body: string }>;
  /** POSTs a signed inbound-SMS webhook, as Twilio does when someone texts our number. */
  sendInboundSms(opts: {
    webhookUrl: string;
    signUrl?: string;
    from: string;
    to: string;
    body: string;
    extra?: Record<string, string>;
  }): Promise<{ status: number; body: string; messageSid: string }>;
  close(): Promise<void>;
}

const API_VERSION = '2010-04-01';
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

export async function start(creds: { accountSid: string; authToken: string }): Promise<FakeTwilio> {
  const { accountSid, authToken } = creds;
  const messages: FakeTwilioMessage[] = [];
  const requests: FakeTwilio['requests'] = [];
  const failures: FakeTwilioFailure[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) twilioError(res, 500, 20500, 'Internal Server Error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const record = (status: number) => requests.push({ method: req.method ?? '', path, status });
    const form = new URLSearchParams(await readBody(req));

    const match = MESSAGES_PATH.exec(path);
    if (req.method !== 'POST' || !match) {
      record(404);
      return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
    }
    if (!authorized(req.headers.authorization)) {
      record(401);
      return twilioError(res, 401, 20003, 'Authenticate');
    }
    if (match[1] !== accountSid) {
      record(404);
      return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
    }
    const failure = failures.shift();
    if (failure) {
      record(failure.status);
      if (failure.status === 0) return void res.socket?.destroy();
      return twilioError(res, failure.status, failure.code ?? 20000 + failure.status, failure.message ?? `Simulated HTTP ${failure.status}`);
    }

    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    const invalid = validate(to, from, body);
    if (invalid) {
      record(400);
      return twilioError(res, 400, invalid.code, invalid.message);
    }

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const message: FakeTwilioMessage = {
      sid,
      to,
      from,
      body,
      statusCallback: form.get('StatusCallback') ?? undefined,
      status: 'queued',
      numSegments: segments(body),
    };
    messages.push(message);
    record(201);
    sendJson(res, 201, messageJson(message));
    for (const wake of waiters) wake();
  }

  function authorized(header: string | undefined): boolean {
    const m = /^Basic (.+)$/i.exec(header ?? '');
    if (!m?.[1]) return false;
    return Buffer.from(m[1], 'base64').toString('utf8') === `${accountSid}:${authToken}`;
  }

  function messageJson(m: FakeTwilioMessage) {
    const now = rfc2822(new Date());
    return {
      account_sid: accountSid,
      api_version: API_VERSION,
      body: m.body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(m.numSegments),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${m.sid}.json`,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    accountSid,
    authToken,
    messages,
    requests,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    waitForMessages(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake twilio: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async sendStatusCallback(sid, status, target) {
      const m = messages.find((x) => x.sid === sid);
      if (!m) throw new Error(`fake twilio: no message ${sid}`);
      const t: SignedPostTarget = typeof target === 'string' ? { signUrl: target } : (target ?? {});
      const signUrl = t.signUrl ?? m.statusCallback;
      const postUrl = t.postUrl ?? m.statusCallback ?? signUrl;
      if (!signUrl || !postUrl) throw new Error(`fake twilio: message ${sid} has no StatusCallback`);
      m.status = status;
      const params: Record<string, string> = {
        SmsSid: sid,
        SmsStatus: status,
        MessageStatus: status,
        To: m.to,
        MessageSid: sid,
        AccountSid: accountSid,
        From: m.from,
        ApiVersion: API_VERSION,
      };
      if (t.errorCode !== undefined) params.ErrorCode = String(t.errorCode);
      return postSigned(postUrl, signUrl, params);
    },
    async sendInboundSms(o) {
      const messageSid = `SM${randomBytes(16).toString('hex')}`;
      // Twilio sends the geo fields even when empty; a parser that drops empty fields breaks
      // the signature, so the fake sends them too.
      const params: Record<string, string> = {
        ToCountry: '',
        ToState: '',
        SmsMessageSid: messageSid,
        NumMedia: '0',
        ToCity: '',
        FromZip: '',
        SmsSid: messageSid,
        FromState: '',
        SmsStatus: 'received',
        FromCity: '',
        Body: o.body,
        FromCountry: '',
        To: o.to,
        ToZip: '',
        NumSegments: String(segments(o.body)),
        MessageSid: messageSid,
        AccountSid: accountSid,
        From: o.from,
        ApiVersion: API_VERSION,
        ...o.extra,
      };
      const r = await postSigned(o.webhookUrl, o.signUrl ?? o.webhookUrl, params);
      return { ...r, messageSid };
    },
    async close() {
      for (const wake of waiters) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function postSigned(postUrl: string, signUrl: string, params: Record<string, string>) {
    const signature = twilio.getExpectedTwilioSignature(authToken, signUrl, params);
    const res = await fetch(postUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'i-twilio-idempotency-token': randomUUID(),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  }
}

/** The checks Twilio makes on Messages.json that tests rely on, with Twilio's error codes. */
function validate(to: string, from: string, body: string): { code: number; message: string } | undefined {
  if (!to) return { code: 21604, message: "A 'To' phone number is required." };
  if (!from) return { code: 21603, message: "A 'From' phone number is required." };
  if (!body) return { code: 21602, message: 'Message body is required.' };
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return { code: 21211, message: `Invalid 'To' Phone Number: ${to}` };
  if (body.length > 1600) return { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
  return undefined;
}

/** Same as start(); the longer name reads better at call sites. */
export const startFakeTwilio = start;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** Twilio's date format, which the SDK parses strictly: "Tue, 05 Mar 2024 10:01:02 +0000". */
function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

// Our own small GSM-7 table (not the service's), so the segment count is an independent check.
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXT = new Set('\f^{}\\[~]|€');

function segments(body: string): number {
  const chars = [...body];
  if (chars.every((c) => GSM7.has(c) || GSM7_EXT.has(c))) {
    const septets = chars.reduce((n, c) => n + (GSM7_EXT.has(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}
