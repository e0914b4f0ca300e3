/**
 * The gas-safety conformance table (issue 15), the single source both sides are tested against:
 * detection/test/conformance.test.ts runs it through the center's DetectionEngine,
 * edge-agent/test/conformance.test.ts through the agent's normalize + LocalFailSafe.
 *
 * For every gas in the safety table (formulas spelled upper-case, as a transmitter may send
 * them), and every rule type it has: exactly at the setpoint, inside the deadband, a blip shorter
 * than the on-delay, over-range (code and value), under-range, a fault while alarmed, stale, a
 * STEL exposure, a rate of rise, and a restart in the middle of an 8-hour TWA window.
 *
 * Expectations are written out here from the CONTRACT wording, not computed by the code under
 * test: `raised` is every alarm type raised during the run, `active` the conditions still
 * present at the end. The edge fail-safe judges only the table's local types (gas-high, o2-low,
 * o2-high, flame, smoke) and, by design (issue 5: the siren within 500 ms), without on/off
 * delays: where the sides differ, each has its own line.
 */
import {
  GASES,
  type GasInfo,
  type RuleOverrideLike,
  resolveRules,
  type SensorDescription,
} from '../../src/safety/index.js';

export interface Step {
  /** ms after the start of the run (sensor time = center time, no transport delay). */
  at: number;
  value?: number;
  quality?: 'good' | 'fault' | 'stale';
  fault?: string;
  /** The center (and the agent) restart here: state is rebuilt as at start-up. */
  restart?: true;
}

export interface Expectation {
  raised: string[];
  active: string[];
}

export interface ConformanceCase {
  name: string;
  sensor: SensorDescription & { intervalMs: number };
  rules: RuleOverrideLike[];
  steps: Step[];
  /** Run (ticking) until this many ms after the start. */
  until: number;
  center: Expectation;
  edge: Expectation;
}

const NO_RISE: RuleOverrideLike[] = [{ type: 'rate-of-rise', enabled: false }];
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

/** Readings of `value` every `step` ms in [from, to). */
function hold(from: number, to: number, step: number, value: number, extra: Partial<Step> = {}): Step[] {
  const out: Step[] = [];
  for (let at = from; at < to; at += step) out.push({ at, value, ...extra });
  return out;
}

const set = (...types: (string | false | undefined)[]): string[] =>
  [...new Set(types.filter((t): t is string => typeof t === 'string'))].sort();

interface Sensorish {
  label: string;
  sensor: SensorDescription & { intervalMs: number };
  baseline: number;
}

function setpointOf(s: SensorDescription, type: string, overrides: RuleOverrideLike[] = NO_RISE): number | undefined {
  return resolveRules(s, overrides).find((r) => r.type === type && r.enabled)?.setpoint;
}

/** Cases every gas-like sensor gets: its gas-low and gas-high (center), gas-high (edge). */
function gasCases(g: Sensorish): ConformanceCase[] {
  const { sensor, baseline } = g;
  const low = setpointOf(sensor, 'gas-low') as number;
  const high = setpointOf(sensor, 'gas-high') as number;
  const max = sensor.range?.max as number;
  const base = hold(0, 5 * SEC, SEC, baseline);
  const c = (name: string, steps: Step[], until: number, center: Expectation, edge: Expectation): ConformanceCase => ({
    name: `${g.label}: ${name}`,
    sensor,
    rules: NO_RISE,
    steps,
    until,
    center,
    edge,
  });
  return [
    c(
      `exactly at gas-low ${low}: gas-low after its 3 s on-delay; nothing local`,
      [...base, ...hold(5 * SEC, 10 * SEC, 500, low)],
      10 * SEC,
      { raised: ['gas-low'], active: ['gas-low'] },
      { raised: [], active: [] },
    ),
    c(
      `exactly at gas-high ${high}: gas-high (and gas-low) at the center, the siren at once`,
      [...base, ...hold(5 * SEC, 10 * SEC, 500, high)],
      10 * SEC,
      { raised: ['gas-high', 'gas-low'], active: ['gas-high', 'gas-low'] },
      { raised: ['gas-high'], active: ['gas-high'] },
    ),
    c(
      'inside the deadband after gas-high: still active at both ends',
      [...base, ...hold(5 * SEC, 10 * SEC, 500, high), ...hold(10 * SEC, 30 * SEC, 500, high * 0.97)],
      30 * SEC,
      { raised: ['gas-high', 'gas-low'], active: ['gas-high', 'gas-low'] },
      { raised: ['gas-high'], active: ['gas-high'] },
    ),
    c(
      'a 0.5 s blip at gas-high, shorter than its 1 s on-delay: no center alarm; the fail-safe has no delay',
      [...base, { at: 5 * SEC, value: high }, ...hold(5.5 * SEC, 20 * SEC, 500, baseline)],
      20 * SEC,
      { raised: [], active: [] },
      { raised: ['gas-high'], active: [] },
    ),
    c(
      'over-range code (value clamped at the range top): above every high setpoint, plus sensor-fault',
      [...base, ...hold(5 * SEC, 12 * SEC, 500, max, { quality: 'fault', fault: 'over-range' })],
      12 * SEC,
      { raised: ['gas-high', 'gas-low', 'sensor-fault'], active: ['gas-high', 'gas-low', 'sensor-fault'] },
      { raised: ['gas-high'], active: ['gas-high'] },
    ),
    c(
      `pegged at 1.5 x the range (${max * 1.5}, reported good): over-range all the same`,
      [...base, ...hold(5 * SEC, 12 * SEC, 500, max * 1.5)],
      12 * SEC,
      { raised: ['gas-high', 'gas-low', 'sensor-fault'], active: ['gas-high', 'gas-low', 'sensor-fault'] },
      { raised: ['gas-high'], active: ['gas-high'] },
    ),
    c(
      'under-range: a sensor fault, never a gas alarm',
      [...base, ...hold(5 * SEC, 12 * SEC, 500, 0, { quality: 'fault', fault: 'under-range' })],
      12 * SEC,
      { raised: ['sensor-fault'], active: ['sensor-fault'] },
      { raised: [], active: [] },
    ),
    c(
      'a detector fault while gas-high stands: the gas alarms stay, sensor-fault joins',
      [
        ...base,
        ...hold(5 * SEC, 10 * SEC, 500, high),
        ...hold(10 * SEC, 40 * SEC, 500, 0, { quality: 'fault', fault: 'E07' }),
      ],
      40 * SEC,
      { raised: ['gas-high', 'gas-low', 'sensor-fault'], active: ['gas-high', 'gas-low', 'sensor-fault'] },
      { raised: ['gas-high'], active: ['gas-high'] },
    ),
    c(
      'silent after five readings: stale after 3 intervals (the agent judges nothing without readings)',
      base,
      12 * SEC,
      { raised: ['stale'], active: ['stale'] },
      { raised: [], active: [] },
    ),
  ];
}

function toxicExtra(g: Sensorish, gas: GasInfo): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  const slow = { ...g.sensor, intervalMs: MIN };
  const low = setpointOf(slow, 'gas-low') as number;
  if (gas.stel !== undefined) {
    out.push({
      name: `${g.label}: 1.05 x the STEL (${gas.stel} ppm) for 16 minutes: gas-stel, gas-high, gas-low; the siren at once`,
      sensor: slow,
      rules: NO_RISE,
      steps: hold(0, 16 * MIN, 30 * SEC, gas.stel * 1.05),
      until: 16 * MIN,
      center: { raised: set('gas-stel', 'gas-high', 'gas-low'), active: set('gas-stel', 'gas-high', 'gas-low') },
      edge: { raised: ['gas-high'], active: ['gas-high'] },
    });
  }
  if (gas.twa !== undefined) {
    // 1.2 x TWA: 4 h before the restart (average 0.6 TWA), 3 h after: 7 h x 1.2 / 8 = 1.05 TWA.
    // From zero after the restart it would be 0.45 TWA: no gas-twa.
    const v = gas.twa * 1.2;
    out.push({
      name: `${g.label}: a restart in the middle of the 8-hour TWA (${v} ppm for 4 h + 3 h): gas-twa all the same`,
      sensor: slow,
      rules: NO_RISE,
      steps: [...hold(0, 4 * HOUR, MIN, v), { at: 4 * HOUR, restart: true }, ...hold(4 * HOUR, 7 * HOUR, MIN, v)],
      until: 7 * HOUR,
      center: { raised: ['gas-low', 'gas-twa'], active: ['gas-low', 'gas-twa'] },
      edge: { raised: [], active: [] },
    });
  }
  // Rate of rise: 0.9 x gas-low in 45 s (1.2 x gas-low per minute) never reaches gas-low.
  const ramp: Step[] = [];
  for (let i = 0; i <= 45; i++) ramp.push({ at: i * SEC, value: (0.9 * low * i) / 45 });
  out.push({
    name: `${g.label}: rising 1.2 x gas-low per minute: rate-of-rise before any level alarm`,
    sensor: { ...g.sensor },
    rules: [],
    steps: ramp,
    until: 46 * SEC,
    center: { raised: ['rate-of-rise'], active: ['rate-of-rise'] },
    edge: { raised: [], active: [] },
  });
  return out;
}

function oxygenCases(): ConformanceCase[] {
  const sensor = { metric: 'gas', gas: 'OXYGEN', unit: '%vol', range: { min: 0, max: 25 }, intervalMs: SEC };
  const base = hold(0, 5 * SEC, SEC, 20.9);
  const c = (name: string, steps: Step[], until: number, center: Expectation, edge: Expectation): ConformanceCase => ({
    name: `O2 (as OXYGEN) %vol: ${name}`,
    sensor,
    rules: [],
    steps,
    until,
    center,
    edge,
  });
  const none = { raised: [], active: [] };
  return [
    c('exactly 19.5 is normal ("below 19.5")', [...base, ...hold(5 * SEC, 15 * SEC, 500, 19.5)], 15 * SEC, none, none),
    c('exactly 23.5 is normal ("above 23.5")', [...base, ...hold(5 * SEC, 15 * SEC, 500, 23.5)], 15 * SEC, none, none),
    c(
      '19.4: o2-low after 3 s; the siren at once',
      [...base, ...hold(5 * SEC, 12 * SEC, 500, 19.4)],
      12 * SEC,
      { raised: ['o2-low'], active: ['o2-low'] },
      { raised: ['o2-low'], active: ['o2-low'] },
    ),
    c(
      'back to 19.7, inside the 0.3 deadband: o2-low holds',
      [...base, ...hold(5 * SEC, 12 * SEC, 500, 19.4), ...hold(12 * SEC, 30 * SEC, 500, 19.7)],
      30 * SEC,
      { raised: ['o2-low'], active: ['o2-low'] },
      { raised: ['o2-low'], active: ['o2-low'] },
    ),
    c(
      'a 1.5 s dip to 19 (on-delay 3 s): no center alarm; the fail-safe trips and clears',
      [...base, ...hold(5 * SEC, 6.5 * SEC, 500, 19), ...hold(6.5 * SEC, 20 * SEC, 500, 20.9)],
      20 * SEC,
      none,
      { raised: ['o2-low'], active: [] },
    ),
    c(
      'over-range: above o2-high, plus sensor-fault',
      [...base, ...hold(5 * SEC, 12 * SEC, 500, 25, { quality: 'fault', fault: 'over-range' })],
      12 * SEC,
      { raised: ['o2-high', 'sensor-fault'], active: ['o2-high', 'sensor-fault'] },
      { raised: ['o2-high'], active: ['o2-high'] },
    ),
    c(
      'under-range counts as below o2-low (a dead cell), plus sensor-fault',
      [...base, ...hold(5 * SEC, 12 * SEC, 500, 0, { quality: 'fault', fault: 'under-range' })],
      12 * SEC,
      { raised: ['o2-low', 'sensor-fault'], active: ['o2-low', 'sensor-fault'] },
      { raised: ['o2-low'], active: ['o2-low'] },
    ),
    c(
      'a fault while o2-low stands: o2-low stays',
      [
        ...base,
        ...hold(5 * SEC, 10 * SEC, 500, 18),
        ...hold(10 * SEC, 30 * SEC, 500, 20.9, { quality: 'fault', fault: 'E3' }),
      ],
      30 * SEC,
      { raised: ['o2-low', 'sensor-fault'], active: ['o2-low', 'sensor-fault'] },
      { raised: ['o2-low'], active: ['o2-low'] },
    ),
    c('stale after 3 silent intervals', base, 12 * SEC, { raised: ['stale'], active: ['stale'] }, none),
  ];
}

function detectorCases(metric: 'flame' | 'smoke'): ConformanceCase[] {
  const sensor = { metric, unit: 'bool', intervalMs: SEC };
  const base = hold(0, 5 * SEC, SEC, 0);
  return [
    {
      name: `${metric}: at 1, priority 1 at once at both ends`,
      sensor,
      rules: [],
      steps: [...base, ...hold(5 * SEC, 8 * SEC, 500, 1)],
      until: 8 * SEC,
      center: { raised: [metric], active: [metric] },
      edge: { raised: [metric], active: [metric] },
    },
    {
      name: `${metric}: a 0.5 s trip has no on-delay to hide behind; the center latches it`,
      sensor,
      rules: [],
      steps: [...base, { at: 5 * SEC, value: 1 }, ...hold(5.5 * SEC, 10 * SEC, 500, 0)],
      until: 10 * SEC,
      center: { raised: [metric], active: [] },
      edge: { raised: [metric], active: [] },
    },
    {
      name: `${metric}: a detector fault while it stands: the ${metric} alarm stays`,
      sensor,
      rules: [],
      steps: [
        ...base,
        ...hold(5 * SEC, 7 * SEC, 500, 1),
        ...hold(7 * SEC, 20 * SEC, 500, 0, { quality: 'fault', fault: 'E1' }),
      ],
      until: 20 * SEC,
      center: { raised: [metric, 'sensor-fault'].sort(), active: [metric, 'sensor-fault'].sort() },
      edge: { raised: [metric], active: [metric] },
    },
    {
      name: `${metric}: stale after 3 silent intervals`,
      sensor,
      rules: [],
      steps: base,
      until: 12 * SEC,
      center: { raised: ['stale'], active: ['stale'] },
      edge: { raised: [], active: [] },
    },
  ];
}

function temperatureCases(): ConformanceCase[] {
  const sensor = { metric: 'temperature', unit: 'C', range: { min: -20, max: 120 }, intervalMs: SEC };
  const base = hold(0, 5 * SEC, SEC, 20);
  return [
    {
      name: 'temperature C: exactly 60 raises temperature-high after 3 s; nothing local',
      sensor,
      rules: [],
      steps: [...base, ...hold(5 * SEC, 10 * SEC, 500, 60)],
      until: 10 * SEC,
      center: { raised: ['temperature-high'], active: ['temperature-high'] },
      edge: { raised: [], active: [] },
    },
    {
      name: 'temperature C: beyond its range raises over-range (and temperature-high), not sensor-fault',
      sensor,
      rules: [],
      steps: [...base, ...hold(5 * SEC, 10 * SEC, 500, 130)],
      until: 10 * SEC,
      center: { raised: ['over-range', 'temperature-high'], active: ['over-range', 'temperature-high'] },
      edge: { raised: [], active: [] },
    },
  ];
}

function unknownGasCases(): ConformanceCase[] {
  return [
    {
      name: 'XYZ ppm (not in the table): no silent default, a config warning; no gas alarm, no siren',
      sensor: { metric: 'gas', gas: 'XYZ', unit: 'ppm', range: { min: 0, max: 100 }, intervalMs: SEC },
      rules: [],
      steps: hold(0, 10 * SEC, 500, 90),
      until: 10 * SEC,
      center: { raised: ['config'], active: ['config'] },
      edge: { raised: [], active: [] },
    },
    {
      name: 'XYZ ppm with limits an admin set: gas-high and the siren like any gas',
      sensor: { metric: 'gas', gas: 'XYZ', unit: 'ppm', range: { min: 0, max: 100 }, intervalMs: SEC },
      rules: [
        { type: 'gas-low', setpoint: 10 },
        { type: 'gas-high', setpoint: 50 },
      ],
      steps: [...hold(0, 5 * SEC, SEC, 0), ...hold(5 * SEC, 10 * SEC, 500, 60)],
      until: 10 * SEC,
      center: { raised: ['gas-high', 'gas-low'], active: ['gas-high', 'gas-low'] },
      edge: { raised: ['gas-high'], active: ['gas-high'] },
    },
  ];
}

/** The whole table. */
export function conformanceCases(): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const gas of Object.values(GASES) as GasInfo[]) {
    const spelled = gas.formula.toUpperCase();
    if (gas.kind === 'combustible') {
      const sensor = { metric: 'gas', gas: spelled, unit: '%LEL', range: { min: 0, max: 100 }, intervalMs: SEC };
      out.push(...gasCases({ label: `${spelled} %LEL`, sensor, baseline: 0.5 }));
      out.push(...toxicExtra({ label: `${spelled} %LEL`, sensor, baseline: 0 }, { ...gas, stel: undefined }));
    } else if (gas.kind === 'toxic') {
      const high = setpointOf({ metric: 'gas', gas: spelled, unit: 'ppm' }, 'gas-high') as number;
      const sensor = { metric: 'gas', gas: spelled, unit: 'ppm', range: { min: 0, max: high * 4 }, intervalMs: SEC };
      const g = { label: `${spelled} ppm`, sensor, baseline: 0 };
      out.push(...gasCases(g), ...toxicExtra(g, gas));
    }
  }
  out.push(...oxygenCases(), ...detectorCases('flame'), ...detectorCases('smoke'));
  out.push(...temperatureCases(), ...unknownGasCases());
  return out;
}
