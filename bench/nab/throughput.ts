/**
 * Cost of the anomaly detector in the center: the hot-path onReading (sample + queue) per reading,
 * and the worker's scoring rate over 200 sensors (statistics + autoencoder, batches of 32).
 * Run: node --import tsx bench/nab/throughput.ts (S=n samples every n-th reading). Prints only.
 */
import pino from 'pino';
import { createAnomalyDetector } from '../../control-api/src/ml/detector.js';
import { ch4, reading, T0 } from '../../control-api/test/detection/fixtures.js';

const d = createAnomalyDetector({
  log: pino({ level: 'silent' }),
  flushMs: 3_600_000,
  maxQueue: 2_000_000,
  sampleEvery: Number(process.env.S ?? 1),
});
await d.start();
const ctxs = Array.from({ length: 200 }, (_, i) => ({ ...ch4(), sensorId: `s${i}` }));
const rs = ctxs.map((c) => reading(c, T0, 1));
const N = 500_000;
let t0 = performance.now();
for (let i = 0; i < N; i++) {
  const c = ctxs[i % 200];
  const r = { ...rs[i % 200], value: 1 + Math.sin(i / 1000), ts: T0 + i };
  d.onReading(r, c);
}
const enq = performance.now() - t0;
t0 = performance.now();
const n = d.process(100_000);
const proc = performance.now() - t0;
console.log(
  `onReading: ${((enq * 1000) / N).toFixed(3)} us/reading; process: ${n} readings (200 sensors) in ${proc.toFixed(0)} ms = ${Math.round((n / proc) * 1000)} readings/s on ${d.backend}`,
);
d.stop();
