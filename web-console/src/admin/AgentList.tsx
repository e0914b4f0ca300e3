/** Admin list of registered agents with their configuration versions and drift (issue 10). */
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi.js';
import { ConfigDrift } from './ConfigDrift.js';

export function AgentList() {
  const { t } = useTranslation();
  const agents = useApi('/agents');
  const rows = agents.data ?? [];
  return (
    <section className="admin-card">
      <h2>{t('admin.agentList')}</h2>
      <button type="button" onClick={agents.reload}>
        ↻ {t('admin.refresh')}
      </button>
      {agents.error && <p className="error">{agents.error}</p>}
      <table className="grid-table" data-agent-list>
        <thead>
          <tr>
            <th>{t('admin.agentId')}</th>
            <th>{t('site.state')}</th>
            <th>{t('config.version')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.agentId} data-agent-row={a.agentId}>
              <td>
                {a.agentId} <span className="muted">{a.siteId}</span>
              </td>
              <td>
                {a.state === 'online' ? '● ' : '✕ '}
                {t(`agentState.${a.state}`, { defaultValue: a.state })}
              </td>
              <td>
                <ConfigDrift config={a.config} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
