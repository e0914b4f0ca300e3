/**
 * An agent's configuration versions as the center records them (issue 10: "desired and applied
 * versions and shows drift"). Drift is shown with a glyph and words, never colour alone.
 */
import type { AgentConfigState } from '@gwanje/protocol/schemas/routes.js';
import { useTranslation } from 'react-i18next';

export type { AgentConfigState };

const short = (v: string | null) => (v === null ? '—' : v.length > 12 ? `${v.slice(0, 12)}…` : v);

export function ConfigDrift({ config }: { config: AgentConfigState | undefined }) {
  const { t } = useTranslation();
  if (!config) return <span className="muted config-state">{t('config.unknown')}</span>;
  return (
    <span className="config-state" data-drift={config.drift ? 'yes' : 'no'}>
      {t('config.desired')} <code title={config.desired ?? ''}>{short(config.desired)}</code> · {t('config.applied')}{' '}
      <code title={config.applied ?? ''}>{short(config.applied)}</code>
      {config.outcome
        ? ` · ${t('config.outcome')}: ${t(`config.outcomes.${config.outcome}`, { defaultValue: config.outcome })}`
        : ''}{' '}
      {config.error ? <span className="warn"> ({config.error})</span> : null}{' '}
      {config.drift ? (
        <span className="badge drift" data-drift-badge>
          ⚠ {t('config.drift')}
        </span>
      ) : (
        <span className="badge in-sync">✓ {t('config.inSync')}</span>
      )}
    </span>
  );
}
