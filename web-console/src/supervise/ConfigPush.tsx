/**
 * Config push with its drift (issue 10 API, issue 21 screen): pick an agent, see the version the
 * center wants and the one the agent reports, with the difference between the two documents;
 * load a config file signed offline with `gwanje-config sign`, see what it changes against the
 * desired document (secrets masked), push it (admin; the center verifies the signature).
 */

import { maskSecrets } from '@gwanje/protocol/redact';
import type { SignedConfig } from '@gwanje/protocol/schemas/wire.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfigDrift } from '../admin/ConfigDrift.js';
import { apiErrorText } from '../api/errors.js';
import { mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';
import { jsonDiff } from './schema-values.js';

interface Envelope {
  version: string;
  issuedAt: number;
  keyId: string;
  signature: string;
  document: { agentId?: string; siteId?: string } & Record<string, unknown>;
}

/** The envelope in a file, or why it is not one (checked again, fully, by the center). */
export function readEnvelope(text: string): Envelope | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  const e = v as Partial<Envelope>;
  for (const k of ['version', 'keyId', 'signature'] as const) if (typeof e?.[k] !== 'string') return `${k}: missing`;
  if (typeof e.issuedAt !== 'number') return 'issuedAt: missing';
  if (!e.document || typeof e.document !== 'object') return 'document: missing';
  return e as Envelope;
}

function Diff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const lines = jsonDiff(before, after);
  if (lines.length === 0) return <p data-diff="none">{t('sup.config.noDiff')}</p>;
  const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));
  return (
    <table className="grid-table config-diff" data-diff={lines.length}>
      <thead>
        <tr>
          <th>{t('sup.config.path')}</th>
          <th>{t('sup.config.before')}</th>
          <th>{t('sup.config.after')}</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr key={l.path} data-path={l.path}>
            <td>
              <code>{l.path}</code>
            </td>
            <td className="diff-before">{show(l.before)}</td>
            <td className="diff-after">{show(l.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ConfigPush({ isAdmin }: { isAdmin: boolean }) {
  const { t, i18n } = useTranslation();
  const agents = useApi('/agents');
  const [agentId, setAgentId] = useState('');
  const detail = useApi(agentId ? '/agents/:agentId/config' : null, { params: { agentId } });
  const [file, setFile] = useState<Envelope | string>();
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  const d = detail.data;
  const env = typeof file === 'object' ? file : undefined;
  const wrongAgent = env && d && (env.document.agentId !== d.agentId || env.document.siteId !== d.siteId);
  const push = async () => {
    if (!env || !d) return;
    setStatus(undefined);
    try {
      await mutate('POST /agents/:agentId/config', { params: { agentId: d.agentId }, body: env as SignedConfig });
      setStatus({ ok: true, text: t('sup.config.pushed', { version: env.version }) });
      setFile(undefined);
      detail.reload();
    } catch (err) {
      setStatus({ ok: false, text: apiErrorText(err, t) });
    }
  };
  return (
    <section className="admin-card config-push">
      <h2>{t('sup.config.title')}</h2>
      <label>
        {t('sup.config.agent')}{' '}
        <select value={agentId} data-filter="agent" onChange={(e) => setAgentId(e.target.value)}>
          <option value="">{t('sup.config.chooseAgent')}</option>
          {(agents.data ?? []).map((a) => (
            <option key={a.agentId} value={a.agentId}>
              {a.agentId} @ {a.siteId}
            </option>
          ))}
        </select>
      </label>
      {detail.error && <p className="error">{detail.error}</p>}
      {d && (
        <>
          <p data-config-state={d.drift ? 'drift' : 'in-sync'}>
            <ConfigDrift config={d} />
          </p>
          {d.drift && <p className="warn">{t('sup.config.drift')}</p>}
          <h3>{t('sup.config.diffTitle')}</h3>
          {d.applied !== null && d.appliedDocument === null ? (
            <p>{t('sup.config.unknownDoc', { version: d.applied })}</p>
          ) : (
            <Diff before={d.appliedDocument} after={d.desiredDocument} />
          )}
          <h3>{t('sup.config.file')}</h3>
          {!isAdmin && <p className="hint">{t('sup.config.adminOnly')}</p>}
          <input
            type="file"
            accept="application/json,.json"
            data-config-file
            disabled={!isAdmin}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              setStatus(undefined);
              setFile(f ? readEnvelope(await f.text()) : undefined);
            }}
          />
          {typeof file === 'string' && <p className="error">{t('sup.config.badFile', { reason: file })}</p>}
          {env && (
            <>
              <p data-file-info>
                {t('sup.config.fileInfo', {
                  version: env.version,
                  keyId: env.keyId,
                  agentId: env.document.agentId ?? '?',
                  siteId: env.document.siteId ?? '?',
                })}
              </p>
              {wrongAgent && (
                <p className="error">
                  {t('sup.config.wrongAgent', { agentId: env.document.agentId, siteId: env.document.siteId })}
                </p>
              )}
              <h3>{t('sup.config.newDiffTitle')}</h3>
              <Diff before={d.desiredDocument} after={maskSecrets(env.document)} />
              <button type="button" data-push disabled={Boolean(wrongAgent)} onClick={() => void push()}>
                {t('sup.config.push')}
              </button>
            </>
          )}
          {status && (
            <p className={status.ok ? 'ok' : 'error'} role="status" data-push-status>
              {status.text}
            </p>
          )}
          {d.pushes.length > 0 && (
            <>
              <h3>{t('sup.config.history')}</h3>
              <ul className="push-history">
                {d.pushes.map((p) => (
                  <li key={p.version}>
                    <code>{p.version}</code> · {new Date(p.pushedAt).toLocaleString(i18n.language)} · {p.pushedBy} ·{' '}
                    {p.keyId}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
