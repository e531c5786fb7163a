import type { ComponentType } from 'preact';
import { useT, type MessageKey } from '../../i18n/index.ts';
import { setupHref, setupPages, useSetupPath, type SetupPage } from '../../lib/hash-route.ts';
import type { Session } from '../../types.ts';
import { DutyView } from '../duty/duty-view.tsx';
import { ImportView } from '../import/import-view.tsx';
import { ResidentRecordView } from '../record/resident-record-view.tsx';
import { AreasView } from './areas-view.tsx';
import { CaregiversView } from './caregivers-view.tsx';
import { DevicesView } from './devices-view.tsx';
import { ResidentsView } from './residents-view.tsx';
import { UsersView } from './users-view.tsx';
import type { SetupPageProps } from './setup-page-props.ts';

export type { SetupPageProps } from './setup-page-props.ts';

const pages: Record<SetupPage, ComponentType<SetupPageProps>> = {
  areas: AreasView,
  // #/setup/residents/<id> is one resident's record
  residents: (p) => (p.id === undefined ? <ResidentsView {...p} /> : <ResidentRecordView {...p} id={p.id} />),
  devices: DevicesView,
  caregivers: CaregiversView,
  duty: DutyView,
  users: UsersView,
  import: ImportView,
};

/** Staff logins are managed by admins only (the API answers others 403). */
const visibleTo = (page: SetupPage, role: Session['role']) => page !== 'users' || role === 'admin';

/** The centre's administration: one tab per page, the page below. */
export function SetupView({ session }: { session: Session }) {
  const { t } = useT();
  const asked = useSetupPath();
  const page = visibleTo(asked.page, session.role) ? asked.page : 'residents';
  const Page = pages[page];
  return (
    <main class="setup" data-testid="setup">
      <nav class="setup-tabs" aria-label={t('nav.setup')}>
        {setupPages
          .filter((p) => visibleTo(p, session.role))
          .map((p) => (
            <a key={p} href={setupHref(p)} data-testid={`setup-tab-${p}`} class={p === page ? 'active' : ''} aria-current={p === page ? 'page' : undefined}>
              {t(`setup.tab.${p}` as MessageKey)}
            </a>
          ))}
      </nav>
      <section class="setup-page">
        <Page session={session} id={asked.page === page ? asked.id : undefined} />
      </section>
    </main>
  );
}
