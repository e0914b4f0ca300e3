/** Modal for the alarm actions that need input: shelve (duration + reason) and comment. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export type DialogKind = 'shelve' | 'comment';

const SHELVE_MINUTES = [15, 30, 60, 120, 480];

export function ActionDialog({
  kind,
  onSubmit,
  onCancel,
}: {
  kind: DialogKind;
  onSubmit: (v: { minutes?: number; text: string }) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [minutes, setMinutes] = useState(60);
  const [text, setText] = useState('');
  return (
    <div className="modal-back">
      <form
        className="modal"
        aria-label={t(`actions.${kind}`)}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) onSubmit({ minutes: kind === 'shelve' ? minutes : undefined, text: text.trim() });
        }}
      >
        <h2>{t(`actions.${kind}`)}</h2>
        {kind === 'shelve' && (
          <label>
            {t('dialog.duration')}
            <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} name="minutes">
              {SHELVE_MINUTES.map((m) => (
                <option key={m} value={m}>
                  {t('dialog.minutes', { count: m })}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {kind === 'shelve' ? t('dialog.reason') : t('dialog.comment')}
          <textarea
            // biome-ignore lint/a11y/noAutofocus: the dialog exists to type this text
            autoFocus
            name="text"
            required
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={3}
          />
        </label>
        <div className="row">
          <button type="submit" className="primary">
            {t('dialog.ok')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('dialog.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
