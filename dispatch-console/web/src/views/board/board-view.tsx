import { useState } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { boardAlarmOf } from '../../lib/hash-route.ts';
import type { Session } from '../../types.ts';
import { AlarmDetail } from './alarm-detail.tsx';
import { AlarmQueue } from './alarm-queue.tsx';
import { DevicesPanel } from './devices-panel.tsx';
import { OnDutyPanel } from './on-duty-panel.tsx';

/** The default view: the queue, the selected alarm, and who and what needs attention. */
export function BoardView({ session }: { session: Session }) {
  const { t } = useT();
  const [selected, setSelected] = useState<string | null>(() => boardAlarmOf(location.hash));
  return (
    <main class="board">
      <section class="board-queue panel" aria-labelledby="queue-title">
        <AlarmQueue selected={selected} onSelect={setSelected} />
      </section>
      <section class="board-detail panel">
        {selected ? <AlarmDetail key={selected} alarmId={selected} session={session} onClose={() => setSelected(null)} /> : <p class="placeholder">{t('detail.none')}</p>}
      </section>
      <aside class="board-side">
        <OnDutyPanel />
        {/* caregivers' logins get no device list from the server */}
        {session.role !== 'caregiver' && <DevicesPanel />}
      </aside>
    </main>
  );
}
