import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/http.ts';
import { setSession } from '../api/session.ts';
import { LangSwitch } from '../components/lang-switch.tsx';
import { useT, type Lang } from '../i18n/index.ts';
import { errorText } from '../lib/error-text.ts';
import type { Session } from '../types.ts';

export function LoginView({ expired, lang, onLang }: { expired: boolean; lang: Lang; onLang: (l: Lang) => void }) {
  const tr = useT();
  const { t } = tr;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  // the failure itself, put into words at render: switching the language re-words it
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api<Session>('/api/login', { method: 'POST', body: { username, password }, anonymous: true });
      setSession({ token: s.token, username: s.username ?? username, role: s.role ?? 'operator', caregiverId: s.caregiverId ?? null });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={(e) => void submit(e)}>
        <div class="login-head">
          <h1>{t('app.title')}</h1>
          <LangSwitch lang={lang} onLang={onLang} />
        </div>
        <h2>{t('login.title')}</h2>
        {expired && !error && <p class="notice">{t('login.expired')}</p>}
        <label>
          {t('login.username')}
          <input data-testid="login-username" name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input data-testid="login-password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error !== null && (
          <p class="error" role="alert" data-testid="login-error" data-reason={error instanceof ApiError ? (error.reason ?? error.code) : undefined}>
            {errorText(error, tr)}
          </p>
        )}
        <button type="submit" class="btn btn-primary" data-testid="login-submit" disabled={busy}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
