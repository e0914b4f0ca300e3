/**
 * The InfluxDB writer alone (issue 18): how fast `InfluxTimeSeriesStore` makes readings durable
 * in a real influxd with different batch sizes and numbers of parallel writes, taking turns
 * (A B C A B C ...) so a change in the shared machine's load hits every setting alike. Each
 * turn writes BENCH_READINGS (1,000,000) readings of 1,600 sensors (the ingest bench's shape)
 * into a fresh database and waits until the store has written them all.
 * BENCH_SPILL=1 compares instead the spill threshold of the outage buffer (issue 18): readings
 * are handed over as fast as the process takes them (one message per event-loop turn, as from
 * MQTT), so the writer falls behind; the store's CPU per million readings (this process) is
 * recorded beside the rate.
 * Run: node --import tsx bench/ingest/writer.ts. Writes bench/results/ingest-writer.json
 * (BENCH_SPILL=1: ingest-writer-spill.json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { InfluxTimeSeriesStore } from '../../control-api/src/store/timeseries-influx.js';
import type { StoredReading } from '../../control-api/src/store/types.js';
import { startInfluxDB } from '../../testkit/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const N = Number(process.env.BENCH_READINGS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SPILL = process.env.BENCH_SPILL === '1';
const SETTINGS: Array<{ batchSize: number; parallelWrites: number; spillAfterPoints?: number }> = SPILL
  ? [
      { batchSize: 10_000, parallelWrites: 2, spillAfterPoints: 100_000 },
      { batchSize: 10_000, parallelWrites: 2, spillAfterPoints: 1_000_000 },
    ]
  : [
      { batchSize: 5_000, parallelWrites: 1 },
      { batchSize: 10_000, parallelWrites: 2 },
      { batchSize: 10_000, parallelWrites: 4 },
    ];
const log = pino({ level: 'warn' });

/** The ingest bench's readings: 16 agents x 100 sensors, 500 a message. */
function messages(): StoredReading[][] {
  const out: StoredReading[][] = [];
  const t0 = Date.now() - 60_000;
  for (let i = 0; i < N; i += 500) {
    const m: StoredReading[] = [];
    for (let k = i; k < Math.min(N, i + 500); k++) {
      const a = k % 16;
      const s = Math.floor(k / 16) % 100;
      m.push({
        siteId: `site${a}`,
        agentId: `bench-${a}`,
        sensorId: `bench-${a}-t-${s}`,
        metric: 'temperature',
        unit: 'C',
        value: 20 + (s % 7),
        ts: t0 + Math.floor(k / 1600),
        quality: 'good',
      });
    }
    out.push(m);
  }
  return out;
}

const influx = await startInfluxDB();
const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-writer-'));
const data = messages();
const runs: Array<Record<string, number>> = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, s] of SETTINGS.entries()) {
      const store = new InfluxTimeSeriesStore({
        url: influx.url,
        database: `w${round}_${i}`,
        log,
        dataDir,
        ...s,
      });
      await store.start();
      const load = loadavg()[0];
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      for (const m of data) {
        store.write(m);
        // Yield as the MQTT client does between messages, so the writer's responses are handled.
        if (SPILL || store.pending() > 40_000) await new Promise((r) => setImmediate(r));
      }
      await store.flush(600_000);
      const s2 = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const written = store.written();
      await store.stop();
      const r = {
        ...s,
        round,
        written,
        seconds: Math.round(s2 * 100) / 100,
        perSecond: Math.round(written / s2),
        cpuSecondsPerMillion: Math.round(((cpu.user + cpu.system) / 1e6 / (written / 1e6)) * 100) / 100,
        load,
      };
      console.log(JSON.stringify(r));
      runs.push(r);
    }
  }
  const summary = SETTINGS.map((s) => {
    const mine = runs.filter(
      (r) =>
        r.batchSize === s.batchSize &&
        r.parallelWrites === s.parallelWrites &&
        r.spillAfterPoints === s.spillAfterPoints,
    );
    return {
      ...s,
      perSecond: mine.map((r) => r.perSecond),
      cpuSecondsPerMillion: mine.map((r) => r.cpuSecondsPerMillion),
    };
  });
  const result = {
    bench: SPILL ? 'ingest-writer-spill' : 'ingest-writer',
    date: new Date().toISOString(),
    readings: N,
    summary,
    runs,
  };
  console.log(JSON.stringify(summary));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = SPILL ? 'ingest-writer-spill.json' : 'ingest-writer.json';
  writeFileSync(join(ROOT, `bench/results/${file}`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await influx.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
