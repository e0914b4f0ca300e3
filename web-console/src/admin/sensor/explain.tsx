/**
 * A failed save, as the admin reads it (issue 15): the field the center names, and its reason
 * translated (rule problems carry `reason` and `params`); any other error shows its message.
 */

import { useTranslation } from 'react-i18next';
import type { Translate } from '../../alarms/describe.js';
import { ApiError } from '../../api/http.js';

export interface Explained {
  field?: string;
  text: string;
}

/** Params that name rule types are shown by their label (alarmType.*). */
const TYPE_PARAMS = ['type', 'lower', 'upper'];

export function explain(err: unknown, t: Translate): Explained {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiError)) return { text: message };
  // A 400 names the field (CONTRACT error body); older servers only prefix the message with it.
  const field = err.status === 400 ? (err.field ?? /^([\w.]+):/.exec(message)?.[1]) : undefined;
  if (!err.reason) return { field, text: message };
  const params: Record<string, unknown> = { ...err.params };
  for (const k of TYPE_PARAMS) {
    const v = params[k];
    if (typeof v === 'string') params[k] = t(`alarmType.${v}`, { defaultValue: v });
  }
  return { field, text: t(`safety.ruleError.${err.reason}`, { ...params, defaultValue: message }) };
}

/** The refused field and why, under a form (the field's input is marked aria-invalid by the form). */
export function FieldError({ error }: { error?: Explained }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="error" role="alert" data-field={error.field}>
      {error.field ? `${t('rules.field')} ${error.field} — ` : ''}
      {error.text}
    </p>
  );
}
