/**
 * The admin's rule overrides of one sensor (issue 15): the type is chosen from exactly the rule
 * types that apply to the sensor (protocol's safety table, `ruleTypesFor`), so the form cannot
 * ask for a type detection does not have. Empty fields keep the value in effect.
 */

import { ruleTypesFor } from '@gwanje/protocol/safety';
import type { RuleOverride, SensorConfigView } from '@gwanje/protocol/schemas/sensor-config.js';
import { useTranslation } from 'react-i18next';

const NUMBERS = ['setpoint', 'deadband', 'onDelayMs', 'offDelayMs'] as const;
const FLAGS = ['enabled', 'latched'] as const;

const num = (v: string): number | undefined => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
const flag = (v: string): boolean | undefined => (v === '' ? undefined : v === 'true');

export function RuleOverrides({
  sensor,
  rules,
  onChange,
  invalid,
}: {
  sensor: SensorConfigView;
  rules: RuleOverride[];
  onChange: (rules: RuleOverride[]) => void;
  /** The field path the center refused (e.g. `rules.1.setpoint`). */
  invalid?: string;
}) {
  const { t } = useTranslation();
  const types = ruleTypesFor(sensor);
  const set = (i: number, patch: Partial<RuleOverride>) =>
    onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const bad = (field: string) => (invalid === field ? true : undefined);
  return (
    <>
      <h3>{t('safety.form.overrides')}</h3>
      <table className="rules-table">
        <thead>
          <tr>
            <th>{t('rules.type')}</th>
            {NUMBERS.map((k) => (
              <th key={k}>{t(`rules.${k}`)}</th>
            ))}
            <th>{t('rules.priority')}</th>
            {FLAGS.map((k) => (
              <th key={k}>{t(`rules.${k}`)}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional, as the API's field paths are
            <tr key={i} data-rule={r.type}>
              <td>
                <select
                  required
                  name="type"
                  aria-label={t('rules.type')}
                  aria-invalid={bad(`rules.${i}.type`)}
                  value={r.type}
                  onChange={(e) => set(i, { type: e.target.value })}
                >
                  <option value="">{t('safety.form.choose')}</option>
                  {/* A stored type the sensor no longer takes stays visible, so it can be removed. */}
                  {r.type && !(types as string[]).includes(r.type) && <option value={r.type}>{r.type}</option>}
                  {types.map((x) => (
                    <option key={x} value={x}>
                      {t(`alarmType.${x}`)}
                    </option>
                  ))}
                </select>
              </td>
              {NUMBERS.map((k) => (
                <td key={k}>
                  <input
                    type="number"
                    step="any"
                    name={k}
                    aria-label={t(`rules.${k}`)}
                    aria-invalid={bad(`rules.${i}.${k}`)}
                    value={r[k] ?? ''}
                    onChange={(e) => set(i, { [k]: num(e.target.value) })}
                  />
                </td>
              ))}
              <td>
                <select
                  aria-label={t('rules.priority')}
                  aria-invalid={bad(`rules.${i}.priority`)}
                  value={r.priority ?? ''}
                  onChange={(e) => set(i, { priority: num(e.target.value) as RuleOverride['priority'] })}
                >
                  <option value="">{t('rules.default')}</option>
                  {[1, 2, 3, 4].map((p) => (
                    <option key={p} value={p}>
                      P{p}
                    </option>
                  ))}
                </select>
              </td>
              {FLAGS.map((k) => (
                <td key={k}>
                  <select
                    aria-label={t(`rules.${k}`)}
                    value={r[k] === undefined ? '' : String(r[k])}
                    onChange={(e) => set(i, { [k]: flag(e.target.value) })}
                  >
                    <option value="">{t('rules.default')}</option>
                    <option value="true">{t('rules.yes')}</option>
                    <option value="false">{t('rules.no')}</option>
                  </select>
                </td>
              ))}
              <td>
                <button type="button" onClick={() => onChange(rules.filter((_, j) => j !== i))}>
                  ✕ {t('rules.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => onChange([...rules, { type: '' }])}>
        + {t('rules.addRule')}
      </button>
      <p className="hint">{t('safety.form.sirenNote')}</p>
    </>
  );
}
