/**
 * SMS segment arithmetic. A body that fits one segment arrives as one message on every handset
 * and is billed once; past that, carriers split it and some old phones show the parts out of
 * order, which for an alarm could bury the "Reply 123 to accept" instruction.
 */

// 3GPP TS 23.038 default alphabet. Position 0x09 is the capital Ç: a lower-case ç would be
// delivered as Ç by carriers that follow the table, so it forces UCS-2 instead.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// Extension table: each costs an escape septet plus itself.
const GSM7_EXTENDED = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENDED = new Set(GSM7_EXTENDED);

export const GSM7_SEGMENT = 160;
export const UCS2_SEGMENT = 70;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return false;
  return true;
}

/** Septets a GSM-7 text takes (extension characters count twice). */
export function gsm7Length(text: string): number {
  let n = 0;
  for (const ch of text) n += EXTENDED.has(ch) ? 2 : 1;
  return n;
}

/** UCS-2 length as carriers count it: UTF-16 code units, so an emoji takes two. */
function ucs2Length(text: string): number {
  return text.length;
}

/** Longest prefix of text (whole code points only) whose cost stays within budget. */
function prefixWithin(text: string, budget: number, cost: (ch: string) => number): string {
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const c = cost(ch);
    if (used + c > budget) break;
    used += c;
    end += ch.length;
  }
  return text.slice(0, end);
}

const gsmCost = (ch: string) => (EXTENDED.has(ch) ? 2 : 1);
const ucsCost = (ch: string) => ch.length;

/**
 * head + tail in one segment where possible. The tail (the reply instruction, with its own
 * leading space) is appended verbatim and never cut; the head is shortened and marked with an
 * ellipsis. When a non-GSM character (a resident's Chinese name, say) falls within what a
 * UCS-2 segment would keep, the message goes out as UCS-2 (70) with that character, rather
 * than cutting the name away to win back GSM-7's 160; otherwise it is GSM-7. If the tail
 * leaves no room for any of the head, head + tail is returned unshortened: a two-part SMS
 * beats an alarm without content.
 */
export function fitOneSegment(head: string, tail: string): string {
  const full = head + tail;
  if (isGsm7(full) ? gsm7Length(full) <= GSM7_SEGMENT : ucs2Length(full) <= UCS2_SEGMENT) return full;

  const ucsBudget = UCS2_SEGMENT - ucs2Length(tail) - 1;
  const ucsKept = ucsBudget > 0 ? prefixWithin(head, ucsBudget, ucsCost).trimEnd() : '';
  if (isGsm7(tail) && isGsm7(ucsKept)) {
    // No non-GSM character would survive the UCS-2 cut, so GSM-7's longer budget is free:
    // keep the head up to its first non-GSM character (if any) within 160 septets.
    const budget = GSM7_SEGMENT - gsm7Length(tail) - 3;
    const kept = prefixWithin(gsmPrefix(head), budget, gsmCost).trimEnd();
    return kept.length > 0 ? kept + '...' + tail : full;
  }
  return ucsKept.length > 0 ? ucsKept + '…' + tail : full;
}

/** The part of text before its first non-GSM-7 character. */
function gsmPrefix(text: string): string {
  let end = 0;
  for (const ch of text) {
    if (!BASIC.has(ch) && !EXTENDED.has(ch)) break;
    end += ch.length;
  }
  return text.slice(0, end);
}
