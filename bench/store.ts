/**
 * Storage throughput: readings/s the time-series stores take (embedded, and InfluxDB 1.x through
 * a real influxd from testkit, written and acknowledged), and the cost of the per-flush
 * relational updates ingest makes (sensors.updateLastMany, agents.setLastSeqMany) on SQLite.
 * Run: node --import tsx bench/store.ts [readings]. Prints figures, writes bench/results/store.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase } from '../control-api/src/store/db.js';
import { Repositories } from '../control-api/src/store/repositories.js';
import { createTimeSeriesStore } from '../control-api/src/store/timeseries.js';
import type { StoredReading, TimeSeriesStore } from '../control-api/src/store/types.js';
import { startInfluxDB } from '../testkit/index.js';

const total = Number(process.argv[2] ?? 1_000_000);
const log = pino({ level: 'warn' });
const SENSORS = 31 * 5 * 8;
const T0 = Date.now() - 3600_000;

function batches(n: number): StoredReading[][] {
  const out: StoredReading[][] = [];
  for (let i = 0; i < n; i += 500) {
    const b: StoredReading[] = [];
    for (let j = 0; j < 500 && i + j < n; j++) {
      const k = i + j;
      const s = k % SENSORS;
      b.push({
        siteId: `site${s % 31}`,
        agentId: `site${s % 31}-agent`,
        sensorId: `site${s % 31}-ch4-${s}`,
        metric: 'gas',
        gas: 'CH4',
        unit: '%LEL',
        value: (k % 1000) / 10,
        ts: T0 + Math.floor(k / SENSORS),
        quality: 'good',
      });
    }
    out.push(b);
  }
  return out;
}

async function measure(store: TimeSeriesStore, data: StoredReading[][]) {
  await store.start();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  for (const b of data) {
    store.write(b);
    // Yield like a real ingest loop so the writer can run while points arrive.
    if (store.pending() > 50_000) await new Promise((r) => setImmediate(r));
  }
  await store.flush(600_000);
  const wallS = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const n = store.written();
  await store.stop();
  return {
    readings: n,
    wallS: +wallS.toFixed(2),
    perSecond: Math.round(n / wallS),
    perCpuSecond: Math.round(n / ((cpu.user + cpu.system) / 1e6)),
  };
}

const results: Record<string, unknown> = { readings: total, sensors: SENSORS };
const data = batches(total);

const dir = mkdtempSync(join(tmpdir(), 'gwanje-bench-store-'));
try {
  results.embedded = await measure(createTimeSeriesStore({ dataDir: dir, log }), data);
  console.log('embedded', results.embedded);

  const influx = await startInfluxDB();
  try {
    results.influx = await measure(createTimeSeriesStore({ influxUrl: influx.url, dataDir: dir, log }), data);
    console.log('influx', results.influx);
  } finally {
    await influx.stop();
  }

  const db = await openDatabase({ dataDir: dir, log });
  const repos = new Repositories(db);
  const ids = Array.from({ length: SENSORS }, (_, s) => `site${s % 31}-ch4-${s}`);
  await repos.sensors.upsertMany(
    ids.map((sensorId, s) => ({
      sensorId,
      siteId: `site${s % 31}`,
      agentId: `site${s % 31}-agent`,
      metric: 'gas' as const,
      gas: 'CH4',
      unit: '%LEL' as const,
      name: null,
      rules: null,
      cameras: null,
      intervalMs: 1000,
    })),
  );
  const rounds = 50;
  let t = performance.now();
  for (let r = 0; r < rounds; r++) {
    await repos.sensors.updateLastMany(ids.map((sensorId, i) => ({ sensorId, value: r + i / 10, ts: T0 + r * 1000 })));
  }
  const lastMs = (performance.now() - t) / rounds;
  t = performance.now();
  for (let r = 0; r < rounds; r++) {
    await repos.agents.setLastSeqMany(
      Array.from({ length: 31 }, (_, a) => ({ agentId: `site${a}-agent`, lastSeq: r })),
    );
  }
  const seqMs = (performance.now() - t) / rounds;
  await db.close();
  results.sqlite = {
    updateLastManyMs: +lastMs.toFixed(2),
    sensorsPerCall: SENSORS,
    setLastSeqManyMs: +seqMs.toFixed(2),
    agentsPerCall: 31,
  };
  console.log('sqlite', results.sqlite);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const out = new URL('results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'store.json'), `${JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2)}\n`);
