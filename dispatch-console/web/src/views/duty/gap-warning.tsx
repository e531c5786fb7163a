import { useT } from '../../i18n/index.ts';
import { minuteLabel } from './duty-time.ts';
import type { Gap } from './duty-types.ts';

/** Windows listed before the rest are summed up as "and N more". */
const SHOWN = 12;

/**
 * What the server answered to the last rota or absence change: the windows of the next 7 days
 * where a grid of this caregiver's would have nobody on duty (allowed, but flagged in red).
 */
export function GapWarning({ gaps }: { gaps: Gap[] | undefined }) {
  const { t } = useT();
  if (gaps === undefined) return null;
  if (gaps.length === 0) {
    return (
      <p class="duty-no-gaps" data-testid="duty-no-gaps">
        {t('duty.gaps.none')}
      </p>
    );
  }
  const now = new Date();
  const at = (iso: string) => minuteLabel(new Date(iso), now);
  const sorted = [...gaps].sort((a, b) => a.from.localeCompare(b.from) || a.name.localeCompare(b.name));
  return (
    <div class="duty-gaps" role="alert" data-testid="duty-gaps">
      <strong>{t('duty.gaps.title', { n: gaps.length })}</strong>
      <ul>
        {sorted.slice(0, SHOWN).map((g) => (
          <li key={`${g.areaId}-${g.from}`} data-testid="duty-gap" data-area-id={g.areaId} data-from={g.from} data-to={g.to}>
            {t('duty.gaps.window', { grid: g.name, from: at(g.from), to: at(g.to) })}
          </li>
        ))}
      </ul>
      {gaps.length > SHOWN && <p class="small">{t('duty.gaps.more', { n: gaps.length - SHOWN })}</p>}
    </div>
  );
}
