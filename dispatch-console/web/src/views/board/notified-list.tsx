import { useT } from '../../i18n/index.ts';
import type { Alarm, Caregiver } from '../../types.ts';

/** Who was alerted: those being asked now first, those who declined struck through. */
export function NotifiedList({ alarm: a, caregivers }: { alarm: Alarm; caregivers: ReadonlyMap<string, Caregiver> }) {
  const { t } = useT();
  const name = (id: string) => caregivers.get(id)?.name ?? `${id.slice(0, 8)}…`;
  if (a.notified.length === 0 && a.currentNotified.length === 0) return <div class="ar-notified muted">{t('queue.nobodyNotified')}</div>;
  const current = new Set(a.currentNotified);
  const declined = new Set(a.declined);
  const ids = [...a.currentNotified, ...a.notified.filter((id) => !current.has(id))];
  return (
    <div class="ar-notified">
      <span class="muted">{t('queue.notified')}:</span>{' '}
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <span
            class={declined.has(id) ? 'declined' : current.has(id) ? 'asking' : ''}
            title={declined.has(id) ? t('queue.declined') : current.has(id) ? t('queue.asking') : undefined}
            data-caregiver-id={id}
          >
            {name(id)}
          </span>
        </span>
      ))}
    </div>
  );
}
