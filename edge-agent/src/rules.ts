/**
 * The alarm rules the agent enforces locally (pure; issue 5 "Local fail-safe"): gas-high and
 * flame per CONTRACT "Default alarm rules" unless the sensor's `rules` override them.
 * Combustibles in %LEL trip at 25; toxic gases in ppm at the Korean exposure limit's STEL
 * (or ceiling), from the Ministry of Employment and Labor exposure standards table.
 */
import type { SensorConfig } from '@gwanje/firmware-config';

/** Short-term exposure limits (ppm) used as the default gas-high setpoint of toxic gases. */
export const STEL_PPM: Record<string, number> = {
  CO: 200,
  H2S: 15,
  NH3: 35,
  Cl2: 1,
  SO2: 5,
  NO2: 5,
  HCN: 4.7,
  HCl: 2,
};
/** 8-hour TWA (ppm), the gas-low setpoint of toxic gases; the simulator uses it for plausibility. */
export const TWA_PPM: Record<string, number> = { CO: 30, H2S: 10, NH3: 25, Cl2: 0.5, SO2: 2, NO2: 3, HCN: 4.7, HCl: 1 };

export interface LocalRule {
  type: 'gas-high' | 'flame' | 'smoke';
  setpoint: number;
  /** Clears only below setpoint - deadband, so a value hovering at the limit cannot chatter. */
  deadband: number;
}

export function defaultSetpoint(sensor: Pick<SensorConfig, 'metric' | 'gas' | 'unit'>): number | undefined {
  if (sensor.metric === 'flame' || sensor.metric === 'smoke') return 1;
  if (sensor.metric !== 'gas') return undefined;
  if (sensor.unit === '%LEL') return 25;
  if (sensor.unit === 'ppm' && sensor.gas) return STEL_PPM[sensor.gas];
  return undefined;
}

/** The local rule for a sensor, or undefined when it has none (temperature, O2, disabled). */
export function localRule(sensor: SensorConfig): LocalRule | undefined {
  const type: LocalRule['type'] | undefined =
    sensor.metric === 'gas'
      ? 'gas-high'
      : sensor.metric === 'flame'
        ? 'flame'
        : sensor.metric === 'smoke'
          ? 'smoke'
          : undefined;
  if (!type) return undefined;
  const override = sensor.rules?.find((r) => r.type === type);
  if (override?.enabled === false) return undefined;
  const setpoint = override?.setpoint ?? defaultSetpoint(sensor);
  if (setpoint === undefined) return undefined;
  const deadband = type === 'gas-high' ? (override?.deadband ?? setpoint * 0.1) : 0.5;
  return { type, setpoint, deadband };
}
