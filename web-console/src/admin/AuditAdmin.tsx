/** Audit trail (GET /api/v1/audit): who did what, newest first. */
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi.js';

interface AuditEntry {
  id?: string | number;
  ts: number;
  actor: string;
  action: string;
  target?: string;
  detail?: unknown;
}

export function AuditAdmin() {
  const { t } = useTranslation();
  const audit = useApi<AuditEntry[] | { entries: AuditEntry[] }>('/audit');
  const list = Array.isArray(audit.data) ? audit.data : (audit.data?.entries ?? []);
  return (
    <section className="admin-card">
      <h2>
        {t('admin.audit')}{' '}
        <button type="button" onClick={audit.reload}>
          ↻ {t('admin.refresh')}
        </button>
      </h2>
      {audit.error && <p className="error">{audit.error}</p>}
      <table className="grid-table">
        <thead>
          <tr>
            <th>{t('admin.time')}</th>
            <th>{t('admin.actor')}</th>
            <th>{t('admin.action')}</th>
            <th>{t('admin.target')}</th>
          </tr>
        </thead>
        <tbody>
          {list.slice(0, 500).map((a, i) => (
            <tr key={a.id ?? `${a.ts}-${i}`}>
              <td>{new Date(a.ts).toLocaleString()}</td>
              <td>{a.actor}</td>
              <td>{a.action}</td>
              <td>{a.target ?? (a.detail ? JSON.stringify(a.detail) : '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
