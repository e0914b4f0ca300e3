/**
 * Metrics, units and how a sensor is classed for its default rules (CONTRACT "MQTT: field
 * sensor -> edge agent" and "Default alarm rules"). Browser-safe constants.
 */
import { type GasInfo, gasInfo } from './gases.js';

export const METRICS = ['gas', 'flame', 'temperature', 'humidity', 'smoke'] as const;
export type MetricName = (typeof METRICS)[number];

export const UNITS = ['%LEL', 'ppm', '%vol', 'bool', 'C', '%RH'] as const;
export type UnitName = (typeof UNITS)[number];

/** Units a metric may be reported in. */
export const UNITS_BY_METRIC: Readonly<Record<MetricName, readonly UnitName[]>> = {
  gas: ['%LEL', 'ppm', '%vol'],
  flame: ['bool'],
  smoke: ['bool'],
  temperature: ['C'],
  humidity: ['%RH'],
};

/**
 * The widest range a unit can take, used when a sensor's own measuring range is not known:
 * a setpoint outside it can never be reached.
 */
export const UNIT_BOUNDS: Readonly<Record<UnitName, { min: number; max: number }>> = {
  '%LEL': { min: 0, max: 100 },
  ppm: { min: 0, max: 1_000_000 },
  '%vol': { min: 0, max: 100 },
  bool: { min: 0, max: 1 },
  C: { min: -273.15, max: 2000 },
  '%RH': { min: 0, max: 100 },
};

/** What a sensor is for the rule table. */
export interface SensorDescription {
  metric: string;
  gas?: string;
  unit: string;
  /** Measuring range in the sensor's unit (the transmitter's span). */
  range?: { min: number; max: number };
}

/**
 * How the default rules see a sensor:
 * - combustible: any gas in %LEL (the unit says the transmitter reads against a lower explosive
 *   limit), or a gas the table knows as combustible in ppm / %vol;
 * - toxic: a gas with Korean exposure limits, in ppm (or %vol);
 * - oxygen: O2 in %vol;
 * - unknown-gas: a gas in ppm / %vol the table does not know: no silent default (issue 15), a
 *   `config` warning until an admin sets its limits;
 * - flame, smoke, temperature, humidity: by metric.
 */
export type SensorClass =
  | 'combustible'
  | 'toxic'
  | 'oxygen'
  | 'unknown-gas'
  | 'flame'
  | 'smoke'
  | 'temperature'
  | 'humidity'
  | 'unsupported';

export function sensorClass(s: SensorDescription): SensorClass {
  if (s.metric === 'gas') {
    const g = gasInfo(s.gas);
    if (g?.kind === 'oxygen') return s.unit === '%vol' ? 'oxygen' : 'unsupported';
    if (s.unit === '%LEL') return 'combustible';
    if (s.unit !== 'ppm' && s.unit !== '%vol') return 'unsupported';
    if (g?.kind === 'toxic') return 'toxic';
    if (g?.kind === 'combustible') return 'combustible';
    return 'unknown-gas';
  }
  const fits = (UNITS_BY_METRIC as Record<string, readonly string[]>)[s.metric]?.includes(s.unit);
  if (!fits) return 'unsupported';
  return s.metric as SensorClass;
}

/** ppm per unit of `unit` for concentration units (1 %vol = 10,000 ppm). */
export function ppmPer(unit: string): number | undefined {
  if (unit === 'ppm') return 1;
  if (unit === '%vol') return 10_000;
  return undefined;
}

/**
 * Converts a concentration between %LEL, %vol and ppm for `gas` (LEL from the gas table), or
 * undefined when it cannot be converted (no LEL known for a %LEL conversion, or not a
 * concentration unit).
 */
export function convertConcentration(value: number, from: string, to: string, gas?: string): number | undefined {
  if (from === to) return value;
  const lel = (gasInfo(gas) as GasInfo | undefined)?.lelVol;
  const toVol = (v: number, u: string): number | undefined => {
    if (u === '%LEL') return lel === undefined ? undefined : (v / 100) * lel;
    const k = ppmPer(u);
    return k === undefined ? undefined : (v * k) / 10_000;
  };
  const vol = toVol(value, from);
  if (vol === undefined) return undefined;
  if (to === '%LEL') return lel === undefined ? undefined : (vol / lel) * 100;
  const k = ppmPer(to);
  return k === undefined ? undefined : (vol * 10_000) / k;
}

/** The range a setpoint must lie in: the sensor's measuring range, else the unit's bounds. */
export function rangeOf(s: SensorDescription): { min: number; max: number } {
  return s.range ?? UNIT_BOUNDS[s.unit as UnitName] ?? { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };
}
