import { api } from '../api/http.ts';
import { setSession } from '../api/session.ts';
import { useT, type Lang } from '../i18n/index.ts';
import type { Route } from '../lib/hash-route.ts';
import { isActive } from '../lib/active-queue.ts';
import { board, connection } from '../state/live-board.ts';
import { useStore } from '../state/store.ts';
import type { Session } from '../types.ts';
import { LangSwitch } from './lang-switch.tsx';
import { SoundToggle } from './sound-toggle.tsx';

export function Header({ session, route, lang, onLang }: { session: Session; route: Route; lang: Lang; onLang: (l: Lang) => void }) {
  const tr = useT();
  const { t } = tr;
  const alarms = useStore(board, (s) => s.alarms);
  const conn = useStore(connection, (c) => c.kind);
  let open = 0;
  let handling = 0;
  for (const a of alarms.values()) {
    if (a.status === 'open') open += 1;
    else if (isActive(a)) handling += 1;
  }
  const logout = async () => {
    try {
      await api('/api/logout', { method: 'POST' });
    } catch {
      // the token is forgotten here whatever the server says
    }
    setSession(null);
  };
  return (
    <header class="header">
      <h1 class="header-title">{t('app.title')}</h1>
      <nav class="header-nav">
        <a href="#/" data-testid="nav-board" class={route === 'board' ? 'active' : ''} aria-current={route === 'board' ? 'page' : undefined}>
          {t('nav.board')}
        </a>
        <a href="#/reports" data-testid="nav-reports" class={route === 'reports' ? 'active' : ''} aria-current={route === 'reports' ? 'page' : undefined}>
          {t('nav.reports')}
        </a>
        {/* the centre's administration is for operators and admins */}
        {session.role !== 'caregiver' && (
          <a href="#/setup/residents" data-testid="nav-setup" class={route === 'setup' ? 'active' : ''} aria-current={route === 'setup' ? 'page' : undefined}>
            {t('nav.setup')}
          </a>
        )}
        {/* the audit trail is for admins (GET /api/audit answers others 403): no link for anyone else */}
        {session.role === 'admin' && (
          <a href="#/audit" data-testid="nav-audit" class={route === 'audit' ? 'active' : ''} aria-current={route === 'audit' ? 'page' : undefined}>
            {t('nav.audit')}
          </a>
        )}
      </nav>
      <div class="header-counts" aria-live="polite">
        <span class={`count count-open${open > 0 ? ' has' : ''}`} data-testid="count-open">
          <b>{open}</b> {t('header.open')}
        </span>
        <span class="count count-handling" data-testid="count-handling">
          <b>{handling}</b> {t('header.handling')}
        </span>
      </div>
      <span class={`conn conn-${conn}`} data-testid="conn-state" data-state={conn}>
        <span class="conn-dot" aria-hidden="true" />
        {t(conn === 'live' ? 'conn.live' : conn === 'connecting' ? 'conn.connecting' : 'conn.reconnecting')}
      </span>
      <SoundToggle />
      <span class="header-user">
        {session.username} · {tr.label('role', session.role)}
      </span>
      <LangSwitch lang={lang} onLang={onLang} />
      <button type="button" class="btn btn-quiet" onClick={() => void logout()}>
        {t('header.logout')}
      </button>
    </header>
  );
}
