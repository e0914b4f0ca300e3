/**
 * Typed rules (issue 15): the checks the center's API and firmware-config's validation both run
 * on a sensor's rule overrides, so the signed agent config and PATCH /sensors/{id} accept exactly
 * the same rules. Every problem names its field relative to the sensor (`rules.1.setpoint`).
 */
import { gasInfo } from './gases.js';
import { RULE_TYPES, ruleTypeInfo, ruleTypesFor } from './rule-types.js';
import { type RuleOverrideLike, type RuleSpec, resolveRules } from './rules.js';
import { rangeOf, type SensorDescription, sensorClass } from './units.js';

/** Why a rule is refused: a key the console translates (issue 15: the form explains in Korean or English). */
export type RuleProblemReason =
  | 'unknown-type'
  | 'duplicate-type'
  | 'not-applicable'
  | 'no-setpoint'
  | 'outside-range'
  | 'bad-rate'
  | 'bad-intervals'
  | 'setpoint-required'
  | 'order';

export interface RuleProblem {
  /** Field path relative to the sensor, e.g. `rules.0.type`. */
  path: string;
  /** English, for logs and the CLI; `reason` and `params` say the same as data. */
  message: string;
  reason: RuleProblemReason;
  params: Record<string, string | number>;
}

const fmt = (v: number): string => String(Math.round(v * 1e6) / 1e6);

function describe(s: SensorDescription): string {
  const what = s.metric === 'gas' ? `${s.gas ?? 'gas'} in ${s.unit}` : `${s.metric} in ${s.unit}`;
  return `${sensorClass(s)} sensor (${what})`;
}

/** Ordered pairs of rules whose setpoints must keep their order: [lower, upper, why]. */
const ORDERED: readonly [string, string, string][] = [
  ['gas-low', 'gas-high', 'must be below'],
  ['o2-low', 'o2-high', 'must be below'],
  ['gas-twa', 'gas-stel', 'must not be above'],
];

/** Problems with one sensor's rule overrides (empty when they are fine). */
export function checkRules(s: SensorDescription, overrides: readonly RuleOverrideLike[]): RuleProblem[] {
  const out: RuleProblem[] = [];
  const applicable = ruleTypesFor(s);
  const seen = new Map<string, number>();
  const range = rangeOf(s);
  overrides.forEach((o, i) => {
    const p = `rules.${i}`;
    const t = ruleTypeInfo(o.type);
    if (!t) {
      out.push({
        path: `${p}.type`,
        message: `unknown rule type "${o.type}" (one of ${RULE_TYPES.join(', ')})`,
        reason: 'unknown-type',
        params: { type: o.type, known: RULE_TYPES.join(', ') },
      });
      return;
    }
    const first = seen.get(o.type);
    if (first !== undefined) {
      out.push({
        path: `${p}.type`,
        message: `duplicate rule type "${o.type}" (also rules.${first})`,
        reason: 'duplicate-type',
        params: { type: o.type, other: `rules.${first}` },
      });
      return;
    }
    seen.set(o.type, i);
    if (!(applicable as string[]).includes(o.type)) {
      out.push({
        path: `${p}.type`,
        message: `"${o.type}" does not apply to a ${describe(s)}; it takes ${applicable.join(', ')}`,
        reason: 'not-applicable',
        params: { type: o.type, sensor: describe(s), applicable: applicable.join(', ') },
      });
      return;
    }
    if (o.setpoint === undefined) return;
    const sp = o.setpoint;
    const params = { type: o.type, setpoint: fmt(sp), unit: s.unit, min: fmt(range.min), max: fmt(range.max) };
    if (t.setpoint === 'none') {
      out.push({ path: `${p}.setpoint`, message: `${o.type} takes no setpoint`, reason: 'no-setpoint', params });
    } else if (t.setpoint === 'value' && (sp < range.min || sp > range.max)) {
      const src = s.range ? "the sensor's range" : `the ${s.unit} scale`;
      out.push({
        path: `${p}.setpoint`,
        message: `${fmt(sp)} ${s.unit} is outside ${src} ${fmt(range.min)}..${fmt(range.max)} ${s.unit}`,
        reason: 'outside-range',
        params,
      });
    } else if (t.setpoint === 'rate' && !(sp > 0 && sp <= range.max - range.min)) {
      out.push({
        path: `${p}.setpoint`,
        message: `${fmt(sp)} ${s.unit}/min must be above 0 and at most the span ${fmt(range.max - range.min)}`,
        reason: 'bad-rate',
        params: { ...params, span: fmt(range.max - range.min) },
      });
    } else if (t.setpoint === 'intervals' && !(sp >= 1 && sp <= 1000)) {
      out.push({
        path: `${p}.setpoint`,
        message: `${fmt(sp)} reporting intervals must be between 1 and 1000`,
        reason: 'bad-intervals',
        params,
      });
    }
  });
  if (out.length > 0) return out;
  let rules: RuleSpec[];
  try {
    rules = resolveRules(s, overrides);
  } catch {
    // An added rule without a setpoint: name it.
    const i = overrides.findIndex((o) => o.setpoint === undefined && o.enabled !== false && !hasDefault(s, o.type));
    const g = s.metric === 'gas' && !gasInfo(s.gas) ? ` (gas "${s.gas}" is not in the table)` : '';
    const type = overrides[Math.max(i, 0)]?.type ?? '';
    return [
      {
        path: `rules.${Math.max(i, 0)}.setpoint`,
        message: `required: this sensor has no default ${type}${g}`,
        reason: 'setpoint-required',
        params: { type, gas: s.gas ?? '' },
      },
    ];
  }
  const byType = new Map(rules.filter((r) => r.enabled).map((r) => [r.type, r]));
  for (const [lo, hi, why] of ORDERED) {
    const a = byType.get(lo);
    const b = byType.get(hi);
    if (!a || !b) continue;
    const bad = why === 'must be below' ? a.setpoint >= b.setpoint : a.setpoint > b.setpoint;
    if (!bad) continue;
    // Name the override that moved things: the lower rule's if it was overridden, else the upper's.
    const iLo = overrides.findIndex((o) => o.type === lo && o.setpoint !== undefined);
    const iHi = overrides.findIndex((o) => o.type === hi && o.setpoint !== undefined);
    const i = iLo >= 0 ? iLo : iHi;
    out.push({
      path: `rules.${i}.setpoint`,
      message: `${lo} ${fmt(a.setpoint)} ${why} ${hi} ${fmt(b.setpoint)} ${s.unit}`,
      reason: 'order',
      params: { lower: lo, lowerSetpoint: fmt(a.setpoint), upper: hi, upperSetpoint: fmt(b.setpoint), unit: s.unit },
    });
  }
  return out;
}

const hasDefault = (s: SensorDescription, type: string): boolean => resolveRules(s).some((r) => r.type === type);

/**
 * Configuration warnings for a sensor (shown to admins, raised as a `config` alarm until fixed):
 * `unknown-gas` when a gas sensor the table cannot give limits to has no gas-high of its own.
 */
export function configWarnings(s: SensorDescription, rules: readonly RuleSpec[]): string[] {
  if (sensorClass(s) !== 'unknown-gas') return [];
  return rules.some((r) => r.type === 'gas-high' && r.enabled) ? [] : ['unknown-gas'];
}
