/** Site details from the map: sensors (live values), cameras, agents (online/offline, buffered). */
import type { SiteView } from '@gwanje/protocol/schemas/http.js';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AgentConfigState, ConfigDrift } from '../admin/ConfigDrift.js';
import { siteName, useCatalog } from '../api/catalog.js';
import { useApi } from '../api/useApi.js';
import { useLive, useLiveStore } from '../live/LiveProvider.js';
import { OnCallPanel } from '../oncall/OnCall.js';

/** An agent as this panel shows it: the REST row (protocol AgentView) merged with live `agent` events. */
interface AgentView {
  agentId: string;
  siteId: string;
  name?: string | null;
  state: string | null;
  buffered?: number | null;
  lastSeen?: number | null;
  config?: AgentConfigState;
}

export function SitePanel({
  site,
  siteId,
  onTrend,
}: {
  site: SiteView | undefined;
  siteId: string;
  onTrend: (sensorId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { cameras } = useCatalog();
  const store = useLiveStore();
  const liveAgents = useLive((s) => s.agents);
  const sensors = useApi('/sensors', { query: { siteId } });
  const agents = useApi('/agents', { query: { siteId } });
  // Sensor values refresh once a second from the live side channel rather than per reading.
  const [, setTick] = useState(0);
  useEffect(() => {
    const iv = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(iv);
  }, []);
  const agentList = new Map<string, AgentView>();
  // GET /agents is admin-only (403 for operators) and lists every visible site: filter here, and
  // let live `agent` events fill in for roles that cannot list.
  for (const a of agents.data ?? []) if (a.siteId === siteId) agentList.set(a.agentId, a);
  for (const a of liveAgents.values()) {
    if (a.siteId !== siteId) continue;
    agentList.set(a.agentId, { ...agentList.get(a.agentId), ...a });
  }

  return (
    <div className="site-panel" data-site-panel={siteId}>
      <h2>{siteName(site, siteId, i18n.language)}</h2>
      <h3>{t('site.sensors')}</h3>
      {sensors.error && <p className="error">{sensors.error}</p>}
      <table className="grid-table">
        <thead>
          <tr>
            <th>{t('site.sensor')}</th>
            <th>{t('site.value')}</th>
            <th>{t('site.state')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(sensors.data ?? []).map((s) => {
            const live = store.lastReadings.get(s.sensorId);
            const v = live?.value ?? s.last?.value;
            return (
              <tr key={s.sensorId} data-sensor-row={s.sensorId}>
                <td>
                  {s.sensorId} <span className="muted">{s.gas ?? t(`metric.${s.metric}`)}</span>
                </td>
                <td className="num">
                  {v ?? '—'} {s.unit}
                </td>
                <td>{t(`sensorState.${live?.state ?? s.state}`, { defaultValue: live?.state ?? s.state })}</td>
                <td>
                  <button type="button" className="link" onClick={() => onTrend(s.sensorId)}>
                    {t('site.trend')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>{t('site.cameras')}</h3>
      <ul>
        {cameras
          .filter((c) => c.siteId === siteId)
          .map((c) => (
            <li key={c.cameraId}>
              {c.name} <span className="muted">({t(`video.${c.state ?? 'idle'}`)})</span>
            </li>
          ))}
      </ul>
      <h3>{t('site.agents')}</h3>
      <ul>
        {[...agentList.values()].map((a) => (
          <li key={a.agentId} data-agent={a.agentId} className={`agent state-${a.state}`}>
            {a.state === 'online' ? '● ' : '✕ '}
            {a.agentId} — {t(`agentState.${a.state}`, { defaultValue: a.state })}
            {a.buffered ? ` · ${t('site.buffered', { count: a.buffered })}` : ''}
            <br />
            <ConfigDrift config={a.config} />
          </li>
        ))}
        {agentList.size === 0 && <li className="muted">{t('site.noAgents')}</li>}
      </ul>
      <OnCallPanel key={siteId} siteId={siteId} />
    </div>
  );
}
