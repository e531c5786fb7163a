import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Logger } from '../../../common/logger.ts';
import { classifyTwilioError, mapTwilioStatus, type SmsProvider } from './sms-provider.ts';

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  /** Our sending number (E.164) or a Messaging Service's sender. */
  from: string;
  /** A Twilio-compatible endpoint (a test fake or a proxy) standing in for https://*.twilio.com. */
  apiBaseUrl?: string | undefined;
  logger: Logger;
  /** Per-request timeout; a hung Twilio must fail into our retry loop, not stall it for 30 s. */
  timeoutMs?: number | undefined;
}

const TWILIO_ORIGIN = /^https:\/\/(?:[a-z0-9-]+\.)*twilio\.com(?=[/?#]|$)/i;

/**
 * The SDK's HTTP client with its own 429 auto-retry off (our sendWithRetry owns retries and
 * their budget) and, when a base URL is given, every Twilio host rewritten to it.
 */
class TwilioHttpClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string | undefined,
    timeoutMs: number,
  ) {
    super({ autoRetry: false, timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = this.baseUrl ? opts.uri.replace(TWILIO_ORIGIN, this.baseUrl) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export function createTwilioProvider(opts: TwilioProviderOptions): SmsProvider {
  const baseUrl = opts.apiBaseUrl?.replace(/\/+$/, '');
  const httpClient = new TwilioHttpClient(baseUrl, opts.timeoutMs ?? 10_000);
  const client = twilio(opts.accountSid, opts.authToken, { httpClient, autoRetry: false });
  const log = opts.logger.child({ sms: 'twilio' });

  return {
    name: 'twilio',
    async send(msg) {
      // Phone numbers are personal data: logs get the last digits, enough to tell sends apart.
      const to = `…${msg.to.slice(-4)}`;
      try {
        const m = await client.messages.create({
          to: msg.to,
          from: opts.from,
          body: msg.body,
          ...(msg.statusCallback ? { statusCallback: msg.statusCallback } : {}),
        });
        const status = mapTwilioStatus(m.status) ?? 'queued';
        log.debug({ sid: m.sid, status, to }, 'sms accepted');
        return { providerSid: m.sid, status };
      } catch (err) {
        const e = classifyTwilioError(err);
        log.warn({ to, code: e.providerCode, retryable: e.retryable, err: e.message }, 'sms send failed');
        throw e;
      }
    },
  };
}

/**
 * Whether a webhook really comes from Twilio. url must be the one Twilio was configured with
 * (PUBLIC_URL + path), not what this process sees behind a proxy; params are the form fields.
 */
export function validateTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  try {
    return twilio.validateRequest(authToken, signature, url, params);
  } catch {
    // A URL the SDK cannot parse cannot have been signed by Twilio either.
    return false;
  }
}
