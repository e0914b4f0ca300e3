/**
 * What InfluxDB 1.x spends per point (issue 18), by the shape of the writes: influxd's own CPU
 * (user + system, from /proc) per million points, robust to a shared machine's load, and the
 * wall-clock rate. Every variant writes the same BENCH_POINTS readings (the ingest bench's
 * shape: 16 agents x 100 sensors, 500 readings a message, each reading's own ms timestamp) into
 * a fresh database of one influxd, straight to /write with keep-alive; variants take turns
 * (A B C ... A B C) so a change in load hits each alike. Variants: Gwanje's line as the store
 * writes it at several batch sizes and concurrencies, sorted by series key, gzip'ed (the
 * spool's replay), and the Node-RED peer's two shapes (a request per 500-reading message).
 * Run: node --import tsx bench/ingest/influx-cost.ts. Writes bench/results/ingest-influx-cost.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { linesOf, SeriesKeys } from '../../control-api/src/store/timeseries-line.js';
import type { StoredReading } from '../../control-api/src/store/types.js';
import { startInfluxDB } from '../../testkit/index.js';
import { cpuSecondsOf, perMillion } from './proc.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const N = Number(process.env.BENCH_POINTS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Variant {
  name: string;
  batch: number;
  concurrency: number;
  /** Line protocol of readings[from, to). */
  body: (rs: StoredReading[]) => string | Buffer;
  precision: 'ms' | 'ns';
}

const keys = new SeriesKeys();
const gwanje = (rs: StoredReading[]) => linesOf(rs, keys).bytes;
const sorted = (rs: StoredReading[]) =>
  linesOf(
    [...rs].sort((a, b) => (a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : a.ts - b.ts)),
    keys,
  ).bytes;
// The Node-RED flows' lines as the `influx` client builds them (tags sorted; integers get no `i`
// since the flow's values are floats in JSON terms; no timestamp in the usual flow).
const usual = (rs: StoredReading[]) =>
  rs.map((r) => `reading,agentId=${r.agentId},metric=${r.metric},sensorId=${r.sensorId} value=${r.value}`).join('\n');

const VARIANTS: Variant[] = [
  { name: 'gwanje 10k x2 (the store today)', batch: 10_000, concurrency: 2, body: gwanje, precision: 'ms' },
  { name: 'gwanje 10k x1', batch: 10_000, concurrency: 1, body: gwanje, precision: 'ms' },
  { name: 'gwanje 10k x4', batch: 10_000, concurrency: 4, body: gwanje, precision: 'ms' },
  { name: 'gwanje 5k x2', batch: 5_000, concurrency: 2, body: gwanje, precision: 'ms' },
  { name: 'gwanje 50k x2', batch: 50_000, concurrency: 2, body: gwanje, precision: 'ms' },
  { name: 'gwanje 500 x8', batch: 500, concurrency: 8, body: gwanje, precision: 'ms' },
  { name: 'gwanje 10k x2 sorted by series', batch: 10_000, concurrency: 2, body: sorted, precision: 'ms' },
  {
    name: 'gwanje 10k x2 gzip (spool replay)',
    batch: 10_000,
    concurrency: 2,
    body: (rs) => gzipSync(gwanje(rs), { level: 1 }),
    precision: 'ms',
  },
  { name: 'node-red usual 500 x8', batch: 500, concurrency: 8, body: usual, precision: 'ns' },
];

function readings(): StoredReading[] {
  const out: StoredReading[] = [];
  let ts = Date.now() - 3_600_000;
  for (let i = 0; i < N; i += 500) {
    const a = (i / 500) % 16;
    ts += 500;
    for (let k = 0; k < 500 && i + k < N; k++) {
      const s = (i + k) % 100;
      out.push({
        siteId: `site-${a}`,
        agentId: `bench-${a}`,
        sensorId: `bench-${a}-t-${s}`,
        metric: 'temperature',
        unit: 'C',
        value: 20 + (s % 7),
        ts: ts + k,
        quality: 'good',
      });
    }
  }
  return out;
}

const influx = await startInfluxDB();
const data = readings();
const runs: Array<{
  name: string;
  round: number;
  perSecond: number;
  influxCpuSecondsPerMillion: number;
  load: number;
}> = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, v] of VARIANTS.entries()) {
      const db = `c${round}_${i}`;
      await fetch(`${influx.url}/query?q=${encodeURIComponent(`CREATE DATABASE ${db}`)}`, { method: 'POST' });
      const bodies: Array<string | Buffer> = [];
      for (let j = 0; j < data.length; j += v.batch) bodies.push(v.body(data.slice(j, j + v.batch)));
      const url = `${influx.url}/write?db=${db}&precision=${v.precision}`;
      const gzip = Buffer.isBuffer(bodies[0]);
      const headers = { 'content-type': 'text/plain', ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
      const load = loadavg()[0];
      const cpu0 = cpuSecondsOf(influx.pid());
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: v.concurrency }, async () => {
          while (next < bodies.length) {
            const res = await fetch(url, { method: 'POST', headers, body: bodies[next++] });
            if (res.status !== 204) throw new Error(`bench: ${v.name}: InfluxDB ${res.status} ${await res.text()}`);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuSecondsOf(influx.pid()) - cpu0;
      const r = {
        name: v.name,
        round,
        perSecond: Math.round(data.length / seconds),
        influxCpuSecondsPerMillion: perMillion(cpu, data.length),
        load: Math.round(load * 10) / 10,
      };
      console.log(JSON.stringify(r));
      runs.push(r);
      await fetch(`${influx.url}/query?q=${encodeURIComponent(`DROP DATABASE ${db}`)}`, { method: 'POST' });
    }
  }
  const summary = VARIANTS.map((v) => {
    const mine = runs.filter((r) => r.name === v.name);
    return {
      name: v.name,
      perSecond: mine.map((r) => r.perSecond),
      influxCpuSecondsPerMillion: mine.map((r) => r.influxCpuSecondsPerMillion),
    };
  });
  console.table(summary);
  const result = { bench: 'ingest-influx-cost', date: new Date().toISOString(), points: N, summary, runs };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/ingest-influx-cost.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await influx.stop();
}
