/**
 * Synthetic field physics for the simulated driver (pure: state in, readings out, seeded RNG).
 * Baselines wander like real detectors (mean-reverting noise): CH4 0-2 %LEL, CO a few ppm,
 * H2S below 1 ppm, flame 0, temperature 15-25 C. Incidents arrive as a Poisson process: a leak
 * ramps one gas sensor past its gas-high level over tens of seconds, holds, then recedes; or a
 * flame detector trips for a while. Transmitter faults (drift, a stuck value, a noise burst) can be
 * laid over a reading for evaluating the center's anomaly detection (issue 22, bench/nab/gas.ts).
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import { gasInfo, sensorClass } from '@gwanje/protocol';
import { localRules } from '../rules.js';

export type Rng = () => number;

/** mulberry32: tiny, fast, seedable; plenty for synthetic noise. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Incident {
  kind: 'leak' | 'flame';
  sensorId: string;
  start: number;
  rampMs: number;
  holdMs: number;
  recedeMs: number;
  /** Peak added to the baseline (leak) in the sensor's unit. */
  peak: number;
}

export interface SimState {
  values: Map<string, number>;
  incidents: Incident[];
  nextIncidentAt: number;
}

interface Baseline {
  mean: number;
  sd: number;
  min: number;
}

export function baseline(s: SensorConfig): Baseline {
  if (s.metric === 'gas') {
    const cls = sensorClass(s);
    if (cls === 'oxygen') return { mean: 20.9, sd: 0.05, min: 0 };
    if (s.unit === '%LEL') return { mean: 0.8, sd: 0.35, min: 0 };
    // A toxic baseline at a twentieth of its 8-hour limit (CO 1.5 ppm, H2S 0.5 ppm), from the gas table.
    const twa = gasInfo(s.gas)?.twa;
    const mean = twa !== undefined ? twa * 0.05 : 0.5;
    return { mean, sd: mean * 0.2, min: 0 };
  }
  if (s.metric === 'temperature') return { mean: 20, sd: 1.5, min: -40 };
  if (s.metric === 'humidity') return { mean: 55, sd: 3, min: 0 };
  return { mean: 0, sd: 0, min: 0 };
}

const gauss = (rng: Rng): number => {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
};

export function initialState(sensors: SensorConfig[], now: number, everySec: number, rng: Rng): SimState {
  const values = new Map<string, number>();
  for (const s of sensors) values.set(s.sensorId, baseline(s).mean);
  return { values, incidents: [], nextIncidentAt: nextArrival(now, everySec, rng) };
}

const nextArrival = (now: number, everySec: number, rng: Rng): number =>
  everySec > 0 ? now + -Math.log(1 - rng()) * everySec * 1000 : Number.POSITIVE_INFINITY;

/** The level a leak must pass to trip the sensor's high alarm (gas-high), from the rule table. */
const highSetpoint = (s: SensorConfig): number | undefined =>
  sensorClass(s) === 'combustible' || sensorClass(s) === 'toxic'
    ? localRules(s).find((r) => r.direction === 'high')?.setpoint
    : undefined;

/** Starts a random incident on one of `sensors`, if any can have one. */
export function startIncident(sensors: SensorConfig[], now: number, rng: Rng): Incident | undefined {
  const gas = sensors.filter((s) => s.metric === 'gas' && highSetpoint(s) !== undefined);
  const flame = sensors.filter((s) => s.metric === 'flame' || s.metric === 'smoke');
  const leak = flame.length === 0 || (gas.length > 0 && rng() < 0.7);
  const pool = leak ? gas : flame;
  if (pool.length === 0) return undefined;
  const s = pool[Math.floor(rng() * pool.length)];
  const sec = (lo: number, hi: number) => Math.round((lo + rng() * (hi - lo)) * 1000);
  if (!leak)
    return { kind: 'flame', sensorId: s.sensorId, start: now, rampMs: 0, holdMs: sec(20, 60), recedeMs: 0, peak: 1 };
  const setpoint = highSetpoint(s) ?? 25;
  return {
    kind: 'leak',
    sensorId: s.sensorId,
    start: now,
    rampMs: sec(20, 60),
    holdMs: sec(10, 40),
    recedeMs: sec(30, 60),
    peak: setpoint * (1.3 + rng() * 0.8),
  };
}

/** The incident's contribution at `now` (0 before and after it). */
export function incidentLevel(i: Incident, now: number): number {
  const t = now - i.start;
  if (t < 0) return 0;
  if (t < i.rampMs) return (i.peak * t) / i.rampMs;
  if (t < i.rampMs + i.holdMs) return i.peak;
  const r = t - i.rampMs - i.holdMs;
  return r < i.recedeMs ? i.peak * (1 - r / i.recedeMs) : 0;
}

const ended = (i: Incident, now: number): boolean => now - i.start >= i.rampMs + i.holdMs + i.recedeMs;

/** Advances the state to `now` and returns each sensor's value then. */
export function step(
  sensors: SensorConfig[],
  st: SimState,
  now: number,
  everySec: number,
  rng: Rng,
): Array<{ sensor: SensorConfig; value: number }> {
  if (now >= st.nextIncidentAt) {
    const inc = startIncident(sensors, now, rng);
    if (inc && !st.incidents.some((i) => i.sensorId === inc.sensorId)) st.incidents.push(inc);
    st.nextIncidentAt = nextArrival(now, everySec, rng);
  }
  st.incidents = st.incidents.filter((i) => !ended(i, now));
  return sensors.map((sensor) => {
    const b = baseline(sensor);
    const prev = st.values.get(sensor.sensorId) ?? b.mean;
    // Ornstein-Uhlenbeck-like step: pull towards the mean, plus noise.
    const next = Math.max(b.min, prev + 0.2 * (b.mean - prev) + gauss(rng) * b.sd * 0.45);
    st.values.set(sensor.sensorId, next);
    const inc = st.incidents.find((i) => i.sensorId === sensor.sensorId);
    const extra = inc ? incidentLevel(inc, now) : 0;
    if (sensor.unit === 'bool') return { sensor, value: inc ? 1 : 0 };
    return { sensor, value: Math.round((next + extra) * 100) / 100 };
  });
}

/**
 * A transmitter fault: what the sensor reports departs from the true concentration. drift: the
 * reading creeps by `size` (sensor units) over the fault, as a zero drifting after poisoning or
 * ageing; stuck: the reading holds `size`, the last value before a frozen output; noise: `size`
 * standard deviations of noise added, as electrical interference on a 4-20 mA loop.
 */
export interface SensorFault {
  kind: 'drift' | 'stuck' | 'noise';
  start: number;
  durationMs: number;
  size: number;
}

/** The reading a faulty transmitter reports at `now` for the true `value` (unchanged outside the fault). */
export function faultReading(f: SensorFault, now: number, value: number, rng: Rng): number {
  const t = now - f.start;
  if (t < 0 || t >= f.durationMs) return value;
  if (f.kind === 'stuck') return f.size;
  const v = f.kind === 'drift' ? value + (f.size * t) / f.durationMs : value + gauss(rng) * f.size;
  return Math.max(0, Math.round(v * 100) / 100);
}
