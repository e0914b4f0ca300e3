/** Register an edge agent (POST /api/v1/agents); the broker credentials are shown once, with copy. */
import type { AgentCredentials } from '@gwanje/protocol/schemas/http.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { mutate } from '../api/http.js';

export function AgentsAdmin() {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const [form, setForm] = useState({ agentId: '', siteId: '', name: '' });
  const [creds, setCreds] = useState<AgentCredentials | null>(null);
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const body = { agentId: form.agentId, siteId: form.siteId, ...(form.name ? { name: form.name } : {}) };
      setCreds(await mutate('POST /agents', { body }));
      setCopied(false);
      setForm({ agentId: '', siteId: form.siteId, name: '' });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section className="admin-card">
      <h2>{t('admin.agents')}</h2>
      <form onSubmit={submit} className="form-grid">
        <label>
          {t('admin.agentId')}
          <input
            required
            pattern="[a-z0-9][a-z0-9\-]{0,62}"
            value={form.agentId}
            onChange={(e) => setForm({ ...form, agentId: e.target.value })}
          />
        </label>
        <label>
          {t('filter.site')}
          <select required value={form.siteId} onChange={(e) => setForm({ ...form, siteId: e.target.value })}>
            <option value="" />
            {sites.map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {siteName(s, s.siteId, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.name')}
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <button type="submit" className="primary">
          {t('admin.register')}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {creds && (
        <div className="credentials" role="status">
          <p className="warn">⚠ {t('admin.shownOnce')}</p>
          <pre data-credentials>{JSON.stringify(creds, null, 2)}</pre>
          <button
            type="button"
            onClick={() => {
              navigator.clipboard
                .writeText(JSON.stringify(creds, null, 2))
                .then(() => setCopied(true))
                .catch((err: unknown) => setError(`${t('admin.copy')}: ${String(err)}`));
            }}
          >
            ⧉ {copied ? t('admin.copied') : t('admin.copy')}
          </button>
          <button type="button" onClick={() => setCreds(null)}>
            {t('dialog.close')}
          </button>
        </div>
      )}
    </section>
  );
}
