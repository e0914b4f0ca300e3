/**
 * The SMS notifications of an alarm in its drawer (issue 21 workbench): who was texted at which
 * escalation tier, whether the carrier took it, delivered it or failed, and when. An acknowledgement
 * by reply shows in the journal as the contact's `ack`.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi.js';
import { formatTime } from './AlarmRow.js';

/** GET /api/v1/alarms/{id}/notifications row (escalation's notification journal). */
export function AlarmNotifications({ alarmId, version }: { alarmId: string; version?: number }) {
  const { t } = useTranslation();
  const list = useApi('/alarms/:alarmId/notifications', { params: { alarmId } });
  const { reload } = list;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the reload trigger
  useEffect(() => reload(), [version, reload]);
  const rows = list.data ?? [];
  return (
    <section aria-label={t('notify.title')} data-notifications={alarmId}>
      <h3>{t('notify.title')}</h3>
      {list.error && <p className="muted">{list.error}</p>}
      {!list.error && rows.length === 0 && <p className="muted">{t('notify.none')}</p>}
      {rows.length > 0 && (
        <table className="grid-table">
          <thead>
            <tr>
              <th>{t('notify.tier')}</th>
              <th>{t('notify.contact')}</th>
              <th>{t('notify.status')}</th>
              <th>{t('notify.when')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((n) => (
              <tr key={n.id} data-notification={n.status}>
                <td className="num">{n.tier}</td>
                <td>{n.contactName}</td>
                <td>
                  {t(`notify.state.${n.status}`, { defaultValue: n.status })}
                  {n.provider ? ` · ${n.provider}` : ''}
                  {n.error ? ` · ${n.error}` : ''}
                </td>
                <td>{formatTime(n.deliveredAt ?? n.failedAt ?? n.submittedAt ?? n.dueAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
