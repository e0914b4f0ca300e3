/**
 * The advisory anomaly alarm on gas-like series from the simulator's physics (issue 22): clean air
 * from edge-agent/src/sim/physics.ts (a 2 s reporting period), with one injected event per run:
 *   leak        the simulator's own leak incident (ramp past gas-high in 20-60 s, hold, recede);
 *   small-leak  a slow release that peaks at 10-80 % of gas-low over 2-5 min: no threshold alarm;
 *   drift       the transmitter's zero creeps up by 10-40 % of gas-low over 30-90 min;
 *   stuck       the output freezes at its last value for 10-30 min;
 *   noise       5 min of interference, 2-20 % of gas-low standard deviation;
 *   none        clean air only (false alarms).
 * Sizes span from below the sensor's own noise to clearly visible, so recall says where the
 * detector's resolution ends. Each run feeds 6 hours of readings of one CH4 (%LEL), CO or H2S
 * (ppm) sensor through a DetectionEngine with the center's AnomalyDetector; the event starts
 * between 1 h and 4 h.
 * A raise of the advisory `anomaly` alarm from the event's start to 5 min after its end detects
 * it; any other raise is a false alarm. Prints recall and delay per event kind, precision, false
 * alarms per sensor-day, and for leaks the lead over the first threshold alarm.
 * Run: node --import tsx bench/nab/gas.ts (RUNS=20 per gas and kind). Writes bench/results/nab-gas.json.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pino from 'pino';
import { createAnomalyDetector } from '../../control-api/src/ml/detector.js';
import { simulatedGasSensor } from '../../control-api/test/ml/simulated-gas.js';
import { engine, reading, sensor, T0 } from '../../detection/test/fixtures.js';
import {
  faultReading,
  type Incident,
  incidentLevel,
  initialState,
  mulberry32,
  type Rng,
  type SensorFault,
  step,
} from '../../edge-agent/src/sim/physics.js';

const RUNS = Number(process.env.RUNS ?? 20);
const PERIOD_MS = 2000;
const HOURS = 6;
const GRACE_MS = 5 * 60_000;
const KINDS = ['leak', 'small-leak', 'drift', 'stuck', 'noise', 'none'] as const;
type Kind = (typeof KINDS)[number];
/** gas-low of each simulated gas sensor (CONTRACT: 10 %LEL; CO and H2S at their Korean TWA). */
const GASES = [
  { gas: 'CH4', unit: '%LEL', low: 10 },
  { gas: 'CO', unit: 'ppm', low: 30 },
  { gas: 'H2S', unit: 'ppm', low: 10 },
] as const;

interface Event {
  start: number;
  end: number;
  leak?: Incident;
  fault?: SensorFault;
}

const between = (rng: Rng, lo: number, hi: number): number => lo + rng() * (hi - lo);
const minutes = (m: number): number => Math.round(m * 60_000);

function eventOf(kind: Kind, sensorId: string, low: number, high: number, rng: Rng): Event | undefined {
  const start = T0 + minutes(between(rng, 60, 240));
  const leak = (rampMs: number, holdMs: number, recedeMs: number, peak: number): Event => ({
    start,
    end: start + rampMs + holdMs + recedeMs,
    leak: { kind: 'leak', sensorId, start, rampMs, holdMs, recedeMs, peak },
  });
  const fault = (f: Omit<SensorFault, 'start'>): Event => ({
    start,
    end: start + f.durationMs,
    fault: { ...f, start },
  });
  switch (kind) {
    case 'leak': // as physics.startIncident: past gas-high within a minute
      return leak(
        minutes(between(rng, 1 / 3, 1)),
        minutes(between(rng, 1 / 6, 2 / 3)),
        minutes(between(rng, 0.5, 1)),
        high * between(rng, 1.3, 2.1),
      );
    case 'small-leak':
      return leak(minutes(between(rng, 2, 5)), minutes(5), minutes(5), low * between(rng, 0.1, 0.8));
    case 'drift':
      return fault({ kind: 'drift', durationMs: minutes(between(rng, 30, 90)), size: low * between(rng, 0.1, 0.4) });
    case 'stuck':
      return fault({ kind: 'stuck', durationMs: minutes(between(rng, 10, 30)), size: Number.NaN });
    case 'noise':
      return fault({ kind: 'noise', durationMs: minutes(5), size: low * between(rng, 0.02, 0.2) });
    default:
      return undefined;
  }
}

interface RunResult {
  detectedAt?: number;
  thresholdAt?: number;
  falseAlarms: number;
  hours: number;
}

function run(kind: Kind, g: (typeof GASES)[number], seed: number): RunResult {
  const rng = mulberry32(seed);
  const cfg = simulatedGasSensor(g.gas);
  const ctx = sensor(`bench-${g.gas}-${kind}-${seed}`, { metric: 'gas', gas: g.gas, unit: g.unit });
  const high = ctx.rules.find((r) => r.type === 'gas-high')?.setpoint ?? g.low * 2.5;
  const ev = eventOf(kind, cfg.sensorId, g.low, high, rng);
  const anomaly = createAnomalyDetector({ log: pino({ level: 'silent' }) });
  const e = engine({ detectors: [anomaly] });
  const st = initialState([cfg], T0, 0, rng);
  if (ev?.leak) st.incidents.push(ev.leak);
  const out: RunResult = { falseAlarms: 0, hours: HOURS };
  for (let now = T0; now < T0 + HOURS * 3_600_000; now += PERIOD_MS) {
    let value = step([cfg], st, now, 0, rng)[0].value;
    if (ev?.fault) {
      // A stuck output holds the last reading before the fault.
      if (ev.fault.kind === 'stuck' && Number.isNaN(ev.fault.size) && now >= ev.fault.start) ev.fault.size = value;
      value = faultReading(ev.fault, now, value, rng);
    }
    if (ev?.leak && incidentLevel(ev.leak, now) === 0 && now > ev.start) st.incidents.length = 0;
    const trs = e.onReading(reading(ctx, now, value), ctx, now);
    // As the center: the detector scores off the alarm path; its verdicts come at the tick.
    anomaly.flush();
    for (const tr of [...trs, ...e.tick(now)]) {
      if (tr.action !== 'raise') continue;
      if (tr.alarm.type !== 'anomaly') {
        if (ev && now >= ev.start && out.thresholdAt === undefined && tr.alarm.type !== 'stale') out.thresholdAt = now;
        continue;
      }
      if (ev && now >= ev.start && now <= ev.end + GRACE_MS) out.detectedAt ??= now;
      else out.falseAlarms++;
    }
  }
  if (ev) {
    out.detectedAt = out.detectedAt === undefined ? undefined : out.detectedAt - ev.start;
    out.thresholdAt = out.thresholdAt === undefined ? undefined : out.thresholdAt - ev.start;
  }
  return out;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const perKind: Record<string, unknown> = {};
let detectedAll = 0;
let eventsAll = 0;
let falseAll = 0;
let sensorHours = 0;
for (const kind of KINDS) {
  const rows = GASES.flatMap((g, gi) => Array.from({ length: RUNS }, (_, r) => run(kind, g, 1000 * gi + r + 1)));
  const detected = rows.filter((r) => r.detectedAt !== undefined);
  const falseAlarms = rows.reduce((n, r) => n + r.falseAlarms, 0);
  falseAll += falseAlarms;
  sensorHours += rows.reduce((n, r) => n + r.hours, 0);
  const leads = rows
    .filter((r) => r.detectedAt !== undefined && r.thresholdAt !== undefined)
    .map((r) => ((r.thresholdAt as number) - (r.detectedAt as number)) / 1000);
  const entry = {
    runs: rows.length,
    recall: kind === 'none' ? null : Math.round((1000 * detected.length) / rows.length) / 1000,
    medianDelaySeconds: kind === 'none' ? null : median(detected.map((r) => (r.detectedAt as number) / 1000)),
    thresholdAlarmRuns: rows.filter((r) => r.thresholdAt !== undefined).length,
    medianLeadOverThresholdSeconds: median(leads),
    falseAlarms,
  };
  if (kind !== 'none') {
    detectedAll += detected.length;
    eventsAll += rows.length;
  }
  perKind[kind] = entry;
  console.log(
    `${kind.padEnd(11)} recall ${entry.recall ?? '-'}  median delay ${entry.medianDelaySeconds ?? '-'} s  ` +
      `threshold alarms in ${entry.thresholdAlarmRuns}/${rows.length} runs, median lead over them ${entry.medianLeadOverThresholdSeconds ?? '-'} s  false alarms ${falseAlarms}`,
  );
}
const precision = Math.round((1000 * detectedAll) / (detectedAll + falseAll)) / 1000;
const falsePerSensorDay = Math.round((100 * falseAll * 24) / sensorHours) / 100;
console.log(
  `\nall events: recall ${Math.round((1000 * detectedAll) / eventsAll) / 1000}, precision ${precision} ` +
    `(${detectedAll} detections, ${falseAll} false alarms), ${falsePerSensorDay} false alarms per sensor-day`,
);
writeFileSync(
  new URL('../results/nab-gas.json', import.meta.url),
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      runsPerGasAndKind: RUNS,
      gases: GASES.map((g) => g.gas),
      hoursPerRun: HOURS,
      recall: Math.round((1000 * detectedAll) / eventsAll) / 1000,
      precision,
      falseAlarmsPerSensorDay: falsePerSensorDay,
      kinds: perKind,
    },
    null,
    2,
  )}\n`,
);
