import type { DirectoryCaregiver } from './routing.ts';

/**
 * The rules for inbound SMS replies, pure (no clock, database or directory inside): what a
 * reply says, who may answer an alarm's code, when a number has guessed too often.
 */

/** Wrong codes a number may send within the window; past that its replies are not read. */
export const SMS_REPLY_WRONG_CODE_LIMIT = 5;
/** The window wrong codes are counted over (sliding: each wrong code counts for this long). */
export const SMS_REPLY_WINDOW_MS = 15 * 60_000;

export interface SmsReplyLimits {
  wrongCodes: number;
  windowMs: number;
}
export const SMS_REPLY_LIMITS: SmsReplyLimits = { wrongCodes: SMS_REPLY_WRONG_CODE_LIMIT, windowMs: SMS_REPLY_WINDOW_MS };

/** "4711" or "4711 A" (accept); anything else is not an answer we understand. */
const SMS_REPLY = /^\s*(\d{4}|\d{6})(?:\s*a)?\s*[.!]?\s*$/i;

/** The reply code an SMS names, if it is a reply at all. */
export const replyCodeOf = (text: string): string | undefined => SMS_REPLY.exec(text)?.[1];

/**
 * A phone number as digits only, as the directory compares them (+86 138…, 0086 138… and
 * 86138… are one number). The SQL side (db/queries/sms-replies.ts) does the same.
 */
export const phoneDigits = (phone: string): string => phone.replace(/\D/g, '').replace(/^00/, '');

/** A number as logs may show it (personal data): its last four digits. */
export const maskedPhone = (digits: string): string => `…${digits.slice(-4)}`;

/** Why a number may answer an alarm's code. */
export type ReplyEntitlement = 'texted' | 'on_duty_in_grid';

/**
 * A number may answer an alarm's code when that alarm's escalation texted it (a caregiver,
 * a supervisor or a family contact: its SMS row), or when it is the phone of a caregiver on
 * duty now for the alarm's grid (routing's "grid" circle: role caregiver, shift now, the grid
 * among their areas). Anyone else is answered as if the code matched nothing.
 */
export function replyEntitlement(
  alarm: { areaId: string | null; texted: boolean },
  sender: { caregiver: Pick<DirectoryCaregiver, 'role' | 'areaIds'> | undefined; onDuty: boolean },
): ReplyEntitlement | undefined {
  if (alarm.texted) return 'texted';
  const c = sender.caregiver;
  if (c && sender.onDuty && c.role === 'caregiver' && alarm.areaId !== null && c.areaIds.includes(alarm.areaId)) return 'on_duty_in_grid';
  return undefined;
}

/** Too many wrong codes in the window: the number's replies are refused unread. */
export const tooManyWrongCodes = (wrongInWindow: number, limits: SmsReplyLimits = SMS_REPLY_LIMITS): boolean => wrongInWindow >= limits.wrongCodes;
