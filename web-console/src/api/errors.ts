/**
 * An API refusal in the operator's language (issue 21). The center answers `{error:{code,
 * message, field?, reason?, params?}}`; `message` is English for logs and scripts, `reason` is a
 * stable code (protocol api-errors.ts) with the values its sentence needs. The console says:
 * the sentence of the reason (i18n `apiError.reason.*`; for `field-invalid` followed by the
 * center's message, which names the rule broken, e.g. `must be <= 86400`), else the sentence of the code
 * (`apiError.code.*`, naming the field when there is one), else the message as it came.
 */
import type { Translate } from '../alarms/describe.js';
import { ApiError } from './http.js';

export function apiErrorText(err: unknown, t: Translate): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiError)) return message;
  const values = { field: err.field ?? '', ...err.params };
  if (err.reason) {
    const text = t(`apiError.reason.${err.reason}`, { ...values, defaultValue: '' });
    // A schema refusal says which rule in its message (`must be <= 86400`): kept after the sentence.
    if (text) return err.reason === 'field-invalid' ? `${text} (${message})` : text;
  }
  const general = t(`apiError.code.${err.code}`, { defaultValue: '' });
  if (!general) return message;
  return err.field ? `${general} (${t('apiError.field', { field: err.field })})` : general;
}
