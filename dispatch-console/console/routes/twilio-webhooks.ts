import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../common/errors.ts';
import type { Dispatcher } from '../../dispatcher/dispatcher.ts';
import type { Notifier } from '../../dispatcher/notifier.ts';
import { mapTwilioStatus } from '../../dispatcher/sms/sms-provider.ts';
import { validateTwilioSignature } from '../../dispatcher/sms/twilio-provider.ts';
import { SMS_REPLY_WINDOW_MS, SMS_REPLY_WRONG_CODE_LIMIT } from '../../core/sms-reply-rules.ts';
import { errorResponses, noContent } from './shared-schemas.ts';

export interface TwilioWebhookOptions {
  /** What the webhooks ask of the dispatcher: a reply to an alarm's SMS, a delivery report. */
  dispatcher: Pick<Dispatcher, 'smsReply'>;
  notifier: Pick<Notifier, 'deliveryReport'>;
  /** Undefined: no provider configured, so nobody can legitimately call these. */
  authToken: string | undefined;
  /** The base Twilio was given (PUBLIC_URL): signatures are computed over it. */
  publicUrl: string;
}

/** Twilio posts flat form fields (From, Body, MessageSid, MessageStatus…): strings, every one signed. */
const twilioForm = z.record(z.string(), z.string());

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
const twiml = (reply: FastifyReply, message: string) =>
  reply.type('text/xml').send(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>${xml(message)}</Message></Response>`);

const SIGNED =
  'For Twilio, not for people: a form-encoded (application/x-www-form-urlencoded) POST signed with `X-Twilio-Signature`, ' +
  'checked against TWILIO_AUTH_TOKEN over PUBLIC_URL + this path; a bad or missing signature answers 403, ' +
  'and with no SMS provider configured the route answers 404. No bearer token.';

// a string with a non-JSON type is sent as it is: the schema only documents it
const twimlText = z.string().meta({ description: 'TwiML: the message to text back', contentMediaType: 'text/xml' });

/** Twilio's webhooks: an SMS reply accepts an alarm; delivery reports update the notification. */
export const twilioWebhookRoutes: FastifyPluginAsync<TwilioWebhookOptions> = async (app, o) => {
  // Twilio posts forms; only these routes read them (encapsulated to this plugin)
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const verified = (request: FastifyRequest): Record<string, string> => {
    if (!o.authToken) throw new NotFoundError('SMS webhook (no SMS provider is configured)');
    const parsed = twilioForm.safeParse(request.body ?? {});
    if (!parsed.success) throw new ValidationError('expected a form-encoded Twilio body');
    const params = parsed.data;
    const url = new URL(request.url, o.publicUrl).toString();
    const signature = request.headers['x-twilio-signature'];
    if (!validateTwilioSignature(o.authToken, typeof signature === 'string' ? signature : undefined, url, params)) {
      request.log.warn({ url }, 'twilio webhook with a bad signature refused');
      throw new ForbiddenError('invalid Twilio signature');
    }
    return params;
  };

  app.post(
    '/twilio/sms',
    {
      config: { public: true },
      schema: {
        operationId: 'receiveTwilioSms',
        summary: 'Twilio webhook: an inbound SMS reply accepts an alarm',
        description:
          `${SIGNED} A reply of the alarm's code ("4711", or "4711 A") accepts that alarm when it comes from a number the alarm's ` +
          'escalation texted (caregiver, supervisor or family contact) or from a caregiver on duty for its grid; from any other ' +
          'number it is answered as a code that matches nothing. A number that is neither a caregiver nor a family contact is ' +
          `told it is not registered, whatever it sent. After ${SMS_REPLY_WRONG_CODE_LIMIT} wrong codes within ${SMS_REPLY_WINDOW_MS / 60_000} minutes a number's replies are answered ` +
          '"too many attempts" unread. A repeated MessageSid gets the same answer and changes nothing. ' +
          'Answers TwiML (text/xml) with the message to text back.',
        security: [],
        response: { 200: twimlText, ...errorResponses(400, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const p = verified(request);
      const outcome = await o.dispatcher.smsReply({ from: p.From ?? '', text: (p.Body ?? '').slice(0, 200), messageSid: p.MessageSid });
      switch (outcome.kind) {
        case 'not_understood':
          return twiml(reply, 'To accept an alarm, reply with the code in its message.');
        case 'no_alarm':
          return twiml(reply, `No open alarm has code ${outcome.code}; it may be closed already.`);
        case 'not_registered':
          return twiml(reply, 'This number is not registered for alarms. Please call the care centre.');
        case 'too_many_attempts':
          return twiml(reply, 'Too many attempts with wrong codes. Please call the care centre.');
        case 'in_progress':
          return reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
        case 'taken':
          return twiml(reply, `Alarm ${outcome.code} is already taken${outcome.by ? ` by ${outcome.by}` : ''}. Thank you.`);
        case 'accepted':
          return twiml(reply, `Accepted: please go to ${outcome.resident}${outcome.address ? ` at ${outcome.address}` : ''}.`);
      }
    },
  );

  app.post(
    '/twilio/status',
    {
      config: { public: true },
      schema: {
        operationId: 'receiveTwilioStatus',
        summary: 'Twilio webhook: SMS delivery status',
        description: `${SIGNED} Records MessageStatus (and ErrorCode) for the notification sent as MessageSid; 204.`,
        security: [],
        response: { 204: noContent('Recorded'), ...errorResponses(400, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const p = verified(request);
      const status = mapTwilioStatus(p.MessageStatus ?? '');
      if (!p.MessageSid || !status) throw new ValidationError('MessageSid and a known MessageStatus are required');
      const error = p.ErrorCode ? `twilio error ${p.ErrorCode}${p.ErrorMessage ? `: ${p.ErrorMessage}` : ''}` : null;
      await o.notifier.deliveryReport(p.MessageSid, status, error);
      return reply.code(204).send();
    },
  );
};
