/**
 * InfluxDB backend against a real influxd (testkit): aggregates, the retention policies and CQ it
 * creates, and an outage mid-stream (issue 4: "an InfluxDB stopped and restarted mid-stream with
 * the count checked exactly").
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InfluxDB } from 'influx';
import pino from 'pino';
import { type InfluxInstance, startInfluxDB } from '../../../testkit/index.js';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import { InfluxTimeSeriesStore } from '../../src/store/timeseries-influx.js';
import type { StoredReading } from '../../src/store/types.js';

const log = pino({ level: 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-influx-store-'));

const reading = (sensorId: string, ts: number, value: number): StoredReading => ({
  siteId: 'suwon',
  agentId: 'suwon-a1',
  sensorId,
  metric: 'gas',
  gas: 'CH4',
  unit: '%LEL',
  value,
  ts,
  quality: 'good',
});

async function countIn(url: string, database: string, sensorId: string): Promise<number> {
  const c = new InfluxDB({ host: new URL(url).hostname, port: Number(new URL(url).port), database });
  const r = (await c.queryRaw(`SELECT count("value") FROM "raw"."reading" WHERE "sensorId" = '${sensorId}'`)) as {
    results: { series?: { values: number[][] }[] }[];
  };
  return r.results[0].series?.[0]?.values[0][1] ?? 0;
}

describe('InfluxDB time-series store', () => {
  let influx: InfluxInstance;
  before(async () => {
    influx = await startInfluxDB();
  });
  after(async () => {
    await influx?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('creates database, retention policies and the 1-minute rollup CQ; aggregates are exact', async () => {
    const store = createTimeSeriesStore({ influxUrl: influx.url, database: 'agg', dataDir, log });
    await store.start();
    try {
      const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);
      // 120 readings 1 s apart: values 0..119 over two minutes.
      store.write(Array.from({ length: 120 }, (_, i) => reading('s-agg', t0 + i * 1000, i)));
      await store.flush(10_000);
      assert.equal(store.written(), 120);
      assert.equal(store.pending(), 0);
      assert.equal(store.healthy(), true);

      const perMinute = await store.query('s-agg', t0, t0 + 120_000, 60_000);
      assert.deepEqual(perMinute, [
        [t0, 0, 29.5, 59],
        [t0 + 60_000, 60, 89.5, 119],
      ]);
      const per10s = await store.query('s-agg', t0 + 5_000, t0 + 25_000, 10_000);
      // Buckets aligned to the epoch; the first only holds what is >= from (5..9).
      assert.deepEqual(per10s, [
        [t0, 5, 7, 9],
        [t0 + 10_000, 10, 14.5, 19],
        [t0 + 20_000, 20, 22, 24],
      ]);
      assert.deepEqual(await store.query('other-sensor', t0, t0 + 120_000, 60_000), []);
      // Exponent-notation numbers survive the line protocol round trip.
      store.write([reading('s-fmt', t0, -1e-7), reading('s-fmt', t0 + 1, 1e21), reading('s-fmt', t0 + 2, 0.5)]);
      await store.flush(10_000);
      const [[, min, , max]] = await store.query('s-fmt', t0, t0 + 60_000, 60_000);
      assert.deepEqual([min, max], [-1e-7, 1e21]);

      const c = new InfluxDB({ host: '127.0.0.1', port: influx.port, database: 'agg' });
      const rps = await c.showRetentionPolicies('agg');
      assert.deepEqual(
        rps
          .filter((r) => r.name !== 'autogen')
          .map((r) => [r.name, r.default])
          .sort(),
        [
          ['raw', true],
          ['rollup', false],
        ],
      );
      assert.equal(rps.find((r) => r.name === 'raw')?.duration, '720h0m0s');
      const cqs = await c.showContinousQueries('agg');
      assert.equal(cqs.length, 1);
      assert.match(cqs[0].query, /GROUP BY time\(1m\)/);

      // A long range (> 6 h) at a 1-minute step is answered from the rollup measurement. These
      // points were written long after their minutes (t0 is hours ago), past the CQ's 10-minute
      // resample window, so only the store's own backfill can have rolled them up.
      const rolled = (await c.queryRaw('SELECT count("count") FROM "agg"."rollup"."reading_1m"')) as {
        results: { series?: { values: number[][] }[] }[];
      };
      assert.ok((rolled.results[0].series?.[0]?.values[0][1] ?? 0) >= 2);
      // The newest minutes, not yet rolled up by the CQ, come from raw data in the same answer.
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      store.write([reading('s-agg', minute - 1, 3), reading('s-agg', minute, 5), reading('s-agg', minute + 1, 6)]);
      await store.flush(10_000);
      const recent = await store.query('s-agg', minute - 12 * 3600_000, minute + 60_000, 60_000);
      assert.deepEqual(recent.slice(-2), [
        [minute - 60_000, 3, 3, 3],
        [minute, 5, 5.5, 6],
      ]);
      const long = await store.query('s-agg', t0 - 12 * 3600_000, t0 + 3600_000, 60_000);
      assert.deepEqual(long, perMinute);
    } finally {
      await store.stop();
    }
  });

  test('an outage mid-stream loses nothing and writes nothing twice', async () => {
    const store = createTimeSeriesStore({ influxUrl: influx.url, database: 'outage', dataDir, log });
    await store.start();
    const t0 = Date.now() - 60_000;
    let n = 0;
    const send = (count: number) => {
      const batch: StoredReading[] = [];
      for (let i = 0; i < count; i++, n++) batch.push(reading('s-out', t0 + n, n % 100));
      store.write(batch);
    };
    try {
      for (let i = 0; i < 10; i++) send(1_000);
      await influx.pause();
      // Keep writing through the outage: the store must accept without throwing.
      // About 3 s of outage: several failed attempts with growing backoff.
      for (let i = 0; i < 20; i++) {
        send(1_000);
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.ok(store.pending() > 0, 'points wait while InfluxDB is down');
      assert.equal(store.healthy(), false);
      await influx.resume();
      for (let i = 0; i < 10; i++) send(1_000);
      await store.flush(30_000);
      assert.equal(n, 40_000);
      assert.equal(store.dropped(), 0);
      assert.equal(store.written(), n);
      assert.equal(await countIn(influx.url, 'outage', 's-out'), n);
      assert.equal(store.healthy(), true);
    } finally {
      await store.stop();
    }
  });

  test('without a spool directory the memory bound applies: overflow drops the oldest and counts them', async () => {
    const store = new InfluxTimeSeriesStore({
      url: 'http://127.0.0.1:1',
      database: 'nowhere',
      log,
      maxBuffered: 1_000,
    });
    await store.start();
    const t0 = Date.now();
    // Three telemetry batches of 400 into room for 1,000: the oldest batch goes, whole.
    for (let b = 0; b < 3; b++) store.write(Array.from({ length: 400 }, (_, i) => reading('s-b', t0 + b * 400 + i, i)));
    assert.equal(store.pending(), 800);
    assert.equal(store.dropped(), 400);
    assert.equal(store.written(), 0);
    await assert.rejects(store.flush(300), /flush timed out with 800 points pending/);
    await store.stop();
  });
});
