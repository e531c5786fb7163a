import { useMemo } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { activeQueue } from '../../lib/alarm-queue.ts';
import { board } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';
import { AlarmRow } from './alarm-row.tsx';

export function AlarmQueue({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const { t } = useT();
  const alarms = useStore(board, (s) => s.alarms);
  const caregivers = useStore(board, (s) => s.caregivers);
  const fresh = useStore(board, (s) => s.fresh);
  const skewMs = useStore(board, (s) => s.skewMs);
  const queue = useMemo(() => activeQueue(alarms.values()), [alarms]);
  return (
    <>
      <h2 id="queue-title" class="panel-title">
        {t('queue.title')} <span class="panel-count">{queue.length}</span>
      </h2>
      <ol class="queue" data-testid="queue" role="listbox" aria-labelledby="queue-title">
        {queue.map((a) => (
          <AlarmRow key={a.id} alarm={a} caregivers={caregivers} fresh={fresh.has(a.id)} selected={a.id === selected} skewMs={skewMs} onSelect={onSelect} />
        ))}
      </ol>
      {queue.length === 0 && <p class="placeholder">{t('queue.empty')}</p>}
    </>
  );
}
