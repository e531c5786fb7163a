/**
 * A `tel:` address for a phone number as people type it ("+86 138-0013 8000", "010 1234 5678
 * ext 12"): the first number in the text, digits only, with its + when it has one (an
 * extension, a second number or a remark after it are left out). Null when there is no digit.
 */
export function telHref(phone: string): string | null {
  const found = /(\+\s*)?\d[\d\s\-().]*/.exec(phone);
  if (!found) return null;
  return `tel:${found[1] ? '+' : ''}${found[0].replace(/\D/g, '')}`;
}
