import type { ComponentChildren } from 'preact';
import { useT } from '../../i18n/index.ts';
import { setupHref } from '../../lib/hash-route.ts';
import { errorText } from '../../lib/error-text.ts';
import type { Samples } from './use-duty-samples.ts';

/** What the day and week tables show instead of (or above) themselves: an error, loading, no grids. */
export function DutyTableState({ samples, rows, children }: { samples: Samples; rows: number; children: ComponentChildren }) {
  const tr = useT();
  const { t } = tr;
  const loaded = samples.answers.some((a) => a !== undefined);
  return (
    <>
      {samples.error !== undefined && (
        <p class="error" role="alert" data-testid="duty-error">
          {errorText(samples.error, tr)}
        </p>
      )}
      {!loaded && samples.error === undefined && <p class="placeholder">{t('duty.loading')}</p>}
      {loaded && rows === 0 && (
        <p class="placeholder" data-testid="duty-no-grids">
          {t('duty.noGrids')} <a href={setupHref('areas')}>{t('duty.toAreas')}</a>
        </p>
      )}
      {rows > 0 && children}
    </>
  );
}
