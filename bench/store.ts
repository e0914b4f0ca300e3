/**
 * Storage throughput: readings/s the time-series stores take (embedded, and InfluxDB 1.x through
 * a real influxd from testkit, written and acknowledged), and the cost of the per-flush
 * relational updates ingest makes (sensors.updateLastMany, agents.setLastSeqMany) on SQLite.
 * Outage scenario (issue 4, "a 5-minute InfluxDB outage loses nothing"): readings offered at a
 * steady rate (default 50,000/s) while InfluxDB runs, is paused for `outageS` seconds (default
 * 20; 300 for the full 5 minutes) and comes back; reports the rate accepted during the outage,
 * the rate written after it (backlog drain while new readings keep arriving), catch-up time,
 * peak RSS, spool size, CPU-seconds, and checks the stored count exactly.
 * Run: node --import tsx bench/store.ts [readings] [outageS] [rate]. Prints figures, writes
 * bench/results/store.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { openDatabase } from '../control-api/src/store/db.js';
import { Repositories } from '../control-api/src/store/repositories.js';
import { createTimeSeriesStore } from '../control-api/src/store/timeseries.js';
import type { StoredReading, TimeSeriesStore } from '../control-api/src/store/types.js';
import { type InfluxInstance, startInfluxDB } from '../testkit/index.js';

v8.setFlagsFromString('--expose-gc');
/** A full collection: memory retained, as opposed to garbage V8 has not collected yet. */
const gc = vm.runInNewContext('gc') as () => void;
const total = Number(process.argv[2] ?? 1_000_000);
const outageS = Number(process.argv[3] ?? 20);
const rate = Number(process.argv[4] ?? 50_000);
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

const reading = (k: number): StoredReading => {
  const s = k % SENSORS;
  return {
    siteId: `site${s % 31}`,
    agentId: `site${s % 31}-agent`,
    sensorId: `site${s % 31}-ch4-${s}`,
    metric: 'gas',
    gas: 'CH4',
    unit: '%LEL',
    value: (k % 1000) / 10,
    ts: T0 + Math.floor(k / SENSORS),
    quality: 'good',
  };
};

const dirBytes = (d: string) => {
  try {
    return readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
  } catch {
    return 0;
  }
};

/** Readings at `rate`/s: 5 s up, `outageS` s down, then until the backlog is written. */
async function outage(influx: InfluxInstance, dataDir: string) {
  const store = createTimeSeriesStore({ influxUrl: influx.url, database: 'outage', dataDir, log });
  await store.start();
  const spool = join(dataDir, 'influx-spool', 'outage');
  let sent = 0;
  let rssMax = 0;
  let spoolMax = 0;
  const t0 = performance.now();
  const offer = async (untilS: number, done?: () => boolean) => {
    while ((performance.now() - t0) / 1000 < untilS && !done?.()) {
      const due = Math.floor(((performance.now() - t0) / 1000) * rate);
      while (sent < due) {
        const b: StoredReading[] = [];
        for (let i = 0; i < 500 && sent < due; i++) b.push(reading(sent++));
        store.write(b);
      }
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      spoolMax = Math.max(spoolMax, dirBytes(spool));
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await offer(5);
  gc();
  const { rss: rss0, heapUsed: heap0 } = process.memoryUsage();
  await influx.pause();
  const cpu0 = process.cpuUsage();
  const sentBefore = sent;
  await offer(5 + outageS);
  const duringCpu = process.cpuUsage(cpu0);
  const acceptedDuring = sent - sentBefore;
  const rssOutage = rssMax;
  gc();
  const retained = process.memoryUsage();
  await influx.resume();
  const tBack = performance.now();
  const writtenAtBack = store.written();
  const sentAtBack = sent;
  // Keep offering at the same rate until the backlog is gone (pending below one second's worth).
  await offer(5 + outageS + 600, () => store.written() > writtenAtBack && store.pending() < rate);
  const catchUpS = (performance.now() - tBack) / 1000;
  const writtenAfter = store.written() - writtenAtBack;
  await store.flush(600_000);
  const cpu = process.cpuUsage(cpu0);
  const r = {
    rate,
    outageS,
    acceptedDuringOutage: acceptedDuring,
    acceptedPerSecondDuring: Math.round(acceptedDuring / outageS),
    cpuSecondsDuringOutage: +((duringCpu.user + duringCpu.system) / 1e6).toFixed(2),
    offeredDuringCatchUp: sent - sentAtBack,
    catchUpS: +catchUpS.toFixed(1),
    writtenPerSecondAfter: Math.round(writtenAfter / catchUpS),
    rssPeakGrowthDuringOutageMb: Math.round((rssOutage - rss0) / 1e6),
    rssPeakGrowthToEndMb: Math.round((rssMax - rss0) / 1e6),
    heapRetainedGrowthAtOutageEndMb: Math.round((retained.heapUsed - heap0) / 1e6),
    rssAfterGcGrowthAtOutageEndMb: Math.round((retained.rss - rss0) / 1e6),
    spoolPeakMb: Math.round(spoolMax / 1e6),
    cpuSecondsOutageToEnd: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    sent,
    written: store.written(),
    dropped: store.dropped(),
  };
  await store.stop();
  return r;
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
    results.influxOutage = await outage(influx, dir);
    console.log('influx outage', results.influxOutage);
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
