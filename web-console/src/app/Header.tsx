/** Header: navigation, connection state, language switch, user and logout. */
import type { UserView } from '@gwanje/protocol/schemas/http.js';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../api/session.js';
import { useLive } from '../live/LiveProvider.js';
import { OnDutyCompact } from '../oncall/OnCall.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export type View = 'wall' | 'cameras' | 'map' | 'plan' | 'trends' | 'sops' | 'supervise' | 'exports' | 'admin';

export function Header({
  user,
  view,
  onView,
  onLogout,
}: {
  user: UserView;
  view: View;
  onView: (v: View) => void;
  onLogout: () => void;
}) {
  const { t } = useTranslation();
  const conn = useLive((s) => s.conn);
  const attempt = useLive((s) => s.attempt);
  const center = useLive((s) => s.center);
  const views: View[] = ['wall', 'cameras', 'map', 'plan', 'trends', 'exports'];
  // Procedures and the supervisor screens are for supervisors (issue 21); admin screens only by admins.
  if (hasRole(user, 'supervisor')) views.push('sops', 'supervise');
  if (hasRole(user, 'admin')) views.push('admin');
  return (
    <header className="app-header">
      <h1>{t('app.name')}</h1>
      <nav>
        {views.map((v) => (
          <button
            key={v}
            type="button"
            data-nav={v}
            aria-current={v === view ? 'page' : undefined}
            onClick={() => onView(v)}
          >
            {t(`nav.${v}`)}
          </button>
        ))}
      </nav>
      <span className={`conn conn-${conn}`} data-conn={conn} role="status">
        {conn === 'connected' ? '●' : conn === 'offline' ? '✕' : '◌'} {t(`conn.${conn}`)}
        {attempt > 0 && conn !== 'connected' ? ` (${attempt})` : ''}
        {center && conn === 'connected' ? (
          <span className="conn-center" data-center={center}>
            {' '}
            {t('conn.via', { center })}
          </span>
        ) : null}
      </span>
      <OnDutyCompact />
      <LanguageSwitch />
      <span className="user">
        {user.username} · {t(`role.${user.role}`)}
      </span>
      <button type="button" onClick={onLogout}>
        {t('app.logout')}
      </button>
    </header>
  );
}
