/**
 * The SMS log (issue 21) from `GET /api/v1/notifications`: every escalation SMS of the caller's
 * sites, newest first, filtered by site, alarm, status and time, paged with "older entries".
 * Delivery (DLR) and failure times show what reached whom.
 */
import type { NotificationView } from '@gwanje/protocol/schemas/escalation.js';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { query } from '../api/http.js';
import { fromLocalInput } from './time.js';
import { usePaged } from './usePaged.js';

const STATUSES = ['pending', 'held', 'sending', 'submitted', 'delivered', 'failed', 'unknown', 'grouped', 'cancelled'];
const PAGE = 50;

export function SmsLog({ alarmId: fixedAlarm }: { alarmId?: string } = {}) {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const [f, setF] = useState({ siteId: '', alarmId: fixedAlarm ?? '', status: '', from: '', to: '' });
  const list = usePaged<NotificationView>(
    useCallback(
      (last?: NotificationView) =>
        `/notifications${query({
          siteId: f.siteId,
          alarmId: f.alarmId,
          status: f.status,
          from: fromLocalInput(f.from),
          to: fromLocalInput(f.to),
          beforeDue: last?.dueAt,
          beforeId: last?.id,
          limit: PAGE,
        })}`,
      [f],
    ),
    PAGE,
  );
  const at = (ts: number | null) => (ts ? new Date(ts).toLocaleString(i18n.language) : '');
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <section className="admin-card sms-log">
      <h2>{t('sup.sms.title')}</h2>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          list.reload();
        }}
      >
        <label>
          {t('sup.common.site')}
          <select value={f.siteId} data-filter="site" onChange={set('siteId')}>
            <option value="">{t('sup.common.allSites')}</option>
            {sites.map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {siteName(s, s.siteId, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('sup.sms.alarm')}
          <input value={f.alarmId} data-filter="alarm" onChange={set('alarmId')} />
        </label>
        <label>
          {t('sup.sms.status')}
          <select value={f.status} data-filter="status" onChange={set('status')}>
            <option value="">{t('sup.sms.anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`sup.sms.statuses.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('sup.common.from')}
          <input type="datetime-local" value={f.from} onChange={set('from')} />
        </label>
        <label>
          {t('sup.common.to')}
          <input type="datetime-local" value={f.to} onChange={set('to')} />
        </label>
        <button type="submit">{t('sup.common.apply')}</button>
      </form>
      {list.error && <p className="error">{list.error}</p>}
      <table className="grid-table" data-table="sms">
        <thead>
          <tr>
            <th>{t('sup.sms.due')}</th>
            <th>{t('sup.common.site')}</th>
            <th>{t('sup.sms.alarm')}</th>
            <th>{t('sup.sms.tier')}</th>
            <th>{t('sup.sms.contact')}</th>
            <th>{t('sup.sms.phone')}</th>
            <th>{t('sup.sms.status')}</th>
            <th>{t('sup.sms.submitted')}</th>
            <th>{t('sup.sms.delivered')}</th>
            <th>{t('sup.sms.error')}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((r) => (
            <tr key={r.id} data-status={r.status}>
              <td>{at(r.dueAt)}</td>
              <td>
                {siteName(
                  sites.find((s) => s.siteId === r.siteId),
                  r.siteId,
                  i18n.language,
                )}
              </td>
              <td>{r.alarmId}</td>
              <td>{r.tier + 1}</td>
              <td>{r.contactName}</td>
              <td>{r.phone}</td>
              <td>{t(`sup.sms.statuses.${r.status}`, { defaultValue: r.status })}</td>
              <td>{at(r.submittedAt)}</td>
              <td>{at(r.deliveredAt ?? r.failedAt)}</td>
              <td>{r.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.rows.length === 0 && <p>{t('sup.common.none')}</p>}
      {list.more && (
        <button type="button" onClick={list.next}>
          {t('sup.common.more')}
        </button>
      )}
    </section>
  );
}
