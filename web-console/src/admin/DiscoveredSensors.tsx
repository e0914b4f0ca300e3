/**
 * Field sensors the edge agents adopted from their own description (issue 17; CONTRACT "Edge
 * agent" `sensor-discovered`): an admin confirms each one, or opens it in the sensor rules form
 * (#/admin/<sensorId>) to set its range and rules. Until then it is read with the default rules
 * of its metric, gas and unit.
 */

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';

export function DiscoveredSensors() {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const list = useApi('/discovered-sensors');
  const [error, setError] = useState<string>();
  const rows = list.data ?? [];
  const pending = rows.filter((r) => r.confirmedAt === undefined).length;
  const time = (ts: number) => new Date(ts).toLocaleString(i18n.language);

  const confirm = async (sensorId: string) => {
    setError(undefined);
    try {
      await mutate('POST /discovered-sensors/:sensorId/confirm', { params: { sensorId }, body: {} });
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="admin-card discovered-sensors" data-discovered>
      <h2>
        {t('discovered.title')}{' '}
        {pending > 0 && <span className="badge">{t('discovered.pending', { n: pending })}</span>}
      </h2>
      <p className="muted">{t('discovered.hint')}</p>
      <button type="button" onClick={list.reload}>
        ↻ {t('admin.refresh')}
      </button>
      {(list.error || error) && <p className="error">{list.error ?? error}</p>}
      {rows.length === 0 && !list.loading && <p className="muted">{t('discovered.none')}</p>}
      {rows.length > 0 && (
        <table className="grid-table">
          <thead>
            <tr>
              <th>{t('rules.sensor')}</th>
              <th>{t('filter.site')}</th>
              <th>{t('discovered.kind')}</th>
              <th>{t('discovered.last')}</th>
              <th>{t('discovered.since')}</th>
              <th>{t('discovered.status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sensorId} data-discovered-row={r.sensorId}>
                <td>
                  {r.sensorId} <span className="muted">{r.agentId}</span>
                </td>
                <td>
                  {siteName(
                    sites.find((s) => s.siteId === r.siteId),
                    r.siteId,
                    i18n.language,
                  )}
                </td>
                <td>
                  {t(`metric.${r.metric}`, { defaultValue: r.metric })}
                  {r.gas ? ` ${r.gas}` : ''} ({r.unit})
                </td>
                <td>{r.last ? `${r.last.value} ${r.unit}` : '—'}</td>
                <td>{time(r.discoveredAt)}</td>
                <td>
                  {r.confirmedAt !== undefined ? (
                    <span data-confirmed>{t('discovered.confirmedBy', { who: r.confirmedBy ?? '' })}</span>
                  ) : (
                    <button type="button" className="primary" onClick={() => void confirm(r.sensorId)}>
                      {t('discovered.confirm')}
                    </button>
                  )}{' '}
                  <a href={`#/admin/${encodeURIComponent(r.sensorId)}`} data-rules-link>
                    {t('discovered.setRules')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
