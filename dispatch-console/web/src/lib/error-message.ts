import type { Catalogue, MessageKey } from '../i18n/en.ts';

/** What the page knows of a refused request: the status and the body's stable fields. */
export interface ErrorFacts {
  /** 0: the server could not be reached. */
  status: number;
  code?: string | undefined;
  reason?: string | undefined;
  /** The server's English `error` text (or `HTTP <status>` when the body was not ours). */
  message: string;
}

export type { ErrorLabels, KnownErrorCode } from './error-labels.ts';

/**
 * The message for a failed request in the page's language: by the finer `reason` when the
 * catalogue knows it, else by the stable `code`; the server's own text only for a code the page
 * does not know (a newer server, a proxy's answer). Pure: the catalogue is passed in.
 */
export function errorMessage(e: ErrorFacts, messages: Catalogue): string {
  const has = (key: string): key is MessageKey => Object.prototype.hasOwnProperty.call(messages, key);
  if (e.status === 0) return messages['error.network'];
  const byReason = `error.reason.${e.reason ?? ''}`;
  if (e.reason && has(byReason)) return messages[byReason];
  const byCode = `error.code.${e.code ?? ''}`;
  if (e.code && has(byCode)) return messages[byCode];
  if (e.message === `HTTP ${e.status}` || e.message === '') return messages['error.http'].replace('{status}', String(e.status));
  return e.message;
}
