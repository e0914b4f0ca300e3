/**
 * Issue 21 figure: a CSV export of a month of one sensor's raw readings runs in constant memory.
 * Writes `days` of readings at one per `intervalMs` (default 31 days at 1 s: 2,678,400 rows)
 * into the embedded time-series store (raw retention widened to hold them), then streams
 * `GET /api/v1/export/readings.csv`'s generator (readingsCsv over store.raw) into a counting
 * sink, sampling heap and RSS every 50 ms. Prints rows/s, bytes, and the peak heap and RSS above
 * the level before the export; writes bench/results/incident-export.json.
 * Run: node --import tsx bench/incident/export.ts [days] [intervalMs]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { readingsCsv } from '../../control-api/src/incident/tables.js';
import { EmbeddedTimeSeriesStore } from '../../control-api/src/store/timeseries-embedded.js';
import type { StoredReading } from '../../control-api/src/store/types.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const days = Number(process.argv[2] ?? 31);
const intervalMs = Number(process.argv[3] ?? 1000);
const DAY = 86_400_000;
const now = Date.now();
const from = now - days * DAY;
const dir = mkdtempSync(join(tmpdir(), 'gwanje-bench-export-'));
const store = new EmbeddedTimeSeriesStore({
  dataDir: dir,
  log: pino({ level: 'warn' }),
  rawRetentionMs: (days + 1) * DAY,
  memoryWindowMs: 60_000,
  flushIntervalMs: 3_600_000,
});
const sensor = {
  sensorId: 'suwon-ch4-1',
  siteId: 'suwon',
  agentId: 'suwon-sim-1',
  metric: 'gas' as const,
  gas: 'CH4',
  unit: '%LEL' as const,
};

try {
  await store.start();
  const t0 = performance.now();
  let rows = 0;
  let batch: StoredReading[] = [];
  for (let ts = from; ts < now; ts += intervalMs) {
    batch.push({
      ...sensor,
      value: Math.round(Math.random() * 1000) / 100,
      ts,
      quality: rows % 997 === 0 ? 'fault' : 'good',
    });
    rows++;
    if (batch.length === 5000) {
      store.write(batch);
      batch = [];
      if (rows % 200_000 === 0) await store.flush(600_000);
    }
  }
  store.write(batch);
  await store.flush(600_000);
  console.log(`wrote ${rows} readings in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  gc();
  const base = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  const peak = { ...base };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.rss = Math.max(peak.rss, m.rss);
  }, 50);
  const t1 = performance.now();
  let bytes = 0;
  let lines = 0;
  for await (const chunk of readingsCsv(sensor, store.raw(sensor.sensorId, from, now + 1))) {
    bytes += Buffer.byteLength(chunk);
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
    const m = process.memoryUsage();
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.rss = Math.max(peak.rss, m.rss);
  }
  clearInterval(sampler);
  const seconds = (performance.now() - t1) / 1000;
  const MB = 1024 * 1024;
  const result = {
    days,
    intervalMs,
    rowsWritten: rows,
    csvRows: lines - 1,
    csvMB: +(bytes / MB).toFixed(1),
    seconds: +seconds.toFixed(1),
    rowsPerSecond: Math.round((lines - 1) / seconds),
    peakHeapAboveBaseMB: +((peak.heap - base.heap) / MB).toFixed(1),
    peakRssAboveBaseMB: +((peak.rss - base.rss) / MB).toFixed(1),
    at: new Date().toISOString(),
  };
  console.log(result);
  if (result.csvRows !== rows) throw new Error(`export listed ${result.csvRows} of ${rows} readings`);
  const out = new URL('../results/', import.meta.url).pathname;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'incident-export.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
}
