/**
 * Embedded time-series store: the same aggregates as the InfluxDB backend, persistence across a
 * clean restart and across a crash (no stop), late points, retention by age, and its ingest rate.
 * Time is an injected clock; the files are real, in a temp dir.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import { type EmbeddedStoreOptions, EmbeddedTimeSeriesStore } from '../../src/store/timeseries-embedded.js';
import type { StoredReading } from '../../src/store/types.js';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'gwanje-ts-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

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
/** values 0..119, one a second, over the two minutes from T0 */
const twoMinutes = (sensorId: string) => Array.from({ length: 120 }, (_, i) => reading(sensorId, T0 + i * 1000, i));
const PER_MINUTE = [
  [T0, 0, 29.5, 59],
  [T0 + 60_000, 60, 89.5, 119],
];
const PER_10S_FROM_5S = [
  [T0, 5, 7, 9],
  [T0 + 10_000, 10, 14.5, 19],
  [T0 + 20_000, 20, 22, 24],
];
const LONG = [T0 - 12 * 3600_000, T0 + 3600_000, 60_000] as const;

function open(dataDir: string, clock: { now: number }, o: Partial<EmbeddedStoreOptions> = {}) {
  return new EmbeddedTimeSeriesStore({ dataDir, log, now: () => clock.now, flushIntervalMs: 60_000, ...o });
}

describe('embedded time-series store', () => {
  test('is what createTimeSeriesStore gives without an InfluxDB URL; aggregates are exact', async () => {
    const clock = { now: T0 + 10 * 60_000 };
    const store = createTimeSeriesStore({ dataDir: tempDir(), log, now: () => clock.now });
    assert.ok(store instanceof EmbeddedTimeSeriesStore);
    await store.start();
    try {
      store.write(twoMinutes('s-agg'));
      // Queryable at once, before any flush.
      assert.deepEqual(await store.query('s-agg', T0, T0 + 120_000, 60_000), PER_MINUTE);
      assert.deepEqual(await store.query('s-agg', ...LONG), PER_MINUTE, 'rollups answer a long range');
      await store.flush();
      assert.equal(store.written(), 120);
      assert.equal(store.pending(), 0);
      assert.equal(store.dropped(), 0);
      assert.equal(store.healthy(), true);
      assert.deepEqual(await store.query('s-agg', T0 + 5_000, T0 + 25_000, 10_000), PER_10S_FROM_5S);
      assert.deepEqual(await store.query('s-agg', ...LONG), PER_MINUTE);
      assert.deepEqual(await store.query('nobody', T0, T0 + 120_000, 60_000), []);
      await assert.rejects(store.query('s-agg', T0, T0 - 1, 1000), /to must be after from/);
    } finally {
      await store.stop();
    }
  });

  test('data survives a clean restart, and old raw data is read back from disk', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 10 * 60_000 };
    const a = open(dir, clock);
    await a.start();
    a.write(twoMinutes('s-r'));
    await a.stop();

    const b = open(dir, clock);
    await b.start();
    assert.deepEqual(await b.query('s-r', T0, T0 + 120_000, 60_000), PER_MINUTE);
    assert.deepEqual(await b.query('s-r', ...LONG), PER_MINUTE, 'no minute counted twice after restart');
    // New points in an already persisted minute merge with it.
    b.write([reading('s-r', T0 + 119_500, 200)]);
    assert.deepEqual(await b.query('s-r', ...LONG), [PER_MINUTE[0], [T0 + 60_000, 60, 5_570 / 61, 200]]);
    await b.stop();

    // With a 1 s memory window everything raw comes from the segment files.
    const c = open(dir, clock, { memoryWindowMs: 1000 });
    await c.start();
    assert.deepEqual(await c.query('s-r', T0 + 5_000, T0 + 25_000, 10_000), PER_10S_FROM_5S);
    assert.deepEqual(await c.query('s-r', ...LONG), [PER_MINUTE[0], [T0 + 60_000, 60, 5_570 / 61, 200]]);
    await c.stop();
    assert.deepEqual(readdirSync(join(dir, 'timeseries', 'raw')), ['2026-11-23T10.csv']);
  });

  test('after a crash (no stop) rollups of unfinished minutes are rebuilt from raw', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 100_000 };
    const crashed = open(dir, clock);
    await crashed.start();
    crashed.write(twoMinutes('s-c'));
    await crashed.flush(); // raw on disk; minute T0 rolled up, minute T0+60s still open
    const b = open(dir, clock);
    await b.start();
    assert.deepEqual(await b.query('s-c', ...LONG), PER_MINUTE);
    assert.deepEqual(await b.query('s-c', T0, T0 + 120_000, 60_000), PER_MINUTE);
    await b.stop();
    await crashed.stop();
  });

  test('late points for a minute already persisted are merged, not lost', async () => {
    const clock = { now: T0 + 10 * 60_000 };
    const s = open(tempDir(), clock);
    await s.start();
    s.write(twoMinutes('s-l'));
    await s.flush();
    s.write([reading('s-l', T0 + 500, -5)]); // replayed from an agent's store-and-forward queue
    await s.flush();
    clock.now += 10 * 60_000;
    s.write([reading('s-l', T0 + 1_500, 1000)]);
    await s.flush();
    const expect = [[T0, -5, (1770 - 5 + 1000) / 62, 1000], PER_MINUTE[1]];
    assert.deepEqual(await s.query('s-l', ...LONG), expect);
    assert.deepEqual(await s.query('s-l', T0, T0 + 120_000, 60_000), expect);
    await s.stop();
  });

  test('a failing disk keeps points (bounded) and writes them in order once it recovers', async () => {
    const dir = tempDir();
    const raw = join(dir, 'timeseries', 'raw');
    const clock = { now: T0 + 10 * 60_000 };
    const s = open(dir, clock, { maxBuffered: 150 });
    await s.start();
    rmSync(raw, { recursive: true });
    writeFileSync(raw, 'not a directory'); // every append now fails with ENOTDIR
    s.write(twoMinutes('s-d').slice(0, 60));
    await assert.rejects(s.flush(300), /flush timed out with 60 points pending/);
    assert.equal(s.healthy(), false);
    s.write(twoMinutes('s-d').slice(60, 100));
    s.write(twoMinutes('s-d').slice(100, 120));
    assert.equal(s.pending(), 120);
    s.write([reading('s-d', T0 + 130_000, 7)]);
    s.write([reading('s-d', T0 + 131_000, 7), reading('s-d', T0 + 132_000, 7)]);
    assert.equal(s.dropped(), 0);
    s.write(Array.from({ length: 30 }, (_, i) => reading('s-d', T0 + 140_000 + i, 1)));
    assert.equal(s.dropped(), 60, 'the oldest batch went to stay within 150');
    rmSync(raw);
    mkdirSync(raw);
    await s.flush();
    assert.equal(s.healthy(), true);
    assert.equal(s.written(), 93);
    await s.stop();
    const lines = readFileSync(join(raw, '2026-11-23T10.csv'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 93);
    const ts = lines.map((l) => Number(l.split(',')[0]));
    assert.deepEqual(
      ts,
      [...ts].sort((a, b) => a - b),
      'written in order',
    );
    assert.equal(ts[0], T0 + 60_000);
  });

  test('under the memory cap, queries across the memory/disk boundary stay exact', async () => {
    const clock = { now: T0 + 30 * 60_000 };
    const s = open(tempDir(), clock, { maxMemoryPoints: 5_000 });
    await s.start();
    // 12,000 points one per 100 ms from T0 (20 minutes): three 4,096-point chunks in memory.
    const pts = Array.from({ length: 12_000 }, (_, i) => reading('s-m', T0 + i * 100, i % 600));
    s.write(pts);
    await s.flush(); // first flush also runs maintenance: memory trimmed to the cap
    const got = await s.query('s-m', T0, T0 + 20 * 60_000, 60_000);
    assert.equal(got.length, 20);
    for (const [ts, min, mean, max] of got) {
      assert.ok(ts >= T0);
      assert.deepEqual([min, mean, max], [0, 299.5, 599]);
    }
    const sub = await s.query('s-m', T0 + 1_000, T0 + 3_000, 1_000);
    assert.deepEqual(sub, [
      [T0 + 1_000, 10, 14.5, 19],
      [T0 + 2_000, 20, 24.5, 29],
    ]);
    await s.stop();
  });

  test('F14: a week-long query whose step is not whole minutes answers from rollups, never raw hour files', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    // A raw hour file three days back holding a value no rollup has: read only if the raw path runs.
    const hour = T0 - 3 * 86_400_000;
    mkdirSync(join(dir, 'timeseries', 'raw'), { recursive: true });
    writeFileSync(
      join(dir, 'timeseries', 'raw', `${new Date(hour).toISOString().slice(0, 13)}.csv`),
      `${hour + 1000},s-w,999,g\n`,
    );
    const s = open(dir, clock);
    await s.start();
    s.write([reading('s-w', T0 - 2 * 86_400_000, 5), reading('s-w', T0 - 60_000, 7)]);
    await s.flush();
    const week = await s.query('s-w', T0 - 7 * 86_400_000, T0, 604_799_999);
    assert.ok(week.length > 0);
    assert.ok(
      week.every(([ts]) => ts % 60_000 === 0),
      'buckets on whole minutes: the step was rounded up for the rollups',
    );
    assert.equal(Math.max(...week.map((p) => p[3])), 7, 'the raw hour file was not scanned');
    await s.stop();
  });

  test('retention deletes segments past their age', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 10 * 60_000 };
    const s = open(dir, clock, { rawRetentionMs: 2 * 3600_000, rollupRetentionMs: 3 * 86_400_000 });
    await s.start();
    s.write([reading('s-t', T0 - 5 * 3600_000, 1), reading('s-t', T0 - 5 * 86_400_000, 2), reading('s-t', T0, 3)]);
    await s.flush();
    await s.stop();
    assert.deepEqual(readdirSync(join(dir, 'timeseries', 'raw')).sort(), ['2026-11-23T10.csv']);
    assert.deepEqual(readdirSync(join(dir, 'timeseries', 'rollup')).sort(), ['2026-11-23.csv']);
  });

  test('ingests well over 50,000 readings/s (CPU time, so a busy machine does not skew it)', async () => {
    const clock = { now: T0 };
    const s = open(tempDir(), clock);
    await s.start();
    const total = 500_000;
    const sensors = 200;
    const batches: StoredReading[][] = [];
    for (let i = 0; i < total; i += 500) {
      const batch: StoredReading[] = [];
      for (let j = 0; j < 500; j++) {
        const k = i + j;
        batch.push(reading(`bench-${k % sensors}`, T0 + Math.floor(k / sensors) * 10, (k % 1000) / 10));
      }
      batches.push(batch);
    }
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    for (const b of batches) s.write(b);
    await s.flush();
    const wallMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const rate = Math.round(total / (cpuMs / 1000));
    console.log(
      `# embedded store: ${total} readings written and flushed in ${cpuMs.toFixed(0)} ms CPU (${wallMs.toFixed(0)} ms wall) = ${rate} readings per CPU-second`,
    );
    assert.equal(s.written(), total);
    assert.ok(rate >= 50_000, `ingest cost ${rate} readings per CPU-second, below 50,000`);
    const pts = await s.query('bench-7', T0, T0 + 30_000, 10_000);
    assert.deepEqual(
      pts.map((p) => p[0]),
      [T0, T0 + 10_000, T0 + 20_000],
    );
    await s.stop();
  });
});
