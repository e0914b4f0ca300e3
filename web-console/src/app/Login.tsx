/** Login form. No default credentials are hinted anywhere (issue 7). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleTone } from '../alarms/tone.js';
import { ApiError, login } from '../api/http.js';
import { type Session, saveSession } from '../api/session.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <main className="login-page">
      <form
        className="login"
        onSubmit={async (e) => {
          e.preventDefault();
          consoleTone.arm();
          setBusy(true);
          setError(undefined);
          try {
            onLogin(saveSession(await login(username, password)));
          } catch (err) {
            // 429: failed attempts from this console are being slowed down (never a lock, F11).
            setError(
              err instanceof ApiError && err.status === 401
                ? t('login.failed')
                : err instanceof ApiError && err.status === 429
                  ? t('login.throttled', { seconds: err.retryAfterS ?? 1 })
                  : `${t('login.error')}: ${err instanceof Error ? err.message : String(err)}`,
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>
          {t('app.name')} <span className="muted">{t('app.subtitle')}</span>
        </h1>
        <label>
          {t('login.username')}
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {error === t('login.failed') && <p className="muted">{t('firstRun.forgotPassword')}</p>}
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
