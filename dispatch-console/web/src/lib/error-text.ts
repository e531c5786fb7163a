import { ApiError } from '../api/http.ts';
import type { Translator } from '../i18n/index.ts';
import { errorMessage } from './error-message.ts';

/** What to show a person for a failed request, in the page's language (see error-message.ts). */
export function errorText(err: unknown, tr: Translator): string {
  if (err instanceof ApiError) return errorMessage({ status: err.status, code: err.code, reason: err.reason, message: err.message }, tr.messages);
  return err instanceof Error ? err.message : String(err);
}
