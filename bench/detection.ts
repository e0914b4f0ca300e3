/**
 * Detection throughput: readings evaluated per second on one core by DetectionEngine with the
 * default rules of the simulated province's sensor mix (CH4 %LEL, CO ppm, H2S ppm, flame,
 * temperature), realistic values (mostly normal, a few excursions), ticks once a simulated second.
 * Run: node --import tsx bench/detection.ts [readings]. Prints the figure and writes
 * bench/results/detection.json; BENCH_ML=1 adds the center's advisory anomaly detector (issue 22:
 * every reading scored) and writes bench/results/detection-ml.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { DetectionReading, SensorContext } from '@gwanje/detection';
import { DetectionEngine } from '@gwanje/detection';
import { resolveRules } from '@gwanje/protocol';
import pino from 'pino';
import { createAnomalyDetector } from '../control-api/src/ml/detector.js';

const total = Number(process.argv[2] ?? 2_000_000);
const ml = process.env.BENCH_ML === '1';
const SITES = 31;
// Measuring ranges as the simulated agents report them (issue 15: the center knows each range, so
// every reading is also classified against it).
const kinds = [
  { k: 'ch4', metric: 'gas', gas: 'CH4', unit: '%LEL', base: 1, spike: 30, range: { min: 0, max: 100 } },
  { k: 'co', metric: 'gas', gas: 'CO', unit: 'ppm', base: 3, spike: 250, range: { min: 0, max: 1000 } },
  { k: 'h2s', metric: 'gas', gas: 'H2S', unit: 'ppm', base: 0.5, spike: 20, range: { min: 0, max: 100 } },
  { k: 'flame', metric: 'flame', gas: undefined, unit: 'bool', base: 0, spike: 1, range: undefined },
  { k: 'temp', metric: 'temperature', gas: undefined, unit: 'C', base: 22, spike: 70, range: { min: -40, max: 85 } },
] as const;

const ctxs: SensorContext[] = [];
for (let s = 0; s < SITES; s++) {
  for (let n = 1; n <= 8; n++) {
    for (const kind of kinds) {
      const desc = { metric: kind.metric, gas: kind.gas, unit: kind.unit, range: kind.range };
      ctxs.push({
        range: kind.range,
        sensorId: `site${s}-${kind.k}-${n}`,
        siteId: `site${s}`,
        agentId: `site${s}-agent`,
        metric: kind.metric,
        gas: kind.gas,
        unit: kind.unit,
        intervalMs: 2000,
        cameras: [`site${s}-cam-1`],
        rules: resolveRules(desc, []),
      });
    }
  }
}
const kindOf = ctxs.map((_, i) => kinds[i % kinds.length]);

// Pre-build readings so the figure is detection only. Every sensor reports every 2 s (simulated);
// about 1 in 2000 readings starts a 20-second excursion.
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const batch: DetectionReading[] = [];
const excursion = new Float64Array(ctxs.length);
const t0 = 1_763_900_000_000;
for (let i = 0; i < total; i++) {
  const si = i % ctxs.length;
  const ts = t0 + Math.floor(i / ctxs.length) * 2000 + (si % 1000);
  const kind = kindOf[si];
  if (excursion[si] < ts && rnd() < 0.0005) excursion[si] = ts + 20_000;
  const value = excursion[si] >= ts ? kind.spike : kind.base + (kind.unit === 'bool' ? 0 : rnd() * kind.base * 0.2);
  const c = ctxs[si];
  batch.push({
    siteId: c.siteId,
    agentId: c.agentId,
    sensorId: c.sensorId,
    metric: c.metric as DetectionReading['metric'],
    unit: c.unit as DetectionReading['unit'],
    gas: c.gas,
    value,
    ts,
    quality: 'good',
  });
}

/**
 * Rate by wall clock and by this process's CPU time: on a shared machine (load average far above
 * the core count while other suites run) wall time includes waiting for a core; CPU time is
 * what one core spends evaluating.
 */
function run(): { rate: number; cpuRate: number; transitions: number; ms: number } {
  let id = 0;
  const anomaly = ml ? createAnomalyDetector({ log: pino({ level: 'silent' }) }) : undefined;
  const engine = new DetectionEngine({ newId: () => `a${++id}`, detectors: anomaly ? [anomaly] : [] });
  let transitions = 0;
  let nextTick = t0 + 1000;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i];
    if (r.ts >= nextTick) {
      // The center scores the queued readings between I/O callbacks; here, before each tick.
      anomaly?.flush();
      transitions += engine.tick(nextTick).length;
      nextTick += 1000;
    }
    transitions += engine.onReading(r, ctxs[i % ctxs.length], r.ts).length;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    rate: Math.round(batch.length / (ms / 1000)),
    cpuRate: Math.round(batch.length / (cpuMs / 1000)),
    transitions,
    ms,
  };
}

run(); // warm-up (JIT)
const runs = [run(), run(), run()];
const best = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
const result = {
  bench: 'detection',
  ml,
  date: new Date().toISOString(),
  node: process.version,
  sensors: ctxs.length,
  readings: total,
  readingsPerSecond: best.rate,
  readingsPerCpuSecond: Math.max(...runs.map((r) => r.cpuRate)),
  runs: runs.map((r) => r.rate),
  cpuRuns: runs.map((r) => r.cpuRate),
  loadAverage: loadavg(),
  transitions: best.transitions,
};
console.log(
  `detection: ${best.rate.toLocaleString('en')} readings/s wall, ${result.readingsPerCpuSecond.toLocaleString('en')} per CPU-second on one core ` +
    `(${ctxs.length} sensors, ${total.toLocaleString('en')} readings, ${best.transitions} alarm transitions; ` +
    `wall runs ${runs.map((r) => r.rate).join(', ')}; cpu runs ${runs.map((r) => r.cpuRate).join(', ')}; load ${loadavg()[0].toFixed(1)})`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`./results/detection${ml ? '-ml' : ''}.json`, import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
);
