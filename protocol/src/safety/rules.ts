/**
 * The default rule set per metric / gas / unit (CONTRACT "Default alarm rules") and per-sensor
 * overrides, resolved the same way at the center (detection), on the agent (fail-safe) and in
 * the console (trend setpoints, the rules form). Every rule carries a deadband and on/off
 * delays: ISA-18.2 clause 10 asks for both so a noisy signal at the setpoint does not chatter.
 */
import { gasInfo } from './gases.js';
import { RULE_TYPE_INFO, type RuleType, ruleTypeInfo } from './rule-types.js';
import { convertConcentration, ppmPer, type SensorDescription, sensorClass } from './units.js';

export type RulePriority = 1 | 2 | 3 | 4;

/** One configured rule on one sensor, after defaults and overrides. */
export interface RuleSpec {
  type: string;
  priority: RulePriority;
  /** 'high': active when value >= setpoint; 'low': when value <= setpoint; 'bool': value >= 1. */
  direction: 'high' | 'low' | 'bool';
  /** Compare strictly (> / <): CONTRACT says O2 alarms "below 19.5 and above 23.5". */
  strict?: boolean;
  setpoint: number;
  deadband: number;
  onDelayMs: number;
  offDelayMs: number;
  latched: boolean;
  /** rate-of-rise: slope window; gas-twa / gas-stel: averaging window. */
  windowMs?: number;
  enabled: boolean;
}

/** A per-sensor override as the signed agent config and the admin API carry it. */
export interface RuleOverrideLike {
  type: string;
  enabled?: boolean;
  setpoint?: number;
  priority?: RulePriority;
  deadband?: number;
  onDelayMs?: number;
  offDelayMs?: number;
  latched?: boolean;
}

/** 8-hour TWA window (Korean notice: 1일 8시간 작업 평균). */
export const TWA_WINDOW_MS = 8 * 3600_000;
/** 15-minute STEL window (Korean notice: 15분간의 시간가중평균). */
export const STEL_WINDOW_MS = 15 * 60_000;
/** Rate-of-rise slope window. */
export const ROR_WINDOW_MS = 60_000;
/** Stale after this many reporting intervals without a reading (CONTRACT). */
export const STALE_INTERVALS = 3;
/** CONTRACT combustible setpoints in %LEL, and the early-warning climb rate (%LEL per minute). */
export const LEL_LOW = 10;
export const LEL_HIGH = 25;
export const LEL_RISE_PER_MIN = 5;

/** Round to 6 decimals so 10 % of 0.08 ppm is 0.008, not 0.008000000000000002. */
const tidy = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The averaging or slope window a rule type is judged over, if it has one. */
export function defaultWindowMs(type: string): number | undefined {
  const ev = ruleTypeInfo(type)?.evaluation;
  return ev === 'twa' ? TWA_WINDOW_MS : ev === 'stel' ? STEL_WINDOW_MS : ev === 'rate' ? ROR_WINDOW_MS : undefined;
}

/** A rule of `type` at `setpoint` with the type's defaults (priority, latch, direction, window). */
export function ruleOf(type: RuleType, setpoint: number, o: Partial<RuleSpec> = {}): RuleSpec {
  const t = RULE_TYPE_INFO[type];
  const direction =
    t.evaluation === 'low' ? 'low' : t.evaluation === 'bool' || t.evaluation === 'fault' ? 'bool' : 'high';
  const windowMs = defaultWindowMs(type);
  const spec: RuleSpec = {
    type,
    priority: t.priority,
    direction,
    setpoint,
    deadband: 0,
    onDelayMs: 0,
    offDelayMs: 0,
    latched: t.latched,
    enabled: true,
  };
  if (windowMs !== undefined) spec.windowMs = windowMs;
  return { ...spec, ...o };
}

/** gas-low / gas-high / rate-of-rise at the given levels (in the sensor's unit). */
function gasRules(low: number | undefined, high: number | undefined, rise: number | undefined): RuleSpec[] {
  const out: RuleSpec[] = [];
  if (low !== undefined)
    out.push(ruleOf('gas-low', low, { deadband: tidy(low * 0.2), onDelayMs: 3000, offDelayMs: 5000 }));
  if (high !== undefined)
    out.push(ruleOf('gas-high', high, { deadband: tidy(high * 0.08), onDelayMs: 1000, offDelayMs: 5000 }));
  if (rise !== undefined) out.push(ruleOf('rate-of-rise', rise, { deadband: tidy(rise * 0.2), offDelayMs: 10_000 }));
  return out;
}

function combustibleRules(s: SensorDescription): RuleSpec[] {
  // CONTRACT: gas-low priority 3 at 10 %LEL, gas-high priority 1 latched at 25 %LEL; in ppm or
  // %vol the same fractions of the gas's LEL. A leak climbing 5 %LEL a minute reaches gas-high
  // in 5 minutes from zero: warn early.
  const conv = (v: number) => convertConcentration(v, '%LEL', s.unit, s.gas);
  const low = conv(LEL_LOW);
  const high = conv(LEL_HIGH);
  const rise = conv(LEL_RISE_PER_MIN);
  if (low === undefined || high === undefined || rise === undefined) return [];
  return gasRules(tidy(low), tidy(high), tidy(rise));
}

function toxicRules(s: SensorDescription): RuleSpec[] {
  const g = gasInfo(s.gas);
  const k = ppmPer(s.unit);
  if (!g || k === undefined) return [];
  const u = (ppm: number | undefined) => (ppm === undefined ? undefined : tidy(ppm / k));
  // gas-low at the TWA; a ceiling-only substance (HCN) warns at half its ceiling instead.
  const low = u(g.twa ?? (g.ceiling !== undefined ? g.ceiling / 2 : undefined));
  // gas-high at the STEL, else the ceiling, else the ACGIH excursion guidance of 3 x TWA.
  const high = u(g.stel ?? g.ceiling ?? (g.twa !== undefined ? g.twa * 3 : undefined));
  const twa = u(g.twa);
  const stel = u(g.stel);
  const out = gasRules(low, high, undefined).map((r) => ({ ...r, deadband: tidy(r.setpoint * 0.1) }));
  if (twa !== undefined) out.push(ruleOf('gas-twa', twa, { deadband: tidy(twa * 0.05) }));
  if (stel !== undefined) out.push(ruleOf('gas-stel', stel, { deadband: tidy(stel * 0.05) }));
  // Rising by the gas-low level every minute: a release, not drift.
  if (low !== undefined) out.push(...gasRules(undefined, undefined, low));
  return out;
}

/** The rules a sensor gets when nothing is configured (CONTRACT "Default alarm rules"). */
export function defaultRules(s: SensorDescription): RuleSpec[] {
  const rules: RuleSpec[] = [];
  switch (sensorClass(s)) {
    case 'combustible':
      rules.push(...combustibleRules(s));
      break;
    case 'toxic':
      rules.push(...toxicRules(s));
      break;
    case 'oxygen': {
      const o2 = gasInfo(s.gas)?.o2 ?? { low: 19.5, high: 23.5 };
      const o = { strict: true, deadband: 0.3, onDelayMs: 3000, offDelayMs: 5000 };
      rules.push(ruleOf('o2-low', o2.low, o), ruleOf('o2-high', o2.high, o));
      break;
    }
    case 'flame':
    case 'smoke':
      // A flame or smoke detector at 1, no on-delay: it already integrates its own confirmation time.
      rules.push(ruleOf(s.metric as 'flame' | 'smoke', 1));
      break;
    case 'temperature':
      // 60 C: lowest nominal operating temperature of a fixed-temperature heat detector (NFSC 203).
      rules.push(ruleOf('temperature-high', 60, { deadband: 2, onDelayMs: 3000, offDelayMs: 5000 }));
      break;
    default:
      // unknown-gas: no silent default (a `config` warning instead); humidity: no setpoint rule.
      break;
  }
  const cls = sensorClass(s);
  if (s.range && (cls === 'temperature' || cls === 'humidity')) {
    rules.push(ruleOf('over-range', s.range.max, { strict: true, onDelayMs: 2000, offDelayMs: 2000 }));
  }
  rules.push(ruleOf('sensor-fault', 1, { offDelayMs: 5000 }));
  rules.push(ruleOf('stale', STALE_INTERVALS));
  return rules;
}

/** Merges two override lists by type; fields of `top` win (the admin's over the agent config's). */
export function mergeOverrides(
  base: readonly RuleOverrideLike[] = [],
  top: readonly RuleOverrideLike[] = [],
): RuleOverrideLike[] {
  const out = base.map((o) => ({ ...o }));
  for (const o of top) {
    const i = out.findIndex((b) => b.type === o.type);
    if (i >= 0) out[i] = { ...out[i], ...o };
    else out.push({ ...o });
  }
  return out;
}

const PATCHABLE = ['enabled', 'setpoint', 'priority', 'deadband', 'onDelayMs', 'offDelayMs', 'latched'] as const;

/**
 * Applies overrides on top of the defaults. An override of a type the sensor has no default for
 * adds a rule of that type with the type's defaults; it then needs a setpoint (a gas the table
 * does not know gets its limits this way). Overrides are assumed checked (`checkRules`); one of
 * an unknown type, or an added rule without a setpoint, throws.
 */
export function resolveRules(s: SensorDescription, overrides: readonly RuleOverrideLike[] = []): RuleSpec[] {
  const rules = defaultRules(s);
  for (const o of overrides) {
    if (!ruleTypeInfo(o.type)) throw new Error(`protocol: unknown rule type '${o.type}'`);
    const patch: Partial<RuleSpec> = {};
    for (const k of PATCHABLE) if (o[k] !== undefined) (patch as Record<string, unknown>)[k] = o[k];
    const i = rules.findIndex((r) => r.type === o.type);
    if (i >= 0) rules[i] = { ...rules[i], ...patch };
    else if (o.setpoint !== undefined) rules.push(addedRule(o.type as RuleType, o.setpoint, patch));
    else if (o.enabled !== false) throw new Error(`protocol: rule '${o.type}' needs a setpoint (no default here)`);
  }
  return rules;
}

/** A rule an override adds: delays and deadband like the defaults of its kind. */
function addedRule(type: RuleType, setpoint: number, patch: Partial<RuleSpec>): RuleSpec {
  const ev = RULE_TYPE_INFO[type].evaluation;
  const base: Partial<RuleSpec> =
    ev === 'high' || ev === 'low'
      ? { deadband: tidy(Math.abs(setpoint) * 0.1), onDelayMs: type === 'gas-high' ? 1000 : 3000, offDelayMs: 5000 }
      : ev === 'rate'
        ? { deadband: tidy(Math.abs(setpoint) * 0.2), offDelayMs: 10_000 }
        : ev === 'twa' || ev === 'stel'
          ? { deadband: tidy(Math.abs(setpoint) * 0.05) }
          : {};
  return ruleOf(type, setpoint, { ...base, ...patch });
}

/**
 * The two lines a trend chart draws for a sensor: its warning and alarm levels (gas-low /
 * gas-high; for oxygen o2-low / o2-high), from the rules it runs.
 */
export function trendSetpoints(rules: readonly RuleSpec[]): { low?: number; high?: number } {
  const on = (type: string) => rules.find((r) => r.type === type && r.enabled)?.setpoint;
  return { low: on('gas-low') ?? on('o2-low'), high: on('gas-high') ?? on('o2-high') };
}
