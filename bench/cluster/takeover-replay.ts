/**
 * Issue 19: what replaying recent readings adds to taking a site over (ingest/restore-recent.ts),
 * against a real InfluxDB: sites of 20 and 100 CH4 sensors reporting once a second for the last
 * 5 minutes, each sensor's window read back (8 queries at a time) and handed to a sink, 7 runs.
 * The replay runs before the site's consumer starts, so it delays that site's first live reading.
 *
 *   node --import tsx bench/cluster/takeover-replay.ts
 *
 * Writes bench/results/takeover-replay.json (with the load average: this machine is shared).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolveRules } from '@gwanje/protocol';
import pino from 'pino';
import { restoreRecent } from '../../control-api/src/ingest/restore-recent.js';
import type { KnownSensor } from '../../control-api/src/ingest/sensors.js';
import { InfluxTimeSeriesStore } from '../../control-api/src/store/timeseries-influx.js';
import type { StoredReading } from '../../control-api/src/store/types.js';
import { startInfluxDB } from '../../testkit/index.js';

const RUNS = 7;
const log = pino({ level: 'silent' });
const influx = await startInfluxDB();
const store = new InfluxTimeSeriesStore({ url: influx.url, database: 'replay', log });
await store.start();
const load0 = loadavg()[0];

async function site(name: string, n: number): Promise<KnownSensor[]> {
  const now = Date.now();
  const out: KnownSensor[] = [];
  for (let s = 0; s < n; s++) {
    const sensorId = `${name}-ch4-${s}`;
    const points: StoredReading[] = [];
    for (let i = 0; i < 300; i++)
      points.push({
        siteId: name,
        agentId: `${name}-agent`,
        sensorId,
        metric: 'gas',
        gas: 'CH4',
        unit: '%LEL',
        value: 3,
        ts: now - 300_000 + i * 1000,
        quality: 'good',
      });
    store.write(points);
    const rules = resolveRules({ metric: 'gas', gas: 'CH4', unit: '%LEL' }, []);
    const ctx = {
      sensorId,
      siteId: name,
      agentId: `${name}-agent`,
      metric: 'gas',
      gas: 'CH4',
      unit: '%LEL',
      cameras: [],
      rules,
    };
    out.push({ row: { sensorId }, ctx, lastTs: now } as unknown as KnownSensor);
  }
  await store.flush(30_000);
  return out;
}

const results = [];
for (const n of [20, 100]) {
  const sensors = await site(`s${n}`, n);
  let samples = 0;
  const ms: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await restoreRecent({
      alarms: {
        restoreRecent: (_ctx, s) => {
          samples += s.length;
        },
      },
      sensors,
      timeseries: store,
      now: Date.now,
      log,
    });
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const row = {
    sensors: n,
    samplesPerSensor: Math.round(samples / RUNS / n),
    msMedian: Math.round(ms[RUNS >> 1]),
    msMax: Math.round(ms[RUNS - 1]),
  };
  console.log(JSON.stringify(row));
  results.push(row);
}
await store.stop();
await influx.stop();
const out = { when: new Date().toISOString(), loadavgAtStart: load0, loadavgAtEnd: loadavg()[0], runs: RUNS, results };
writeFileSync(new URL('../results/takeover-replay.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log('bench/results/takeover-replay.json written');
