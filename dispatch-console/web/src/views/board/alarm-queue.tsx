import { useMemo } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { activeQueue } from '../../lib/active-queue.ts';
import { board } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';
import { AlarmRow } from './alarm-row.tsx';

/**
 * The active alarms, and below them the open service orders in a lane of their own (DESIGN
 * "Service orders"): a meal request never sits among the calls for help.
 */
export function AlarmQueue({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const { t } = useT();
  const alarms = useStore(board, (s) => s.alarms);
  const caregivers = useStore(board, (s) => s.caregivers);
  const fresh = useStore(board, (s) => s.fresh);
  const skewMs = useStore(board, (s) => s.skewMs);
  const all = useMemo(() => activeQueue(alarms.values()), [alarms]);
  const queue = all.filter((a) => a.priority !== 'service');
  const orders = all.filter((a) => a.priority === 'service');
  const row = (a: (typeof all)[number]) => (
    <AlarmRow key={a.id} alarm={a} caregivers={caregivers} fresh={fresh.has(a.id)} selected={a.id === selected} skewMs={skewMs} onSelect={onSelect} />
  );
  return (
    <>
      <h2 id="queue-title" class="panel-title">
        {t('queue.title')} <span class="panel-count">{queue.length}</span>
      </h2>
      <ol class="queue" data-testid="queue" role="listbox" aria-labelledby="queue-title">
        {queue.map(row)}
      </ol>
      {queue.length === 0 && <p class="placeholder">{t('queue.empty')}</p>}
      <h2 id="service-queue-title" class="panel-title service-lane-title">
        {t('queue.serviceTitle')} <span class="panel-count">{orders.length}</span>
      </h2>
      <ol class="queue" data-testid="service-queue" role="listbox" aria-labelledby="service-queue-title">
        {orders.map(row)}
      </ol>
      {orders.length === 0 && (
        <p class="placeholder" data-testid="service-queue-empty">
          {t('queue.serviceEmpty')}
        </p>
      )}
    </>
  );
}
