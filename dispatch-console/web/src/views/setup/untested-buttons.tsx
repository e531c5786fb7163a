import type { Wire } from '../../../../../contract/alarm-view.ts';
import type { UntestedResident } from '../../../../../contract/button-tests.ts';
import { useT } from '../../i18n/index.ts';
import { setupHref } from '../../lib/hash-route.ts';
import { ErrorNote, useLoad } from './admin-kit.tsx';

/** The weekly button test (JGJ/T 484): residents whose button is overdue (GET /api/residents/untested). */
export function UntestedButtons() {
  const tr = useT();
  const { t } = tr;
  const [list] = useLoad<Array<Wire<UntestedResident>>>('/api/residents/untested');
  return (
    <section class="panel record-section" data-testid="untested-buttons">
      <h3 class="panel-title">
        {t('buttonTest.title')} {list.kind === 'ok' && <span class="muted">({list.data.length})</span>}
      </h3>
      <p class="muted small">{t('buttonTest.hint')}</p>
      {list.kind === 'error' && <ErrorNote text={list.text} />}
      {list.kind === 'ok' && list.data.length === 0 && <p class="muted small">{t('buttonTest.none')}</p>}
      {list.kind === 'ok' && list.data.length > 0 && (
        <ul class="admin-list">
          {list.data.map((r) => (
            <li key={r.residentId} data-testid="untested-resident" data-resident-id={r.residentId}>
              <a href={setupHref('residents', r.residentId)}>{r.name}</a>{' '}
              <span class="muted small">{r.lastButtonTestAt ? t('buttonTest.last', { when: tr.dateTime(r.lastButtonTestAt) }) : t('buttonTest.never')}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
