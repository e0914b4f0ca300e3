/**
 * The InfluxDB outage buffer against a real influxd (testkit pause/resume). Issue 4: "a 5-minute
 * InfluxDB outage loses nothing" at the >= 50,000 readings/s ingest goal, i.e. 15 M points; here
 * 1 M points arrive while InfluxDB is down (the same shape, scaled to run in seconds) and must
 * all land exactly once, with memory bounded because the backlog sits in the disk spool.
 * Also: a store restarted mid-outage, or killed with SIGKILL, replays its spool; the spool byte cap evicts the oldest
 * and counts them exactly; a batch InfluxDB refuses (HTTP 400) is counted and logged once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { InfluxDB } from 'influx';
import pino from 'pino';
import { type InfluxInstance, startInfluxDB, waitFor } from '../../../testkit/index.js';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import { InfluxTimeSeriesStore } from '../../src/store/timeseries-influx.js';
import type { StoredReading } from '../../src/store/types.js';

const log = pino({ level: 'silent' });
v8.setFlagsFromString('--expose-gc');
/** Full collection, to measure what the store retains rather than garbage not yet collected. */
const gc = vm.runInNewContext('gc') as () => void;
const root = mkdtempSync(join(tmpdir(), 'gwanje-outage-'));

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

async function influxQuery(url: string, database: string, q: string): Promise<number> {
  const c = new InfluxDB({ host: new URL(url).hostname, port: Number(new URL(url).port), database });
  const r = (await c.queryRaw(q)) as { results: { series?: { values: number[][] }[] }[] };
  return r.results[0].series?.[0]?.values[0][1] ?? 0;
}
const countIn = (url: string, db: string, where = 'true') =>
  influxQuery(url, db, `SELECT count("value") FROM "raw"."reading" WHERE ${where}`);

function spoolBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

/** `count` readings over 100 sensors, in telemetry-sized write() calls, yielding like an ingest loop. */
async function feed(store: { write(p: StoredReading[]): void }, t0: number, from: number, count: number) {
  for (let k = from; k < from + count; k += 500) {
    const b: StoredReading[] = [];
    for (let j = k; j < Math.min(from + count, k + 500); j++) b.push(reading(`s${j % 100}`, t0 + j, j % 1000));
    store.write(b);
    if ((k / 500) % 20 === 0) await new Promise((r) => setImmediate(r));
  }
}

describe('InfluxDB outage buffer', () => {
  let influx: InfluxInstance;
  before(async () => {
    influx = await startInfluxDB();
  });
  after(async () => {
    await influx?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('1,000,000 readings during an outage: all written once after it, memory bounded by the spool', async () => {
    const dataDir = join(root, 'big');
    const store = createTimeSeriesStore({ influxUrl: influx.url, database: 'big', dataDir, log });
    await store.start();
    const N = 1_000_000;
    const t0 = Date.now() - 2 * N; // 1 ms apart, all in the past
    let resumed = false;
    await feed(store, t0, 0, 10_000);
    await store.flush(10_000);
    await influx.pause();
    try {
      gc();
      const { rss: rss0, heapUsed: heap0 } = process.memoryUsage();
      let rssMax = rss0;
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      for (let k = 10_000; k < N; k += 50_000) {
        await feed(store, t0, k, Math.min(50_000, N - k));
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }
      const acceptMs = performance.now() - t;
      gc();
      const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
      assert.equal(store.healthy(), false);
      assert.equal(store.pending(), N - 10_000, 'pending() counts memory and spool');
      // ~990,000 points are ~110 MB of line protocol: on disk, gzip'ed (well under 30 MB).
      const onDisk = spoolBytes(join(dataDir, 'influx-spool', 'big'));
      assert.ok(onDisk > 2e6 && onDisk < 30e6, `spooled ${onDisk} bytes`);
      // Held in memory, the backlog would be over 100 MB of strings; the spool keeps the heap
      // retained by the store small and RSS (which also holds not-yet-collected garbage) bounded.
      const growthMb = (rssMax - rss0) / 1e6;
      assert.ok(heapMb < 30, `heap retained ${heapMb.toFixed(0)} MB after the outage backlog`);
      assert.ok(growthMb < 150, `RSS grew ${growthMb.toFixed(0)} MB during the outage`);
      await influx.resume();
      resumed = true;
      const t2 = performance.now();
      await store.flush(50_000);
      const drainMs = performance.now() - t2;
      const cpu = process.cpuUsage(cpu0);
      console.log(
        `# outage: accepted ${N - 10_000} in ${acceptMs.toFixed(0)} ms (RSS +${growthMb.toFixed(0)} MB, heap +${heapMb.toFixed(0)} MB, spool ${(onDisk / 1e6).toFixed(0)} MB), ` +
          `drained in ${drainMs.toFixed(0)} ms; our CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
      );
      assert.equal(store.written(), N);
      assert.equal(store.dropped(), 0);
      assert.equal(store.pending(), 0);
      assert.equal(await countIn(influx.url, 'big'), N);
      assert.equal(spoolBytes(join(dataDir, 'influx-spool', 'big')), 0, 'replayed segments deleted');
    } finally {
      if (!resumed) await influx.resume();
      await store.stop();
    }
  });

  test('a store restarted during the outage replays its spool on start: nothing accepted is lost', async () => {
    const dataDir = join(root, 'restart');
    const opts = { influxUrl: influx.url, database: 'restart', dataDir, log };
    const t0 = Date.now() - 600_000;
    const a = createTimeSeriesStore(opts);
    await a.start();
    await feed(a, t0, 0, 5_000);
    await a.flush(10_000);
    await influx.pause();
    const b = createTimeSeriesStore(opts);
    let resumed = false;
    try {
      await feed(a, t0, 5_000, 40_000);
      await a.stop(); // InfluxDB still down: what is left goes to the spool
      await b.start();
      assert.equal(b.pending(), 40_000, 'the new instance found the spooled points');
      await feed(b, t0, 45_000, 5_000);
      await influx.resume();
      resumed = true;
      await b.flush(30_000);
      assert.equal(b.written(), 45_000);
      assert.equal(b.dropped(), 0);
      assert.equal(await countIn(influx.url, 'restart'), 50_000);
    } finally {
      if (!resumed) await influx.resume();
      await a.stop();
      await b.stop();
    }
  });

  test('kill -9 during the outage: a new process replays the spool (a torn tail ignored)', async () => {
    const dataDir = join(root, 'crash');
    await influx.pause();
    let resumed = false;
    const store = createTimeSeriesStore({ influxUrl: influx.url, database: 'crash', dataDir, log });
    try {
      const fixture = new URL('./spool-writer.fixture.ts', import.meta.url).pathname;
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, influx.url, dataDir, '100000'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      await waitFor(() => out.includes('\n'), 30_000);
      assert.equal(out.trim(), 'accepted 100000');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // A crash mid-append leaves half a record: simulate it on the newest segment.
      const spool = join(dataDir, 'influx-spool', 'crash');
      const newest = readdirSync(spool).sort().at(-1) ?? '';
      appendFileSync(join(spool, newest), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
      await store.start();
      assert.equal(store.pending(), 100_000);
      await influx.resume();
      resumed = true;
      await store.flush(30_000);
      assert.equal(store.written(), 100_000);
      assert.equal(await countIn(influx.url, 'crash'), 100_000);
    } finally {
      if (!resumed) await influx.resume();
      await store.stop();
    }
  });

  test('the spool byte cap evicts the oldest readings and counts them exactly', async () => {
    const store = new InfluxTimeSeriesStore({
      url: influx.url,
      database: 'capped',
      dataDir: join(root, 'capped'),
      log,
      batchSize: 500,
      spoolSegmentBytes: 20_000,
      spoolMaxBytes: 100_000,
    });
    await store.start();
    const t0 = Date.now() - 600_000;
    await influx.pause();
    const N = 40_000; // ~4.4 MB of line protocol, ~350 KB gzip'ed, into a 100 KB spool
    let resumed = false;
    try {
      await feed(store, t0, 0, N);
      await store.flush(1_000).catch(() => undefined); // one retry cycle (spills) while down
      assert.ok(store.dropped() > 0, 'something was evicted');
      await influx.resume();
      resumed = true;
      await store.flush(30_000);
      const written = store.written();
      assert.equal(written + store.dropped(), N, 'every reading is either written or counted as dropped');
      assert.equal(await countIn(influx.url, 'capped'), written);
      // Oldest first: what survived is exactly the newest `written` readings.
      assert.equal(await countIn(influx.url, 'capped', `time >= ${(t0 + N - written) * 1e6}`), written);
    } finally {
      if (!resumed) await influx.resume();
      await store.stop();
    }
  });

  test('regression: without a spool, a batch that failed is retried once InfluxDB is back', async () => {
    // The failed batch waits in its own slot ahead of memory; the pump once ignored that slot
    // when memory was empty, so flush() timed out with the batch pending forever.
    const store = new InfluxTimeSeriesStore({ url: influx.url, database: 'nospool', log, flushIntervalMs: 50 });
    await store.start();
    const t0 = Date.now() - 600_000;
    await influx.pause();
    let resumed = false;
    try {
      store.write(Array.from({ length: 300 }, (_, i) => reading('s-ns', t0 + i, i)));
      await assert.rejects(store.flush(500), /flush timed out with 300 points pending/);
      await influx.resume();
      resumed = true;
      await store.flush(20_000);
      assert.equal(store.written(), 300);
      assert.equal(await countIn(influx.url, 'nospool'), 300);
    } finally {
      if (!resumed) await influx.resume();
      await store.stop();
    }
  });

  test('a batch InfluxDB rejects (HTTP 400) is counted and logged once, never retried', async () => {
    const lines: string[] = [];
    const errLog = pino({ level: 'error' }, { write: (s: string) => void lines.push(s) });
    const store = createTimeSeriesStore({
      influxUrl: influx.url,
      database: 'bad',
      dataDir: join(root, 'bad'),
      log: errLog,
    });
    await store.start();
    const t = Date.now() - 3600_000;
    // An integer `value` already stored in this shard makes our float values a field type
    // conflict: InfluxDB answers 400 "partial write ... dropped=N" and keeps the other points.
    const w = await fetch(`${influx.url}/write?db=bad&rp=raw&precision=ms`, {
      method: 'POST',
      body: `reading,sensorId=int value=1i ${t}`,
    });
    assert.equal(w.status, 204);
    try {
      const conflicting = Array.from({ length: 100 }, (_, i) => reading('s-bad', t + 1 + i, i));
      const older = Array.from({ length: 50 }, (_, i) => reading('s-old', t - 3 * 86_400_000 + i, i)); // other shard
      store.write([...older, ...conflicting]);
      await store.flush(10_000);
      assert.equal(store.rejected?.(), 100);
      assert.equal(store.dropped(), 100);
      assert.equal(store.written(), 50);
      assert.equal(store.pending(), 0, 'not kept for retry');
      // InfluxDB wrote the other shard's points of the partial write; they become queryable shortly.
      await waitFor(async () => (await countIn(influx.url, 'bad', `"sensorId" = 's-old'`)) === 50, 5_000);
      store.write([reading('s-ok', Date.now() - 3 * 86_400_000, 1)]);
      await store.flush(10_000);
      assert.equal(store.written(), 51, 'later batches still go through');
      const rejections = lines.filter((l) => l.includes('rejected points'));
      assert.equal(rejections.length, 1);
      assert.match(rejections[0], /field type conflict/);
    } finally {
      await store.stop();
    }
  });
});
