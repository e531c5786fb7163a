import { ApiError } from '../api/http.ts';
import type { Translator } from '../i18n/index.ts';

/** What to show a person for a failed request: the server's own `error` text when there is one. */
export function errorText(err: unknown, { t }: Translator): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('error.network');
    if (err.message === `HTTP ${err.status}`) return t('error.http', { status: err.status });
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
