/**
 * Cost of the anomaly detector in the center: AnomalyDetector.onReading (the queueing the
 * DetectionEngine calls for every reading) plus the scoring of what it queued (flush, as the
 * center's slices do), on one thread, over SENSORS gas sensors read in turn (a province's
 * interleaving), and the memory each sensor's model holds.
 * Run: node --expose-gc --import tsx bench/nab/throughput.ts   (SENSORS=1000, READINGS=2000000)
 * Writes bench/results/nab-throughput.json.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pino from 'pino';
import { createAnomalyDetector } from '../../control-api/src/ml/detector.js';
import { ch4, reading, T0 } from '../../detection/test/fixtures.js';
import { mulberry32 } from '../../edge-agent/src/sim/physics.js';

const SENSORS = Number(process.env.SENSORS ?? 1000);
const READINGS = Number(process.env.READINGS ?? 2_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};

const d = createAnomalyDetector({ log: pino({ level: 'silent' }) });
d.start();
const ctxs = Array.from({ length: SENSORS }, (_, i) => ({ ...ch4(), sensorId: `s${i}` }));
const rnd = mulberry32(7);
// Readings prepared up front so the loop times the detector, not the test data.
const values = Float64Array.from({ length: 1 << 16 }, (_, i) =>
  Math.max(0, 0.8 + 0.35 * (rnd() - 0.5) * 3 + (i % 5000 === 0 ? 6 : 0)),
);
const r = reading(ctxs[0], T0, 1);
const before = heap();
let conditions = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < READINGS; i++) {
  const s = i % SENSORS;
  r.sensorId = ctxs[s].sensorId;
  r.value = values[i & 0xffff];
  r.ts = T0 + Math.floor(i / SENSORS) * 2000;
  d.onReading(r, ctxs[s]);
  if ((i & 1023) === 1023) {
    d.flush();
    conditions += d.onTick(r.ts).length;
  }
}
d.flush();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const after = heap();
const perSecond = Math.round(READINGS / (ms / 1000));
// Per core: readings over the CPU time the process used (the machine is shared, wall time is not ours).
const perCpuSecond = Math.round(READINGS / (cpuMs / 1000));
const { sensors, bytes } = d.footprint;
const result = {
  at: new Date().toISOString(),
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  machine: 'this machine (2 cores, shared with other engineers)',
  sensors,
  readings: READINGS,
  readingsPerSecondWall: perSecond,
  readingsPerCpuSecond: perCpuSecond,
  cpuMicrosecondsPerReading: Math.round((cpuMs * 1000 * 100) / READINGS) / 100,
  modelBytesPerSensor: Math.round(bytes / sensors),
  heapBytesPerSensor: gc ? Math.round((after - before) / sensors) : null,
  conditions,
};
console.log(
  `onReading: ${READINGS} readings of ${sensors} sensors in ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU: ` +
    `${perCpuSecond} readings per CPU-second (${result.cpuMicrosecondsPerReading} us each; ${perSecond}/s wall on a shared machine); ` +
    `memory per sensor: ${result.modelBytesPerSensor} B of model tables` +
    (gc ? `, ${result.heapBytesPerSensor} B of heap in all` : ' (run with --expose-gc for the heap figure)'),
);
writeFileSync(new URL('../results/nab-throughput.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
