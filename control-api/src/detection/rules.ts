/**
 * Default alarm rules per sensor (CONTRACT "Default alarm rules") and per-sensor overrides
 * (firmware-config `RuleOverride`). Every rule carries a deadband and on/off delays: ISA-18.2
 * clause 10 (alarm design) asks for both so a noisy signal at the setpoint does not chatter.
 */
import type { RuleOverride } from '@gwanje/firmware-config';
import type { Priority } from '@gwanje/protocol';
import { toxicLimit } from './gases.js';
import type { RuleSpec } from './types.js';

export interface SensorDescription {
  metric: string;
  gas?: string;
  unit: string;
  range?: { min: number; max: number };
}

/** 8-hour TWA window (Korean notice: 1일 8시간 작업 평균). */
export const TWA_WINDOW_MS = 8 * 3600_000;
/** 15-minute STEL window (Korean notice: 15분간의 시간가중평균). */
export const STEL_WINDOW_MS = 15 * 60_000;
/** Rate-of-rise slope window. */
export const ROR_WINDOW_MS = 60_000;
/** Stale after this many reporting intervals without a reading (CONTRACT). */
export const STALE_INTERVALS = 3;

/** Rule types evaluated by detectors other than ThresholdDetector. */
export const SPECIAL_RULE_TYPES: ReadonlySet<string> = new Set([
  'gas-twa',
  'gas-stel',
  'rate-of-rise',
  'sensor-fault',
  'over-range',
  'stale',
]);

function rule(
  type: string,
  priority: Priority,
  direction: RuleSpec['direction'],
  setpoint: number,
  o: Partial<RuleSpec> = {},
): RuleSpec {
  return {
    type,
    priority,
    direction,
    setpoint,
    deadband: 0,
    onDelayMs: 0,
    offDelayMs: 0,
    latched: false,
    enabled: true,
    ...o,
  };
}

/** Round to 4 significant decimals so 10% of 0.08 ppm is 0.008, not 0.008000000000000002. */
const tidy = (x: number): number => Math.round(x * 1e6) / 1e6;

function combustibleRules(): RuleSpec[] {
  return [
    // CONTRACT: gas-low priority 3 at 10 %LEL, gas-high priority 1 latched at 25 %LEL.
    rule('gas-low', 3, 'high', 10, { deadband: 2, onDelayMs: 3000, offDelayMs: 5000 }),
    rule('gas-high', 1, 'high', 25, { deadband: 2, onDelayMs: 1000, offDelayMs: 5000, latched: true }),
    // A leak that climbs 5 %LEL a minute reaches gas-high in 5 minutes from zero: warn early.
    rule('rate-of-rise', 2, 'high', 5, { deadband: 1, offDelayMs: 10_000, windowMs: ROR_WINDOW_MS }),
  ];
}

function toxicRules(gas: string | undefined): RuleSpec[] {
  const lim = toxicLimit(gas);
  if (!lim) return [];
  const out: RuleSpec[] = [];
  // gas-low at the TWA; a ceiling-only substance (HCN) warns at half its ceiling instead.
  const low = lim.twa ?? (lim.ceiling !== undefined ? lim.ceiling / 2 : undefined);
  // gas-high at the STEL, else the ceiling, else the ACGIH excursion guidance of 3 x TWA.
  const high = lim.stel ?? lim.ceiling ?? (lim.twa !== undefined ? lim.twa * 3 : undefined);
  if (low !== undefined) {
    out.push(rule('gas-low', 3, 'high', low, { deadband: tidy(low * 0.1), onDelayMs: 3000, offDelayMs: 5000 }));
  }
  if (high !== undefined) {
    out.push(
      rule('gas-high', 1, 'high', high, {
        deadband: tidy(high * 0.1),
        onDelayMs: 1000,
        offDelayMs: 5000,
        latched: true,
      }),
    );
  }
  if (lim.twa !== undefined) {
    out.push(rule('gas-twa', 2, 'high', lim.twa, { deadband: tidy(lim.twa * 0.05), windowMs: TWA_WINDOW_MS }));
  }
  if (lim.stel !== undefined) {
    out.push(rule('gas-stel', 2, 'high', lim.stel, { deadband: tidy(lim.stel * 0.05), windowMs: STEL_WINDOW_MS }));
  }
  if (low !== undefined) {
    // Rising by the gas-low level every minute: a release, not drift.
    out.push(
      rule('rate-of-rise', 2, 'high', low, { deadband: tidy(low * 0.2), offDelayMs: 10_000, windowMs: ROR_WINDOW_MS }),
    );
  }
  return out;
}

/** The rules a sensor gets when nothing is configured (CONTRACT "Default alarm rules"). */
export function defaultRules(sensor: SensorDescription): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const gas = sensor.gas?.toUpperCase();
  if (sensor.metric === 'gas' && gas === 'O2' && sensor.unit === '%vol') {
    // CONTRACT: "below 19.5 and above 23.5" (strict); 19.5 %vol is the usual deficiency line.
    rules.push(rule('o2-low', 2, 'low', 19.5, { strict: true, deadband: 0.3, onDelayMs: 3000, offDelayMs: 5000 }));
    rules.push(rule('o2-high', 2, 'high', 23.5, { strict: true, deadband: 0.3, onDelayMs: 3000, offDelayMs: 5000 }));
  } else if (sensor.metric === 'gas' && sensor.unit === '%LEL') {
    rules.push(...combustibleRules());
  } else if (sensor.metric === 'gas' && sensor.unit === 'ppm') {
    rules.push(...toxicRules(gas));
  } else if ((sensor.metric === 'flame' || sensor.metric === 'smoke') && sensor.unit === 'bool') {
    // CONTRACT: a flame or smoke detector at 1 raises flame/smoke, priority 1, latched. No on-delay:
    // the detector already integrates its own confirmation time.
    rules.push(rule(sensor.metric, 1, 'bool', 1, { latched: true }));
  } else if (sensor.metric === 'temperature' && sensor.unit === 'C') {
    // 60 C: lowest nominal operating temperature of a fixed-temperature heat detector (NFSC 203).
    rules.push(rule('temperature-high', 2, 'high', 60, { deadband: 2, onDelayMs: 3000, offDelayMs: 5000 }));
  }
  if (sensor.range) {
    rules.push(rule('over-range', 2, 'high', sensor.range.max, { strict: true, onDelayMs: 2000, offDelayMs: 2000 }));
  }
  rules.push(rule('sensor-fault', 2, 'bool', 1, { offDelayMs: 5000 }));
  rules.push(rule('stale', 3, 'high', STALE_INTERVALS));
  return rules;
}

/**
 * Applies per-sensor overrides on top of the defaults. An override of a type the sensor has no
 * default for adds a rule (a `-low` type compares low, anything else high) and then needs a
 * setpoint; without one it is a configuration error and throws.
 */
export function resolveRules(sensor: SensorDescription, overrides: readonly RuleOverride[] = []): RuleSpec[] {
  const rules = defaultRules(sensor);
  for (const o of overrides) {
    const i = rules.findIndex((r) => r.type === o.type);
    const patch: Partial<RuleSpec> = {};
    if (o.enabled !== undefined) patch.enabled = o.enabled;
    if (o.setpoint !== undefined) patch.setpoint = o.setpoint;
    if (o.priority !== undefined) patch.priority = o.priority;
    if (o.deadband !== undefined) patch.deadband = o.deadband;
    if (o.onDelayMs !== undefined) patch.onDelayMs = o.onDelayMs;
    if (o.offDelayMs !== undefined) patch.offDelayMs = o.offDelayMs;
    if (o.latched !== undefined) patch.latched = o.latched;
    if (i >= 0) {
      rules[i] = { ...rules[i], ...patch };
    } else if (o.setpoint !== undefined) {
      const direction = o.type.endsWith('-low') ? 'low' : 'high';
      rules.push(rule(o.type, o.priority ?? 3, direction, o.setpoint, patch));
    } else if (o.enabled !== false) {
      throw new Error(
        `detection: rule override '${o.type}' needs a setpoint (no default of that type for this sensor)`,
      );
    }
  }
  return rules;
}
