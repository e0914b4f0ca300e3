/**
 * The SOP checklist of an alarm in its detail drawer (issue 21): the steps a supervisor configured
 * for this alarm type at this site (or province-wide), each ticked by an operator with who and
 * when, written to the alarm's journal by the center. A tick can be taken back (unchecked): the center
 * journals who unticked it and when (issue 21), and the step shows that until it is ticked again.
 * Checkboxes: Tab and Space.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../alarms/AlarmRow.js';
import { apiErrorText } from '../api/errors.js';
import { mutate } from '../api/http.js';
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

  /** Ticks the step, or takes its tick back (`undo`). */
  const tick = async (stepId: string, undo: boolean) => {
    setBusy(stepId);
    try {
      const params = { alarmId, stepId };
      if (undo) await mutate('DELETE /alarms/:alarmId/sop/:stepId', { params, body: {} });
      else await mutate('POST /alarms/:alarmId/sop/:stepId', { params, body: {} });
      setError(null);
      reload();
      onTicked();
    } catch (err) {
      setError(apiErrorText(err, t));
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
                disabled={!canTick || busy !== null}
                title={s.done && canTick ? t('sop.untick') : undefined}
                onChange={() => void tick(s.id, !!s.done)}
              />{' '}
              {s.text}
            </label>
            {s.done && (
              <span className="muted" data-sop-done>
                {' '}
                — {t('sop.doneBy', { by: s.done.by, time: formatTime(s.done.at) })}
              </span>
            )}
            {!s.done && s.undone && (
              <span className="muted" data-sop-undone>
                {' '}
                — {t('sop.undoneBy', { by: s.undone.by, time: formatTime(s.undone.at) })}
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
