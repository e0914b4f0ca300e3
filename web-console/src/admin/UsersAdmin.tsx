/** Users and the sites they may see (GET/POST/PATCH /api/v1/users). */
import type { Role } from '@gwanje/protocol/schemas/http.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';

/** Local copy of protocol ROLES (typed against it) so TypeBox stays out of the bundle. */
const ROLE_LIST: readonly Role[] = ['viewer', 'operator', 'supervisor', 'admin'];

const parseSites = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function UsersAdmin() {
  const { t } = useTranslation();
  const users = useApi('/users');
  const [form, setForm] = useState<{ username: string; password: string; role: Role; sites: string }>({
    username: '',
    password: '',
    role: 'operator',
    sites: '*',
  });
  const [error, setError] = useState<string>();
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      users.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section className="admin-card">
      <h2>{t('admin.users')}</h2>
      {error && <p className="error">{error}</p>}
      <table className="grid-table">
        <thead>
          <tr>
            <th>{t('login.username')}</th>
            <th>{t('admin.role')}</th>
            <th>{t('admin.sites')}</th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.username}>
              <td>{u.username}</td>
              <td>
                <select
                  value={u.role}
                  onChange={(e) =>
                    run(() =>
                      mutate('PATCH /users/:username', {
                        params: { username: u.username },
                        body: { role: e.target.value as Role },
                      }),
                    )
                  }
                >
                  {ROLE_LIST.map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  defaultValue={u.sites.join(', ')}
                  aria-label={t('admin.sites')}
                  onBlur={(e) => {
                    const sites = parseSites(e.target.value);
                    if (sites.join(',') !== u.sites.join(','))
                      void run(() =>
                        mutate('PATCH /users/:username', { params: { username: u.username }, body: { sites } }),
                      );
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await mutate('POST /users', { body: { ...form, sites: parseSites(form.sites) } });
            setForm({ username: '', password: '', role: 'operator', sites: '*' });
          });
        }}
      >
        <label>
          {t('login.username')}
          <input required value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
        </label>
        <label>
          {t('login.password')}
          <input
            required
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        <label>
          {t('admin.role')}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLE_LIST.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.sites')}
          <input value={form.sites} onChange={(e) => setForm({ ...form, sites: e.target.value })} />
        </label>
        <button type="submit" className="primary">
          {t('admin.addUser')}
        </button>
      </form>
    </section>
  );
}
