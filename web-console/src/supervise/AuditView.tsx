/**
 * The audit trail with filters (issue 21): who, kind of action, site and time range, paged by
 * "older entries" (keyset on time and id). An admin of every site sees the whole trail; a
 * supervisor the entries of their sites (the API narrows it, 403 outside them).
 */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { query } from '../api/http.js';
import { fromLocalInput } from './time.js';
import { usePaged } from './usePaged.js';

interface AuditEntry {
  id: number;
  ts: number;
  actor: string;
  ip: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  siteId?: string | null;
}

const KINDS = ['alarm', 'login', 'config', 'rules', 'video', 'user', 'agent', 'sensor', 'camera', 'report'];
const PAGE = 100;

export function AuditView() {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const [f, setF] = useState({ actor: '', kind: '', siteId: '', from: '', to: '' });
  const list = usePaged<AuditEntry>(
    useCallback(
      (last?: AuditEntry) =>
        `/audit${query({
          actor: f.actor.trim(),
          kind: f.kind,
          siteId: f.siteId,
          from: fromLocalInput(f.from),
          to: fromLocalInput(f.to),
          beforeTs: last?.ts,
          beforeId: last?.id,
          limit: PAGE,
        })}`,
      [f],
    ),
    PAGE,
  );
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <section className="admin-card audit-view">
      <h2>{t('sup.audit.title')}</h2>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          list.reload();
        }}
      >
        <label>
          {t('sup.audit.who')}
          <input value={f.actor} data-filter="actor" onChange={set('actor')} />
        </label>
        <label>
          {t('sup.audit.kind')}
          <select value={f.kind} data-filter="kind" onChange={set('kind')}>
            <option value="">{t('sup.audit.anyKind')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`sup.audit.kinds.${k}`)}
              </option>
            ))}
          </select>
        </label>
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
      <table className="grid-table" data-table="audit">
        <thead>
          <tr>
            <th>{t('sup.audit.time')}</th>
            <th>{t('sup.audit.who')}</th>
            <th>{t('sup.audit.action')}</th>
            <th>{t('sup.audit.site')}</th>
            <th>{t('sup.audit.target')}</th>
            <th>{t('sup.audit.ip')}</th>
            <th>{t('sup.audit.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((a) => (
            <tr key={a.id} data-action={a.action}>
              <td>{new Date(a.ts).toLocaleString(i18n.language)}</td>
              <td>{a.actor}</td>
              <td>{a.action}</td>
              <td>{a.siteId ?? ''}</td>
              <td>{a.target ?? ''}</td>
              <td>{a.ip ?? ''}</td>
              <td className="detail">{a.detail ?? ''}</td>
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
