/**
 * Embedded time-series store (GWANJE_INFLUX_URL unset): no server, same TimeSeriesStore
 * contract. Writes land in memory at once (queryable immediately) and on disk within about a
 * second as append-only segment files (timeseries-segments.ts); minute rollups are kept for
 * long ranges; old files are deleted by age. Built for >= 50,000 readings/s: a write is a
 * typed-array store, a rollup update and one short string per reading.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConcurrencyGate } from './disk-gate.js';
import { BoundedFifo } from './timeseries-fifo.js';
import {
  type Agg,
  BucketAggregator,
  checkQuery,
  DEFAULT_ROLLUP_RETENTION_MS,
  MINUTE_MS,
  queryPlan,
} from './timeseries-query.js';
import {
  deleteExpired,
  loadRecent,
  rawReadingsFromDisk,
  readRawFromDisk,
  readRollupsFromDisk,
} from './timeseries-recovery.js';
import { DAY_MS, dayFile, HOUR_MS, hourFile, QUALITY_CODE, SensorSeries, trimToCap } from './timeseries-segments.js';
import type { RawReading, ReadingPoint, StoredReading, TimeSeriesStore } from './types.js';

export interface EmbeddedStoreOptions {
  dataDir: string;
  log: Logger;
  /** Raw segment files kept on disk (default 7 days; rollups answer older ranges). */
  rawRetentionMs?: number;
  rollupRetentionMs?: number;
  /** Recent raw points kept in memory (default 1 h); older raw reads come from disk. */
  memoryWindowMs?: number;
  /** Cap on raw points in memory across sensors (default 4,000,000, about 64 MB). */
  maxMemoryPoints?: number;
  /** Minute rollups kept in memory (default 48 h). */
  rollupMemoryMs?: number;
  /** Bound on points waiting for the disk (default 2,000,000). */
  maxBuffered?: number;
  flushIntervalMs?: number;
  now?: () => number;
}

export const EMBEDDED_RAW_RETENTION_MS = 7 * DAY_MS;
/** A minute is persisted this long after it ends, so slightly late points still join it. */
const MINUTE_GRACE_MS = 5_000;

interface Pending {
  hour: number;
  text: string;
  count: number;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class EmbeddedTimeSeriesStore implements TimeSeriesStore {
  private readonly series = new Map<string, SensorSeries>();
  private readonly log: Logger;
  private readonly rawDir: string;
  private readonly rollupDir: string;
  private readonly now: () => number;
  /** Lines not yet on disk, grouped per reading hour; bounded, oldest dropped first. */
  private readonly backlog: BoundedFifo<Pending>;
  /** Points taken from the backlog by the flush in progress. */
  private inflight = 0;
  private writtenCount = 0;
  private memPoints = 0;
  private ok = true;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastMaintenance = 0;
  private readonly rawRetentionMs: number;
  /** Chart queries reaching back to disk: two scans at a time, the others wait (F14). */
  private readonly diskReads = new ConcurrencyGate(2);

  constructor(private readonly opts: EmbeddedStoreOptions) {
    this.log = opts.log.child({ module: 'timeseries', backend: 'embedded' });
    this.rawDir = join(opts.dataDir, 'timeseries', 'raw');
    this.rollupDir = join(opts.dataDir, 'timeseries', 'rollup');
    this.now = opts.now ?? Date.now;
    this.rawRetentionMs = opts.rawRetentionMs ?? EMBEDDED_RAW_RETENTION_MS;
    this.backlog = new BoundedFifo(opts.maxBuffered ?? 2_000_000);
  }

  private get memoryWindowMs(): number {
    return this.opts.memoryWindowMs ?? HOUR_MS;
  }

  async start(): Promise<void> {
    await mkdir(this.rawDir, { recursive: true });
    await mkdir(this.rollupDir, { recursive: true });
    await this.load();
    const every = this.opts.flushIntervalMs ?? 1000;
    this.timer = setInterval(() => {
      this.flushOnce().catch((err) => this.log.error({ err: errText(err) }, 'timeseries: flush failed'));
    }, every);
    this.timer.unref();
  }

  /** Reloads recent raw points and rollups; recomputes rollups a crash left unwritten. */
  private async load(): Promise<void> {
    const now = this.now();
    const memFrom = now - this.memoryWindowMs;
    const r = await loadRecent({
      rawDir: this.rawDir,
      rollupDir: this.rollupDir,
      memFrom,
      rollupFrom: now - (this.opts.rollupMemoryMs ?? 2 * DAY_MS),
      seriesOf: (id) => this.seriesOf(id, memFrom),
    });
    this.memPoints = r.rawPoints;
    this.trimMemory();
    this.log.info({ ...r, sensors: this.series.size }, 'timeseries: embedded store loaded');
  }

  private seriesOf(sensorId: string, memFrom: number): SensorSeries {
    let s = this.series.get(sensorId);
    if (!s) {
      s = new SensorSeries(memFrom);
      this.series.set(sensorId, s);
    }
    return s;
  }

  write(points: StoredReading[]): void {
    if (points.length === 0) return;
    const memFrom = this.now() - this.memoryWindowMs;
    let text = '';
    let hour = Math.floor(points[0].ts / HOUR_MS);
    let count = 0;
    const groups: Pending[] = [];
    for (const r of points) {
      if (!Number.isFinite(r.ts) || !Number.isFinite(r.value)) continue;
      const h = Math.floor(r.ts / HOUR_MS);
      if (h !== hour && count > 0) {
        groups.push({ hour, text, count });
        text = '';
        count = 0;
      }
      hour = h;
      const s = this.seriesOf(r.sensorId, memFrom);
      s.addRaw(r.ts, r.value);
      s.accumulate(r.ts, r.value);
      text += `${r.ts},${r.sensorId},${r.value},${QUALITY_CODE[r.quality] ?? 'g'}\n`;
      count++;
    }
    if (count > 0) groups.push({ hour, text, count });
    for (const g of groups) {
      this.memPoints += g.count;
      // A disk that stays broken must not eat all memory: oldest unwritten lines go first.
      const dropped = this.backlog.push(g, this.inflight);
      if (dropped > 0) this.log.warn({ dropped, total: this.backlog.dropped }, 'timeseries: disk backlog full');
    }
  }

  /** One flush at a time: raw lines, finished minutes, then (each minute) retention. */
  private flushOnce(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const groups = this.backlog.take(Number.POSITIVE_INFINITY);
    for (const g of groups) this.inflight += g.count;
    const byHour = new Map<number, Pending[]>();
    for (const g of groups) {
      const list = byHour.get(g.hour);
      if (list) list.push(g);
      else byHour.set(g.hour, [g]);
    }
    for (const [hour, gs] of byHour) {
      try {
        await appendFile(join(this.rawDir, hourFile(hour)), gs.map((g) => g.text).join(''));
      } catch (err) {
        this.ok = false;
        // Keep what is not on disk yet, in order, ahead of newer writes.
        this.inflight = 0;
        this.backlog.unshift(groups.filter((g) => byHour.has(g.hour)));
        this.log.error({ err: errText(err), pending: this.pending() }, 'timeseries: raw segment append failed');
        return;
      }
      const n = gs.reduce((a, g) => a + g.count, 0);
      this.inflight -= n;
      this.writtenCount += n;
      byHour.delete(hour);
    }
    this.ok = true;
    await this.persistRollups(false);
    const now = this.now();
    if (now - this.lastMaintenance >= MINUTE_MS) {
      this.lastMaintenance = now;
      await this.maintain(now);
    }
  }

  /** Persists finished minutes (all open ones when `final`, at stop). */
  private async persistRollups(final: boolean): Promise<void> {
    const limit = final ? Number.POSITIVE_INFINITY : this.now() - MINUTE_MS - MINUTE_GRACE_MS;
    const byDay = new Map<number, string[]>();
    const closed: [SensorSeries, number, Agg][] = [];
    for (const [sensorId, s] of this.series) {
      for (const minute of s.open.keys()) {
        if (minute > limit) continue;
        const a = s.closeMinute(minute);
        if (!a) continue;
        closed.push([s, minute, a]);
        const day = Math.floor(minute / DAY_MS);
        const lines = byDay.get(day) ?? [];
        lines.push(`${minute},${sensorId},${a.min},${a.max},${a.sum},${a.count}\n`);
        byDay.set(day, lines);
      }
    }
    for (const [s, minute, a] of closed) s.mergeRollup(minute, a);
    for (const [day, lines] of byDay) {
      try {
        await appendFile(join(this.rollupDir, dayFile(day)), lines.join(''));
      } catch (err) {
        this.ok = false;
        this.log.error({ err: errText(err) }, 'timeseries: rollup segment append failed (kept in memory)');
      }
    }
  }

  /** Retention by age (whole files), and memory bounds (window, point cap, rollup window). */
  private async maintain(now: number): Promise<void> {
    const rollupRetention = this.opts.rollupRetentionMs ?? DEFAULT_ROLLUP_RETENTION_MS;
    for (const f of [
      ...(await deleteExpired(this.rawDir, this.rawRetentionMs, HOUR_MS, now)),
      ...(await deleteExpired(this.rollupDir, rollupRetention, DAY_MS, now)),
    ]) {
      this.log.info({ file: f }, 'timeseries: segment past retention deleted');
    }
    const cutoff = now - this.memoryWindowMs;
    const rollCutoff = now - (this.opts.rollupMemoryMs ?? 2 * DAY_MS);
    for (const s of this.series.values()) {
      this.memPoints -= s.evictBefore(cutoff);
      for (const m of s.rollups.keys()) if (m < rollCutoff) s.rollups.delete(m);
    }
    this.trimMemory();
  }

  private trimMemory(): void {
    this.memPoints = trimToCap(this.series, this.memPoints, this.opts.maxMemoryPoints ?? 4_000_000);
  }

  async query(sensorId: string, fromMs: number, toMs: number, askedStepMs: number): Promise<ReadingPoint[]> {
    checkQuery(fromMs, toMs, askedStepMs);
    const now = this.now();
    const plan = queryPlan(fromMs, toMs, askedStepMs, now, this.rawRetentionMs);
    const agg = new BucketAggregator(fromMs, toMs, plan.stepMs);
    const s = this.series.get(sensorId);
    if (plan.rollup) {
      const rollFrom = now - (this.opts.rollupMemoryMs ?? 2 * DAY_MS);
      if (fromMs < rollFrom)
        await this.diskReads.run(() => readRollupsFromDisk(this.rollupDir, sensorId, fromMs, toMs, rollFrom, agg));
      if (s) {
        for (const [m, a] of s.rollups) if (m >= rollFrom) agg.addAgg(m, a.min, a.max, a.sum, a.count);
        for (const [m, a] of s.open) agg.addAgg(m, a.min, a.max, a.sum, a.count);
      }
      return agg.points();
    }
    const memFrom = s?.memFrom ?? now - this.memoryWindowMs;
    if (fromMs < memFrom)
      await this.diskReads.run(() => readRawFromDisk(this.rawDir, sensorId, fromMs, toMs, memFrom, agg));
    s?.forEachRaw(fromMs, toMs, (ts, v) => agg.addValue(ts, v));
    return agg.points();
  }

  /**
   * Raw readings with their quality come from the hour files (memory keeps values only): what was
   * accepted until now is flushed first, then the files are read one hour at a time.
   */
  async *raw(sensorId: string, fromMs: number, toMs: number): AsyncGenerator<RawReading[]> {
    if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && toMs > fromMs))
      throw new Error('timeseries: raw readings need from < to');
    await this.flushOnce();
    yield* rawReadingsFromDisk(this.rawDir, sensorId, fromMs, toMs);
  }

  pending(): number {
    return this.backlog.size + this.inflight;
  }

  written(): number {
    return this.writtenCount;
  }

  dropped(): number {
    return this.backlog.dropped;
  }

  healthy(): boolean {
    return this.ok;
  }

  async probe(): Promise<void> {
    if (!this.ok) throw new Error(`timeseries: embedded store cannot write (${this.pending()} points waiting)`);
  }

  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending() > 0 || this.flushing) {
      if (Date.now() >= deadline) throw new Error(`timeseries: flush timed out with ${this.pending()} points pending`);
      await this.flushOnce();
      if (this.pending() > 0 && !this.ok) await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.flush(5_000);
      await this.flushing;
      await this.persistRollups(true);
    } catch (err) {
      this.log.error({ err: errText(err), pending: this.pending() }, 'timeseries: stopping with points unwritten');
    }
  }
}
