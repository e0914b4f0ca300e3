/**
 * On-disk layout and in-memory series of the embedded time-series store.
 *
 * `${dataDir}/timeseries/raw/YYYY-MM-DDTHH.csv`: one append-only file per UTC hour of reading
 * time, lines `ts,sensorId,value,quality`. `${dataDir}/timeseries/rollup/YYYY-MM-DD.csv`: one
 * per UTC day, lines `minuteTs,sensorId,min,max,sum,count`. A minute may have several rollup
 * lines (late points after an outage add a partial one); they merge exactly on read, since
 * min/max/sum/count combine. Retention deletes whole files by age.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Agg } from './timeseries-query.js';

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;
const CHUNK = 4096;

export const hourFile = (hour: number) => `${new Date(hour * HOUR_MS).toISOString().slice(0, 13)}.csv`;
export const dayFile = (day: number) => `${new Date(day * DAY_MS).toISOString().slice(0, 10)}.csv`;

/** Start (ms) of the period a segment file covers, from its name; NaN for foreign files. */
export function fileStart(name: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?\.csv$/.exec(name);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}T${m[2] ?? '00'}:00:00Z`);
}

export const QUALITY_CODE = { good: 'g', fault: 'f', stale: 's' } as const;

interface Chunk {
  ts: Float64Array;
  v: Float64Array;
  n: number;
  maxTs: number;
}

/** One sensor: recent raw points in fixed-size typed-array chunks, minute rollups. */
export class SensorSeries {
  chunks: Chunk[] = [];
  /** Raw points before this are answered from disk (evicted from memory or not loaded). */
  memFrom: number;
  /** Persisted minute rollups kept in memory. */
  readonly rollups = new Map<number, Agg>();
  /** Minutes still gathering points, persisted once the minute is over. */
  readonly open = new Map<number, Agg>();
  private lastMinute = Number.NaN;
  private lastAgg: Agg | undefined;

  constructor(memFrom: number) {
    this.memFrom = memFrom;
  }

  addRaw(ts: number, value: number): void {
    let c = this.chunks[this.chunks.length - 1];
    if (!c || c.n === CHUNK) {
      c = { ts: new Float64Array(CHUNK), v: new Float64Array(CHUNK), n: 0, maxTs: Number.NEGATIVE_INFINITY };
      this.chunks.push(c);
    }
    c.ts[c.n] = ts;
    c.v[c.n] = value;
    c.n++;
    if (ts > c.maxTs) c.maxTs = ts;
  }

  accumulate(ts: number, value: number): void {
    const minute = ts - (ts % 60_000);
    let a = minute === this.lastMinute ? this.lastAgg : this.open.get(minute);
    if (!a) {
      a = { min: value, max: value, sum: 0, count: 0 };
      this.open.set(minute, a);
    }
    if (value < a.min) a.min = value;
    if (value > a.max) a.max = value;
    a.sum += value;
    a.count++;
    this.lastMinute = minute;
    this.lastAgg = a;
  }

  /** Moves a finished minute out of `open` (the caller persists it). */
  closeMinute(minute: number): Agg | undefined {
    const a = this.open.get(minute);
    this.open.delete(minute);
    if (minute === this.lastMinute) {
      this.lastMinute = Number.NaN;
      this.lastAgg = undefined;
    }
    return a;
  }

  mergeRollup(minute: number, a: Agg): void {
    const r = this.rollups.get(minute);
    if (!r) this.rollups.set(minute, { ...a });
    else mergeAgg(r, a);
  }

  points(): number {
    let n = 0;
    for (const c of this.chunks) n += c.n;
    return n;
  }

  /** Drops chunks wholly older than cutoff; returns how many points left memory. */
  evictBefore(cutoff: number): number {
    let n = 0;
    while (this.chunks.length > 1 && this.chunks[0].maxTs < cutoff) n += this.dropFirst();
    if (this.chunks.length === 1 && this.chunks[0].maxTs < cutoff) n += this.dropFirst();
    if (cutoff > this.memFrom) this.memFrom = cutoff;
    return n;
  }

  dropFirst(): number {
    const c = this.chunks.shift();
    if (!c) return 0;
    if (c.maxTs + 1 > this.memFrom) this.memFrom = c.maxTs + 1;
    return c.n;
  }

  forEachRaw(from: number, to: number, fn: (ts: number, v: number) => void): void {
    const lo = Math.max(from, this.memFrom);
    for (const c of this.chunks) {
      for (let i = 0; i < c.n; i++) {
        const t = c.ts[i];
        if (t >= lo && t < to) fn(t, c.v[i]);
      }
    }
  }
}

export function mergeAgg(into: Agg, a: Agg): void {
  if (a.min < into.min) into.min = a.min;
  if (a.max > into.max) into.max = a.max;
  into.sum += a.sum;
  into.count += a.count;
}

/** Segment files of a directory whose period overlaps [from, to), oldest first. */
export async function segmentsIn(dir: string, from: number, to: number, periodMs: number): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((n) => ({ n, t: fileStart(n) }))
    .filter((f) => Number.isFinite(f.t) && f.t < to && f.t + periodMs > from)
    .sort((a, b) => a.t - b.t)
    .map((f) => join(dir, f.n));
}

/** Streams the comma-separated fields of each complete line (a torn last line is skipped). */
export async function readLines(file: string, fn: (fields: string[]) => void): Promise<void> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line.length === 0) continue;
    const f = line.split(',');
    if (f.length >= 4) fn(f);
  }
}

/** Global cap on raw points in memory: the sensors holding most give up their oldest chunks. */
export function trimToCap(series: Map<string, SensorSeries>, points: number, cap: number): number {
  let n = points;
  while (n > cap) {
    let fattest: SensorSeries | undefined;
    for (const s of series.values()) if (!fattest || s.chunks.length > fattest.chunks.length) fattest = s;
    if (!fattest || fattest.chunks.length === 0) break;
    n -= fattest.dropFirst();
  }
  return n;
}
