import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../alarms/AlarmRow.js';
import { api } from '../api/http.js';
import { useApi } from '../api/useApi.js';

export function SopChecklist({
  alarmId,
  canTick,
  version,
  onTicked,
}: {
  alarmId: string;
  canTick: boolean;
  /** Changes when the alarm changes (another console ticked a step): reload. */
  version?: number;
  onTicked: () => void;
}) {
  const { t } = useTranslation();
  const sop = useApi('/alarms/:alarmId/sop', { params: { alarmId } });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { reload } = sop;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the reload trigger
  useEffect(() => reload(), [version, reload]);

  const tick = async (stepId: string) => {
    setBusy(stepId);
    try {
      await api('POST', `/alarms/${encodeURIComponent(alarmId)}/sop/${encodeURIComponent(stepId)}`, {});
      setError(null);
      reload();
      onTicked();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const steps = sop.data?.steps ?? [];
  return (
    <section className="sop" aria-label={t('sop.title')} data-sop={alarmId}>
      <h3>
        {t('sop.title')}
        {sop.data?.source === 'all' && <span className="muted"> · {t('sop.province')}</span>}
      </h3>
      {sop.error && <p className="error">{sop.error}</p>}
      {sop.data && steps.length === 0 && <p className="muted">{t('sop.none')}</p>}
      <ol className="sop-steps">
        {steps.map((s) => (
          <li key={s.id} data-sop-step={s.id} data-done={s.done ? 'yes' : 'no'}>
            <label>
              <input
                type="checkbox"
                checked={!!s.done}
                disabled={!!s.done || !canTick || busy !== null}
                onChange={() => void tick(s.id)}
              />{' '}
              {s.text}
            </label>
            {s.done && (
              <span className="muted" data-sop-done>
                {' '}
                — {t('sop.doneBy', { by: s.done.by, time: formatTime(s.done.at) })}
              </span>
            )}
          </li>
        ))}
      </ol>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
