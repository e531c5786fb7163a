import { fullJitterDelay } from '../../../common/backoff.ts';

export { isGsm7, fitOneSegment } from '../../core/sms-segments.ts';

/**
 * The SMS layer behind a thin interface: the dispatcher talks to SmsProvider, never to an SDK,
 * so tests and a provider switch touch only this folder.
 */

export interface SmsMessage {
  to: string;
  body: string;
  /** Where the provider reports delivery; must be the public URL the webhook signature uses. */
  statusCallback?: string | undefined;
}

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed';

export interface SmsReceipt {
  providerSid: string;
  status: SmsStatus;
}

export class SmsError extends Error {
  override readonly name = 'SmsError';
  constructor(
    message: string,
    /** True when the same send may succeed later (network, throttling, provider outage). */
    readonly retryable: boolean,
    readonly providerCode?: string | number,
  ) {
    super(message);
  }
}

export interface SmsProvider {
  readonly name: string;
  /** Resolves once the provider has accepted the message; throws SmsError otherwise. */
  send(msg: SmsMessage): Promise<SmsReceipt>;
}

export interface RetryOptions {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onAttempt?: (a: { attempt: number; ok: boolean; error?: SmsError; delayMs?: number }) => void;
}

// Five tries spread over up to ~30 s: long enough to ride out a provider blip, short enough that
// escalation (which has its own deadlines) is not held up waiting on a dead SMS route.
export const DEFAULT_SMS_RETRY: RetryOptions = { maxAttempts: 5, baseMs: 500, capMs: 15_000 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries retryable SmsErrors with full-jitter backoff and a cap; a non-retryable one (or the
 * last attempt's) is thrown. Every attempt is reported via onAttempt; a failed attempt that will
 * be retried carries the delay before the next one.
 */
export async function sendWithRetry(
  provider: SmsProvider,
  msg: SmsMessage,
  opts: RetryOptions,
): Promise<{ receipt: SmsReceipt; attempts: number }> {
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts));
  const sleep = opts.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    let error: SmsError;
    try {
      const receipt = await provider.send(msg);
      opts.onAttempt?.({ attempt, ok: true });
      return { receipt, attempts: attempt };
    } catch (err) {
      // A provider that throws something else has a bug; retrying a bug only delays escalation.
      error = err instanceof SmsError ? err : new SmsError(errorMessage(err), false);
    }
    if (!error.retryable || attempt >= maxAttempts) {
      opts.onAttempt?.({ attempt, ok: false, error });
      throw error;
    }
    const delayMs = fullJitterDelay(attempt - 1, opts.baseMs, opts.capMs, opts.random);
    opts.onAttempt?.({ attempt, ok: false, error, delayMs });
    await sleep(delayMs);
  }
}

// Connection-level failures: the request may not have reached the provider, so a retry is safe
// enough (a duplicate alarm SMS is far cheaper than a missing one).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Maps a Twilio/HTTP failure to SmsError: network errors, HTTP 408, 429 and 5xx are retryable;
 * other 4xx (401 bad credentials, Twilio 21211 invalid 'To' number, 21610 unsubscribed, 21614
 * not a mobile) are not, since sending the same request again cannot change the answer.
 */
export function classifyTwilioError(err: unknown): SmsError {
  if (err instanceof SmsError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
    isAxiosError?: unknown;
    response?: { status?: unknown };
  };
  // Twilio's RestException / TwilioServiceException carry the HTTP status and Twilio's code.
  const status = typeof e.status === 'number' ? e.status : typeof e.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) {
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? e.code : status;
    const retryable = status === 408 || status === 429 || status >= 500;
    return new SmsError(`Twilio HTTP ${status} (code ${code}): ${errorMessage(err)}`, retryable, code);
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if ((code !== undefined && NETWORK_CODES.has(code)) || e.isAxiosError === true) {
    return new SmsError(`Twilio unreachable: ${errorMessage(err)}`, true, code);
  }
  return new SmsError(`Twilio send failed: ${errorMessage(err)}`, false, code);
}

const TWILIO_STATUS: Record<string, SmsStatus | undefined> = {
  queued: 'queued',
  accepted: 'queued',
  scheduled: 'queued',
  // Still with Twilio, not yet handed to the carrier.
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  // Read receipts (WhatsApp/RCS) imply delivery.
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
  // receiving/received describe inbound messages, never the fate of one we sent.
  receiving: undefined,
  received: undefined,
};

/** Twilio MessageStatus → our SmsStatus; undefined for inbound or unknown values. */
export function mapTwilioStatus(s: string): SmsStatus | undefined {
  const key = s.trim().toLowerCase();
  return Object.hasOwn(TWILIO_STATUS, key) ? TWILIO_STATUS[key] : undefined;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}
