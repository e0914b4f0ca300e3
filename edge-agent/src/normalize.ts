/**
 * Normalization of field readings (pure, no I/O; issue 5 "Normalization"): unit conversion to
 * the configured unit, zero/span calibration, quality good/fault/stale, detector fault codes
 * passed through. Every driver hands its raw value here so all paths agree.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import { classifyReading, convertConcentration, FAULT_CODES, outOfRange, type Reading } from '@gwanje/protocol';

export interface RawReading {
  value: number;
  /** Unit the device reported in; default: the configured unit. */
  unit?: Reading['unit'];
  ts?: number;
  fault?: string;
}

/**
 * Converts `value` from unit `from` to unit `to` for `gas` (%LEL, %vol and ppm, with the LEL
 * from protocol's gas table), or undefined when not convertible.
 */
export function convertUnit(
  value: number,
  from: Reading['unit'],
  to: Reading['unit'],
  gas?: string,
): number | undefined {
  return convertConcentration(value, from, to, gas);
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
    // Beyond the measuring range (issue 15: a pegged detector is over-range, and the center and
    // the fail-safe count it above every high setpoint); more than 10 % of the span below it is
    // under-range (NAMUR NE43 spirit). The same test the center applies: protocol classifyReading.
    const cls = classifyReading(sensor, { value, quality: 'good' });
    if (outOfRange(cls)) fault = cls === FAULT_CODES.overRange ? FAULT_CODES.overRange : FAULT_CODES.underRange;
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
