/**
 * Rule types: the closed list of per-sensor alarm rules and how each is evaluated (issue 15).
 * Each is an alarm type of CONTRACT "Alarm object" (the test checks they are all in
 * ALARM_TYPES); a rule override of any other type is a 400 naming the field, never a new alarm
 * type (CONTRACT "Default alarm rules").
 */
import type { SensorClass, SensorDescription } from './units.js';
import { sensorClass } from './units.js';

/**
 * How a rule is judged:
 * - high / low: the value reaches the setpoint (>= / <=, or > / < when strict), with deadband
 *   and on/off delays (ISA-18.2 clause 10.4);
 * - bool: a detector at 1 (flame, smoke);
 * - twa / stel: the time-weighted average over 8 h / 15 min reaches the setpoint (Korean notice);
 * - rate: the value climbs faster than setpoint units per minute;
 * - fault: the reading is flagged by its detector or agent (quality fault or a fault code);
 * - range: a non-gas value beyond the measuring range (gas sensors raise gas-high instead);
 * - stale: silent for setpoint reporting intervals.
 */
export type RuleEvaluation = 'high' | 'low' | 'bool' | 'twa' | 'stel' | 'rate' | 'fault' | 'range' | 'stale';

/** What the setpoint is measured in. */
export type SetpointKind = 'value' | 'rate' | 'intervals' | 'none';

export interface RuleTypeInfo {
  evaluation: RuleEvaluation;
  setpoint: SetpointKind;
  /** Alarm priority unless configured: 1 critical ... 4 low (CONTRACT "Alarm object"). */
  priority: 1 | 2 | 3 | 4;
  /** Held until an operator resets it (CONTRACT: the default for gas-high and flame). */
  latched: boolean;
  /** Sensor classes the rule applies to (what the admin form offers, what the API accepts). */
  applies: readonly SensorClass[];
  /**
   * The agent's local fail-safe enforces it too, and by default it drives the site's siren
   * outputs (issue 5: within 500 ms, WAN up or down).
   */
  local: boolean;
  /** The alarm reports a hazard (gas, oxygen, fire): its camera keeps a pre-alarm clip (CONTRACT "Video"). */
  hazard: boolean;
}

const GASLIKE: readonly SensorClass[] = ['combustible', 'toxic', 'unknown-gas'];
const EXPOSURE: readonly SensorClass[] = ['toxic', 'unknown-gas'];
const EVERY: readonly SensorClass[] = [
  'combustible',
  'toxic',
  'oxygen',
  'unknown-gas',
  'flame',
  'smoke',
  'temperature',
  'humidity',
];

const info = (
  evaluation: RuleEvaluation,
  setpoint: SetpointKind,
  applies: readonly SensorClass[],
  priority: 1 | 2 | 3 | 4,
  o: { local?: boolean; hazard?: boolean; latched?: boolean } = {},
): RuleTypeInfo => ({
  evaluation,
  setpoint,
  applies,
  priority,
  latched: o.latched ?? false,
  local: o.local ?? false,
  hazard: o.hazard ?? false,
});

/** The closed list, in the order forms show it. */
export const RULE_TYPE_INFO = {
  'gas-low': info('high', 'value', GASLIKE, 3, { hazard: true }),
  'gas-high': info('high', 'value', GASLIKE, 1, { local: true, hazard: true, latched: true }),
  'gas-twa': info('twa', 'value', EXPOSURE, 2, { hazard: true }),
  'gas-stel': info('stel', 'value', EXPOSURE, 2, { hazard: true }),
  'o2-low': info('low', 'value', ['oxygen'], 2, { local: true, hazard: true }),
  'o2-high': info('high', 'value', ['oxygen'], 2, { local: true, hazard: true }),
  flame: info('bool', 'none', ['flame'], 1, { local: true, hazard: true, latched: true }),
  smoke: info('bool', 'none', ['smoke'], 1, { local: true, hazard: true, latched: true }),
  'temperature-high': info('high', 'value', ['temperature'], 2),
  'rate-of-rise': info('rate', 'rate', [...GASLIKE, 'temperature'], 2),
  'over-range': info('range', 'none', ['temperature', 'humidity'], 2),
  'sensor-fault': info('fault', 'none', EVERY, 2),
  stale: info('stale', 'intervals', EVERY, 3),
} as const satisfies Record<string, RuleTypeInfo>;

export type RuleType = keyof typeof RULE_TYPE_INFO;

export const RULE_TYPES = Object.keys(RULE_TYPE_INFO) as RuleType[];

export const isRuleType = (t: string): t is RuleType => Object.hasOwn(RULE_TYPE_INFO, t);

export function ruleTypeInfo(t: string): RuleTypeInfo | undefined {
  return isRuleType(t) ? RULE_TYPE_INFO[t] : undefined;
}

/** The rule types that apply to a sensor, in table order. */
export function ruleTypesFor(s: SensorDescription): RuleType[] {
  const c = sensorClass(s);
  return RULE_TYPES.filter((t) => (RULE_TYPE_INFO[t].applies as readonly SensorClass[]).includes(c));
}

/** Types the agent's fail-safe enforces, which also drive siren outputs unless an output lists its own. */
export const LOCAL_RULE_TYPES: readonly RuleType[] = RULE_TYPES.filter((t) => RULE_TYPE_INFO[t].local);

/** Types whose alarms get a pre-alarm clip from linked cameras. */
export const HAZARD_RULE_TYPES: readonly RuleType[] = RULE_TYPES.filter((t) => RULE_TYPE_INFO[t].hazard);

/** Rule types by evaluation (for detectors that pick the rules they judge). */
export const evaluationOf = (t: string): RuleEvaluation | undefined => ruleTypeInfo(t)?.evaluation;

/** Judged on a time-weighted average (gas-twa, gas-stel): needs exposure history. */
export const isExposureType = (t: string): boolean => {
  const ev = evaluationOf(t);
  return ev === 'twa' || ev === 'stel';
};

/**
 * Alarm types that are not per-sensor rules but still part of the safety vocabulary: agent
 * comm-loss, camera-loss, ML anomaly, and `config`, the admin warning for a sensor the table
 * cannot give safe defaults (a toxic gas it does not know).
 */
export const CONFIG_ALARM_TYPE = 'config';

/** Fault codes with a meaning beyond "faulty" (normalization, Modbus NE43 levels, transmitter codes). */
export const FAULT_CODES = {
  /** The transmitter is beyond its measuring range: the gas is at least the range top. */
  overRange: 'over-range',
  /** Below range: a dead loop or cell (for oxygen, counts as below o2-low). */
  underRange: 'under-range',
} as const;

/** Over-/under-range codes transmitters send besides ours (matched case-insensitively). */
const OVER_CODES = new Set(['over-range', 'overrange', 'over', 'ovr', 'or', 'hi-range', 'overscale']);
const UNDER_CODES = new Set(['under-range', 'underrange', 'under', 'unr', 'ur', 'lo-range', 'underscale']);

export const isOverRangeCode = (code: string | undefined): boolean =>
  code !== undefined && OVER_CODES.has(code.toLowerCase());
export const isUnderRangeCode = (code: string | undefined): boolean =>
  code !== undefined && UNDER_CODES.has(code.toLowerCase());
