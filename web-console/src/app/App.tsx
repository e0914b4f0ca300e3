/** Application shell: login gate, then providers (catalog, live) and the operator screens. */
import { useCallback, useEffect, useState } from 'react';
import { AdminView } from '../admin/AdminView.js';
import { AlarmPanel } from '../alarms/AlarmPanel.js';
import { CatalogProvider } from '../api/catalog.js';
import { configureApi, mutate } from '../api/http.js';
import { clearSession, hasRole, loadSession, type Session } from '../api/session.js';
import { CameraList } from '../cameras/CameraList.js';
import { ExportView } from '../exports/ExportView.js';
import { LiveProvider } from '../live/LiveProvider.js';
import { SiteMap } from '../map/SiteMap.js';
import { SitePlanView } from '../plans/SitePlanView.js';
import { SopAdmin } from '../sops/SopAdmin.js';
import { asTab, SuperviseView } from '../supervise/SuperviseView.js';
import { TrendsView } from '../trends/TrendsView.js';
import { Wall } from '../wall/Wall.js';
import { FloodBanner } from './FloodBanner.js';
import { Header, type View } from './Header.js';
import { Login } from './Login.js';

/** Route kept in the hash (#/map, #/trends/<sensorId>, #/plan/<siteId>, #/supervise/<tab>) so a reload keeps the screen. */
function readRoute(): { view: View; sensorId: string | null } {
  const [, view, sensorId] = location.hash.split('/');
  const v =
    (['wall', 'cameras', 'map', 'plan', 'trends', 'sops', 'supervise', 'exports', 'admin'] as const).find(
      (x) => x === view,
    ) ?? 'wall';
  return { view: v, sensorId: sensorId ? decodeURIComponent(sensorId) : null };
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [route, setRoute] = useState(readRoute);
  /** Token rejected by the server (expired, revoked): back to login without another request. */
  const expire = useCallback(() => {
    clearSession();
    configureApi({ token: null });
    setSession(null);
  }, []);
  /** Operator logs out: revoke the token on the server too, then forget it. */
  const logout = useCallback(() => {
    mutate('POST /auth/logout', { body: {} })
      .catch((err: unknown) => console.warn('auth: logout request failed', err))
      .finally(expire);
  }, [expire]);
  // Set during render on purpose: children's effects (catalog fetches) run before this
  // component's effects, and must already carry the token.
  configureApi({ token: session?.token ?? null, onUnauthorized: expire });

  useEffect(() => {
    const onHash = () => setRoute(readRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = (view: View, sensorId: string | null = null) => {
    location.hash = `/${view}${sensorId ? `/${encodeURIComponent(sensorId)}` : ''}`;
  };

  if (!session) return <Login onLogin={setSession} />;
  const allowed =
    (route.view !== 'admin' || hasRole(session.user, 'admin')) &&
    (route.view !== 'supervise' || hasRole(session.user, 'supervisor')) &&
    (route.view !== 'sops' || hasRole(session.user, 'supervisor'));
  const view = allowed ? route.view : 'wall';
  return (
    <CatalogProvider key={session.token}>
      <LiveProvider token={session.token} centers={session.centers}>
        <div className="app">
          <Header user={session.user} view={view} onView={(v) => go(v)} onLogout={logout} />
          <FloodBanner />
          <div className="app-body">
            <main className="app-main" data-view={view}>
              {view === 'wall' && <Wall username={session.user.username} />}
              {view === 'cameras' && <CameraList />}
              {view === 'map' && <SiteMap onTrend={(id) => go('trends', id)} />}
              {view === 'plan' && (
                <SitePlanView
                  siteId={route.sensorId}
                  canEdit={hasRole(session.user, 'admin')}
                  onSite={(id) => go('plan', id)}
                  onTrend={(id) => go('trends', id)}
                />
              )}
              {view === 'trends' && <TrendsView sensorId={route.sensorId} onSensor={(id) => go('trends', id)} />}
              {view === 'sops' && <SopAdmin allSites={session.user.sites.includes('*')} />}
              {view === 'exports' && <ExportView />}
              {view === 'admin' && <AdminView sensorId={route.sensorId} />}
              {view === 'supervise' && (
                <SuperviseView
                  tab={asTab(route.sensorId)}
                  onTab={(tab) => go('supervise', tab)}
                  isAdmin={hasRole(session.user, 'admin')}
                />
              )}
            </main>
            <AlarmPanel canAct={hasRole(session.user, 'operator')} view={view} />
          </div>
        </div>
      </LiveProvider>
    </CatalogProvider>
  );
}
