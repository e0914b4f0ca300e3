/**
 * Start-up and housekeeping of the embedded store's segment files: reload what should be in
 * memory, mend a torn last line, rebuild rollups a crash left unwritten, delete by age.
 */
import { open, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Agg, type BucketAggregator, MINUTE_MS } from './timeseries-query.js';
import { DAY_MS, fileStart, HOUR_MS, readLines, type SensorSeries, segmentsIn } from './timeseries-segments.js';
import type { RawReading } from './types.js';

export interface LoadOptions {
  rawDir: string;
  rollupDir: string;
  /** Raw points from here on go back into memory. */
  memFrom: number;
  /** Rollups from here on go back into memory. */
  rollupFrom: number;
  seriesOf(sensorId: string): SensorSeries;
}

export async function loadRecent(o: LoadOptions): Promise<{ rawPoints: number; rollups: number }> {
  const lastRolled = new Map<string, number>();
  let rollups = 0;
  // Rollups are read from the start of the raw window too, to know which minutes were persisted.
  const rollFrom = Math.min(o.rollupFrom, o.memFrom - HOUR_MS);
  for (const f of await segmentsIn(o.rollupDir, rollFrom, Number.POSITIVE_INFINITY, DAY_MS)) {
    await repairTail(f);
    await readLines(f, (x) => {
      const minute = Number(x[0]);
      const a: Agg = { min: Number(x[2]), max: Number(x[3]), sum: Number(x[4]), count: Number(x[5]) };
      if (!Number.isFinite(minute) || !(a.count > 0)) return;
      lastRolled.set(x[1], Math.max(lastRolled.get(x[1]) ?? Number.NEGATIVE_INFINITY, minute));
      if (minute < o.rollupFrom) return;
      o.seriesOf(x[1]).mergeRollup(minute, a);
      rollups++;
    });
  }
  let rawPoints = 0;
  for (const f of await segmentsIn(o.rawDir, o.memFrom, Number.POSITIVE_INFINITY, HOUR_MS)) {
    await repairTail(f);
    await readLines(f, (x) => {
      const ts = Number(x[0]);
      const v = Number(x[2]);
      if (!Number.isFinite(ts) || !Number.isFinite(v)) return;
      const s = o.seriesOf(x[1]);
      // Minutes after the last persisted rollup were still open when the process ended.
      if (ts - (ts % MINUTE_MS) > (lastRolled.get(x[1]) ?? Number.NEGATIVE_INFINITY)) s.accumulate(ts, v);
      if (ts < o.memFrom) return;
      s.addRaw(ts, v);
      rawPoints++;
    });
  }
  return { rawPoints, rollups };
}

/** A crash can leave a torn last line; end it so the next append starts a fresh line. */
export async function repairTail(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const { size } = await fh.stat();
    if (size === 0) return;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    if (b[0] !== 0x0a) await fh.write('\n', size);
  } finally {
    await fh.close();
  }
}

/** Deletes segment files whose whole period is older than `keepMs`; returns their paths. */
export async function deleteExpired(dir: string, keepMs: number, periodMs: number, now: number): Promise<string[]> {
  const cutoff = now - keepMs;
  const old = await segmentsIn(dir, Number.NEGATIVE_INFINITY, cutoff, periodMs);
  const gone: string[] = [];
  for (const f of old) {
    if (fileStart(basename(f)) + periodMs > cutoff) continue;
    await rm(f, { force: true });
    gone.push(f);
  }
  return gone;
}

/** Adds the raw points of one sensor stored on disk with from <= ts < min(to, before). */
export async function readRawFromDisk(
  dir: string,
  sensorId: string,
  from: number,
  to: number,
  before: number,
  agg: BucketAggregator,
): Promise<void> {
  for (const f of await segmentsIn(dir, from, Math.min(to, before), HOUR_MS)) {
    await readLines(f, (x) => {
      const ts = Number(x[0]);
      if (x[1] === sensorId && ts < before) agg.addValue(ts, Number(x[2]));
    });
  }
}

/** Adds the persisted minute rollups of one sensor for minutes in [from, min(to, before)). */
export async function readRollupsFromDisk(
  dir: string,
  sensorId: string,
  from: number,
  to: number,
  before: number,
  agg: BucketAggregator,
): Promise<void> {
  for (const f of await segmentsIn(dir, from, Math.min(to, before), DAY_MS)) {
    await readLines(f, (x) => {
      const m = Number(x[0]);
      if (x[1] === sensorId && m < before) agg.addAgg(m, +x[2], +x[3], +x[4], +x[5]);
    });
  }
}

const QUALITY_OF: Record<string, RawReading['quality']> = { g: 'good', f: 'fault', s: 'stale' };

/**
 * One sensor's raw readings on disk with from <= ts < to, one hour file at a time, each hour
 * sorted by time (late points are appended out of order): memory stays at one sensor-hour.
 */
export async function* rawReadingsFromDisk(
  dir: string,
  sensorId: string,
  from: number,
  to: number,
): AsyncGenerator<RawReading[]> {
  for (const f of await segmentsIn(dir, from, to, HOUR_MS)) {
    const hour: RawReading[] = [];
    await readLines(f, (x) => {
      if (x[1] !== sensorId) return;
      const ts = Number(x[0]);
      const value = Number(x[2]);
      if (ts >= from && ts < to && Number.isFinite(value))
        hour.push({ ts, value, quality: QUALITY_OF[x[3]] ?? 'good' });
    });
    if (hour.length > 0) yield hour.sort((a, b) => a.ts - b.ts);
  }
}
