/**
 * What a reading says to a rule, decided once for the center's detection and the agent's
 * fail-safe (issue 15, CONTRACT "Default alarm rules"):
 *
 * - A gas reading flagged over-range (beyond the measuring range, an over-range fault code, a
 *   Modbus count above span) counts as above every high threshold of the sensor: a pegged
 *   detector is the most dangerous reading it can give and must never be quieter than one
 *   inside the range. It is also a sensor fault (the fault detector reports it).
 * - Under-range counts as below every low threshold (O2: below o2-low; oxygen cells fail low).
 * - Any other fault, or a stale reading, says nothing about the gas: it neither raises nor
 *   clears, so a detector fault never silences a standing gas alarm.
 */
import { FAULT_CODES, isOverRangeCode, isUnderRangeCode } from './rule-types.js';
import type { RuleSpec } from './rules.js';

export type ReadingClass = 'measured' | 'over-range' | 'under-range' | 'fault' | 'stale';

export interface JudgedReading {
  value: number;
  quality: 'good' | 'fault' | 'stale';
  fault?: string;
}

/** Below the range by more than this share of the span is under-range (NAMUR NE43 spirit). */
const UNDER_TOLERANCE = 0.1;

export function classifyReading(sensor: { range?: { min: number; max: number } }, r: JudgedReading): ReadingClass {
  if (isOverRangeCode(r.fault)) return 'over-range';
  if (isUnderRangeCode(r.fault)) return 'under-range';
  if (r.quality === 'stale') return 'stale';
  if (r.quality !== 'good' || r.fault !== undefined) return 'fault';
  const range = sensor.range;
  if (range) {
    if (r.value > range.max) return 'over-range';
    if (r.value < range.min - UNDER_TOLERANCE * (range.max - range.min)) return 'under-range';
  }
  return 'measured';
}

/** Over or under the measuring range: a sensor fault on a gas sensor, a range alarm on others. */
export const outOfRange = (cls: ReadingClass): cls is 'over-range' | 'under-range' =>
  cls === 'over-range' || cls === 'under-range';

/** The fault code a reading of this class is reported with (sensor-fault), if any. */
export function faultCodeOf(cls: ReadingClass, r: JudgedReading): string | undefined {
  if (cls === 'over-range') return r.fault ?? FAULT_CODES.overRange;
  if (cls === 'under-range') return r.fault ?? FAULT_CODES.underRange;
  if (cls === 'fault') return r.fault ?? 'quality-fault';
  return undefined;
}

/**
 * The value a setpoint rule (high / low / bool) judges for this reading, or undefined when the
 * reading is no evidence either way (the rule keeps its state: never raised, never cleared).
 */
export function judgedValue(rule: Pick<RuleSpec, 'direction'>, cls: ReadingClass, value: number): number | undefined {
  switch (cls) {
    case 'measured':
      return value;
    case 'over-range':
      return rule.direction === 'high' ? Number.POSITIVE_INFINITY : undefined;
    case 'under-range':
      return rule.direction === 'low' ? Number.NEGATIVE_INFINITY : undefined;
    default:
      return undefined;
  }
}

/** Exposure (TWA/STEL) sample: an over-range reading counts at least at the range top. */
export function exposureValue(cls: ReadingClass, value: number, range?: { max: number }): number | undefined {
  if (cls === 'measured') return value;
  if (cls === 'over-range') return Math.max(value, range?.max ?? value);
  return undefined;
}

/** The condition starts: at the setpoint counts as reached (>=), except strict rules (O2). */
export function trips(r: Pick<RuleSpec, 'direction' | 'strict' | 'setpoint'>, v: number): boolean {
  if (r.direction === 'low') return r.strict ? v < r.setpoint : v <= r.setpoint;
  return r.strict ? v > r.setpoint : v >= r.setpoint;
}

/** An active condition holds while the value stays inside the deadband. */
export function holds(r: Pick<RuleSpec, 'direction' | 'strict' | 'setpoint' | 'deadband'>, v: number): boolean {
  if (r.direction === 'low') {
    const edge = r.setpoint + r.deadband;
    return r.strict ? v < edge : v <= edge;
  }
  const edge = r.setpoint - r.deadband;
  return r.strict ? v > edge : v >= edge;
}
