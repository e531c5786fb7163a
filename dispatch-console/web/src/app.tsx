import { useEffect, useMemo, useState } from 'preact/hooks';
import { getSession, onSessionChange } from './api/session.ts';
import { Header } from './components/header.tsx';
import { ConnBanner } from './components/conn-banner.tsx';
import { I18n, initialLang, saveLang, translator, type Lang } from './i18n/index.ts';
import { useHashRoute } from './lib/hash-route.ts';
import { startLiveBoard } from './state/live-board.ts';
import { startAlarmSound } from './state/sound-alert.ts';
import type { Session } from './types.ts';
import { BoardView } from './views/board/board-view.tsx';
import { LoginView } from './views/login-view.tsx';
import { ReportsView } from './views/reports/reports-view.tsx';
import { AuditView } from './views/audit/audit-view.tsx';
import { SetupView } from './views/setup/setup-view.tsx';

export function App() {
  const [session, setSession] = useState<Session | null>(getSession);
  const [expired, setExpired] = useState(false);
  const [lang, setLang] = useState<Lang>(initialLang);
  const tr = useMemo(() => translator(lang), [lang]);

  useEffect(
    () =>
      onSessionChange((s, why) => {
        setSession(s);
        setExpired(why === 'expired');
      }),
    [],
  );
  useEffect(() => {
    saveLang(lang);
    document.title = tr.t('app.title');
  }, [lang]);

  return (
    <I18n.Provider value={tr}>
      {session ? <Console session={session} lang={lang} onLang={setLang} /> : <LoginView expired={expired} lang={lang} onLang={setLang} />}
    </I18n.Provider>
  );
}

function Console({ session, lang, onLang }: { session: Session; lang: Lang; onLang: (l: Lang) => void }) {
  const asked = useHashRoute();
  // the audit page is for admins: anyone else who types #/audit sees the board
  const route = (asked === 'audit' && session.role !== 'admin') || (asked === 'setup' && session.role === 'caregiver') ? 'board' : asked;
  // one stream per login, kept across view switches so the board is current on return
  useEffect(() => startLiveBoard(session), [session.token]);
  useEffect(startAlarmSound, [session.token]);
  return (
    <div class="console">
      <Header session={session} route={route} lang={lang} onLang={onLang} />
      <ConnBanner />
      {route === 'reports' ? (
        <ReportsView />
      ) : route === 'audit' ? (
        <AuditView />
      ) : route === 'setup' ? (
        <SetupView session={session} />
      ) : (
        <BoardView session={session} />
      )}
    </div>
  );
}
