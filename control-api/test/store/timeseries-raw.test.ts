/**
 * Issue 21: raw readings for the CSV export and evidence traces, from the embedded store's hour
 * files: quality kept, one sensor only, [from, to), oldest first even for a point that arrived
 * late, across hour files, including what was accepted a moment ago (flushed first).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { EmbeddedTimeSeriesStore } from '../../src/store/timeseries-embedded.js';
import type { RawReading, StoredReading } from '../../src/store/types.js';

const T0 = Date.UTC(2026, 10, 23, 10, 59, 0);

const reading = (
  sensorId: string,
  ts: number,
  value: number,
  quality: StoredReading['quality'] = 'good',
): StoredReading => ({
  siteId: 'suwon',
  agentId: 'suwon-a1',
  sensorId,
  metric: 'gas',
  gas: 'CH4',
  unit: '%LEL',
  value,
  ts,
  quality,
});

test('embedded raw(): quality, scope to one sensor and window, time order across hours and late points', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-raw-'));
  const store = new EmbeddedTimeSeriesStore({
    dataDir: dir,
    log: pino({ level: 'silent' }),
    now: () => T0 + 3 * 60_000,
    flushIntervalMs: 3_600_000,
  });
  try {
    await store.start();
    store.write([
      reading('a', T0, 1),
      reading('b', T0 + 1000, 99),
      reading('a', T0 + 30_000, 2, 'fault'),
      reading('a', T0 + 61_000, 3, 'stale'), // the next hour's file
      reading('a', T0 + 120_000, 4),
    ]);
    // Arrives late, after newer points of the same hour were written.
    store.write([reading('a', T0 + 10_000, 1.5)]);
    const got: RawReading[] = [];
    let batches = 0;
    for await (const b of store.raw('a', T0, T0 + 120_000)) {
      batches++;
      got.push(...b);
    }
    assert.deepEqual(got, [
      { ts: T0, value: 1, quality: 'good' },
      { ts: T0 + 10_000, value: 1.5, quality: 'good' },
      { ts: T0 + 30_000, value: 2, quality: 'fault' },
      { ts: T0 + 61_000, value: 3, quality: 'stale' },
    ]);
    assert.equal(batches, 2, 'one batch per hour file');
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
