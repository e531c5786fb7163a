import { z } from 'zod';

/**
 * What an inbound SMS reply (POST /twilio/sms) came to: the webhook words it as the text
 * sent back, and it is stored with the message's MessageSid so a replay gets the same answer.
 *
 * A code that matches no alarm the sender may answer is `no_alarm`, whether or not some other
 * alarm has that code; a number nobody registered is `not_registered` whatever it sent; a
 * number with too many wrong codes lately is `too_many_attempts` and its codes are not read.
 */
export const smsReplyOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('not_understood') }),
  z.object({ kind: z.literal('no_alarm'), code: z.string() }),
  z.object({ kind: z.literal('not_registered') }),
  z.object({ kind: z.literal('too_many_attempts') }),
  z.object({ kind: z.literal('taken'), code: z.string(), by: z.string().nullable() }),
  z.object({ kind: z.literal('accepted'), resident: z.string(), address: z.string().nullable() }),
  /** Another delivery of the same MessageSid is still being answered: nothing more to text back. */
  z.object({ kind: z.literal('in_progress') }),
]);
export type SmsReplyOutcome = z.infer<typeof smsReplyOutcomeSchema>;
export type SmsReplyOutcomeKind = SmsReplyOutcome['kind'];
