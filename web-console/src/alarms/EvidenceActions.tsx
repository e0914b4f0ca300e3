/**
 * Issue 21: hand an incident over from the alarm detail. The evidence bundle (one signed ZIP,
 * report in the console's language), the same with faces masked for third parties (PIPA), and
 * the alarm as a CAP 1.2 alert for the fire service or a disaster agency.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../api/errors.js';
import { download } from '../api/http.js';

type Kind = 'evidence' | 'masked' | 'cap';

export function EvidenceActions({ alarmId }: { alarmId: string }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState<Kind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = encodeURIComponent(alarmId);
  const lang = i18n.language.startsWith('ko') ? 'ko' : 'en';
  const paths: Record<Kind, [string, string]> = {
    evidence: [`/alarms/${id}/evidence?lang=${lang}`, `gwanje-evidence-${alarmId}.zip`],
    masked: [`/alarms/${id}/evidence?lang=${lang}&mask=faces`, `gwanje-evidence-${alarmId}-masked.zip`],
    cap: [`/alarms/${id}/cap`, `gwanje-${alarmId}.cap.xml`],
  };
  const run = (kind: Kind) => {
    setBusy(kind);
    setError(null);
    download(...paths[kind])
      .catch((err: unknown) => setError(apiErrorText(err, t)))
      .finally(() => setBusy(null));
  };
  return (
    <section className="evidence-actions" data-evidence-actions={alarmId}>
      <h3>{t('incident.handOver')}</h3>
      <div className="button-row">
        {(['evidence', 'masked', 'cap'] as const).map((k) => (
          <button key={k} type="button" data-evidence={k} disabled={busy !== null} onClick={() => run(k)}>
            {t(`incident.${k}`)}
          </button>
        ))}
      </div>
      {busy && (
        <p className="muted" role="status">
          {t(busy === 'masked' ? 'incident.masking' : 'incident.preparing')}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {t('incident.failed', { message: error })}
        </p>
      )}
      <p className="muted">{t('incident.verifyHint')}</p>
    </section>
  );
}
