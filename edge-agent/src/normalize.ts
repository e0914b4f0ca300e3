/**
 * Normalization of field readings (pure, no I/O; issue 5 "Normalization"): unit conversion to
 * the configured unit, zero/span calibration, quality good/fault/stale, detector fault codes
 * passed through. Every driver hands its raw value here so all paths agree.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import type { Reading } from '@gwanje/protocol';

export interface RawReading {
  value: number;
  /** Unit the device reported in; default: the configured unit. */
  unit?: Reading['unit'];
  ts?: number;
  fault?: string;
}

/** Lower explosive limits in %vol (IEC 60079-20-1) used to convert %vol <-> %LEL. */
export const LEL_VOL: Record<string, number> = { CH4: 4.4, LPG: 1.8, C3H8: 1.7, H2: 4.0, C4H10: 1.4 };

/** Converts `value` from unit `from` to unit `to` for `gas`, or undefined when not convertible. */
export function convertUnit(
  value: number,
  from: Reading['unit'],
  to: Reading['unit'],
  gas?: string,
): number | undefined {
  if (from === to) return value;
  if (from === 'ppm' && to === '%vol') return value / 10_000;
  if (from === '%vol' && to === 'ppm') return value * 10_000;
  const lel = gas ? LEL_VOL[gas] : undefined;
  if (lel !== undefined) {
    const vol = from === 'ppm' ? value / 10_000 : from === '%vol' ? value : undefined;
    if (to === '%LEL' && vol !== undefined) return (vol / lel) * 100;
    if (from === '%LEL') {
      const v = (value / 100) * lel;
      if (to === '%vol') return v;
      if (to === 'ppm') return v * 10_000;
    }
  }
  return undefined;
}

export interface NormalizeContext {
  now: number;
}

/** Readings whose timestamp lies further ahead than this are re-stamped with agent time. */
const MAX_FUTURE_MS = 60_000;
/** Default reporting interval when the sensor config names none. */
export const DEFAULT_INTERVAL_MS = 2000;

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

/** Turns a raw device value into the CONTRACT telemetry reading for `sensor`. */
export function normalize(sensor: SensorConfig, raw: RawReading, ctx: NormalizeContext): Reading {
  const ts = raw.ts !== undefined && raw.ts <= ctx.now + MAX_FUTURE_MS ? Math.round(raw.ts) : ctx.now;
  let fault = raw.fault;
  let value = raw.value;
  const converted = convertUnit(value, raw.unit ?? sensor.unit, sensor.unit, sensor.gas);
  if (converted === undefined) {
    fault = fault ?? `unit-${raw.unit}`;
  } else {
    value = converted;
  }
  if (sensor.unit === 'bool') {
    value = value >= 0.5 ? 1 : 0;
  } else if (sensor.calibration) {
    // Two-point calibration as on the transmitter: offset at zero gas, gain from the span gas.
    value = (value - sensor.calibration.zero) * sensor.calibration.span;
  }
  if (!fault && sensor.range && sensor.unit !== 'bool') {
    const span = sensor.range.max - sensor.range.min;
    // Beyond 10 % outside the measuring range the value cannot be trusted (NAMUR NE43 spirit).
    if (value < sensor.range.min - 0.1 * span) fault = 'under-range';
    else if (value > sensor.range.max + 0.1 * span) fault = 'over-range';
  }
  const interval = sensor.intervalMs ?? DEFAULT_INTERVAL_MS;
  // CONTRACT "Default alarm rules": silent for 3 reporting intervals is stale.
  const quality: Reading['quality'] = fault ? 'fault' : ctx.now - ts > 3 * interval ? 'stale' : 'good';
  const out: Reading = {
    sensorId: sensor.sensorId,
    metric: sensor.metric,
    value: round(value),
    unit: sensor.unit,
    ts,
    quality,
  };
  if (sensor.gas) out.gas = sensor.gas;
  if (fault) out.fault = fault.slice(0, 64);
  return out;
}

/** Linear scaling of raw transmitter counts to engineering units (Modbus 4-20 mA as counts). */
export function scaleRaw(raw: number, rawMin: number, rawMax: number, min: number, max: number): number {
  return min + ((raw - rawMin) / (rawMax - rawMin)) * (max - min);
}
