/**
 * InfluxDB 1.x backend: npm `influx` for set-up and queries, writes as line protocol to /write
 * (timeseries-line.ts). Measurement `reading`, tags siteId/agentId/sensorId/
 * metric/gas/unit, fields value and (unless 'good') quality, ms precision. Batches of up to 10,000
 * points (or whatever gathered within 1 s) go out two at a time (issue 18: one at a time left
 * InfluxDB's second core idle and halved the durable rate); a spooled or failed batch goes alone. While InfluxDB is down, points
 * wait in the OutageBuffer (memory, spilling to `${dataDir}/influx-spool/<db>/`) and the writer
 * retries with capped exponential backoff; a restart replays the spool first. A retried batch
 * that had in fact landed is harmless: InfluxDB keeps one point per series and timestamp.
 * One pump at a time (`pumping`) does every write, spill and replay; the backlog goes out in order.
 */
import { join } from 'node:path';
import type { InfluxDB } from 'influx';
import type { Logger } from 'pino';
import { connectInflux, queryReadings, rawReadings, recentSiteKeys } from './timeseries-influx-client.js';
import { InfluxWritePost } from './timeseries-influx-post.js';
import { backfillRollups, ensureSchema } from './timeseries-influx-schema.js';
import { linesOf, rejectedPoints, SeriesKeys } from './timeseries-line.js';
import { type OutageBatch, OutageBuffer } from './timeseries-outage.js';
import { DEFAULT_RAW_RETENTION_MS, DEFAULT_ROLLUP_RETENTION_MS, MINUTE_MS } from './timeseries-query.js';
import type { RawReading, ReadingPoint, StoredReading, TimeSeriesStore } from './types.js';

export interface InfluxStoreOptions {
  url: string;
  database?: string;
  log: Logger;
  /** The outage spool lives in `${dataDir}/influx-spool/<database>/`; unset: memory only. */
  dataDir?: string;
  /** OutageBuffer settings (timeseries.ts documents them). */
  maxBuffered?: number;
  spoolMaxBytes?: number;
  spoolSegmentBytes?: number;
  spillAfterPoints?: number;
  batchSize?: number;
  /** Memory batches in flight at once (spooled and retried ones always go one at a time). */
  parallelWrites?: number;
  flushIntervalMs?: number;
  rawRetentionMs?: number;
  rollupRetentionMs?: number;
  /** Backoff cap for retries while InfluxDB is unreachable. */
  maxBackoffMs?: number;
  now?: () => number;
}

/** Points older than this when written may have missed the CQ's 10-minute resample window. */
const LATE_MS = 9 * MINUTE_MS;

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
export class InfluxTimeSeriesStore implements TimeSeriesStore {
  private readonly influx: InfluxDB;
  private readonly db: string;
  private readonly buffer: OutageBuffer;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly now: () => number;
  private readonly writes: InfluxWritePost;
  private writtenCount = 0;
  private rejectedCount = 0;
  private ok = false;
  private ready = false;
  private running = false;
  private pumping = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private waiters: (() => void)[] = [];
  private readonly parallelWrites: number;
  private backfilling = false;
  private readonly seriesKeys = new SeriesKeys();
  /** Earliest ts written that may have missed the continuous query (backfilled after). */
  private lateFrom: number | undefined;

  constructor(private readonly opts: InfluxStoreOptions) {
    this.log = opts.log.child({ module: 'timeseries', backend: 'influx' });
    this.db = opts.database ?? 'gwanje';
    const c = connectInflux(opts.url, this.db);
    this.influx = c.influx;
    this.batchSize = opts.batchSize ?? 10_000;
    this.parallelWrites = Math.max(1, opts.parallelWrites ?? 2);
    this.writes = new InfluxWritePost(new URL(c.writeUrl), c.writeHeaders, this.parallelWrites);
    this.buffer = new OutageBuffer({
      log: this.log,
      spoolDir: opts.dataDir ? join(opts.dataDir, 'influx-spool', this.db) : undefined,
      spoolMaxBytes: opts.spoolMaxBytes,
      spoolSegmentBytes: opts.spoolSegmentBytes,
      maxMemoryPoints: opts.maxBuffered ?? 2_000_000,
      spillAfterPoints: opts.spillAfterPoints ?? 100_000,
      batchSize: this.batchSize,
    });
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.running = true;
    this.buffer.open();
    try {
      await this.setup();
    } catch (err) {
      // Not fatal: the center keeps running, points wait in the buffer until InfluxDB answers.
      this.log.error({ err: errText(err) }, 'timeseries: InfluxDB unreachable at start; buffering until it is');
      this.backoffMs = 200;
    }
    this.schedule(this.buffer.backlog > 0 && this.ok ? 0 : (this.opts.flushIntervalMs ?? 1000));
  }

  /** Database, retention policies (raw default, rollup long) and the 1-minute rollup CQ. */
  private async setup(): Promise<void> {
    await ensureSchema(
      this.influx,
      this.db,
      {
        rawMs: this.opts.rawRetentionMs ?? DEFAULT_RAW_RETENTION_MS,
        rollupMs: this.opts.rollupRetentionMs ?? DEFAULT_ROLLUP_RETENTION_MS,
      },
      this.log,
    );
    this.ready = true;
    this.ok = true;
    this.log.info({ database: this.db }, 'timeseries: InfluxDB ready');
  }

  /** Serializes at once (the cost is paid either way) so the buffer holds compact text chunks. */
  write(points: StoredReading[]): void {
    for (let i = 0; i < points.length; i += this.batchSize) {
      const end = Math.min(points.length, i + this.batchSize);
      const { bytes, minTs, skipped, count } = linesOf(points, this.seriesKeys, i, end);
      if (skipped > 0) this.log.warn({ skipped }, 'timeseries: non-finite readings not written');
      if (count === 0) continue;
      const dropped = this.buffer.push({ bytes, count, minTs });
      if (dropped > 0)
        this.log.warn({ dropped, total: this.buffer.dropped }, 'timeseries: outage buffer full, oldest dropped');
    }
    // During an outage (or when the writer falls behind) memory goes to disk at once,
    // synchronously: a producer faster than the disk is slowed, memory stays bounded.
    if (this.buffer.shouldSpill(this.backoffMs > 0) && this.buffer.memoryPoints >= this.batchSize) this.buffer.spill();
    else if (this.buffer.memoryPoints >= this.batchSize && !this.pumping && this.backoffMs === 0) void this.pump(false);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(true), ms);
  }

  /**
   * Writes batches while there is a full one (or any, when `all`). Memory batches go out up to
   * `parallelWrites` at a time (InfluxDB parses and indexes each request on its own core, issue
   * 18); failed and spooled batches one at a time, in order, with nothing else in flight.
   */
  private async pump(all: boolean): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    const inflight = new Set<Promise<void>>();
    let failure: { err: unknown } | undefined;
    /** Failed memory batches, in the order they were taken: given back together, oldest first. */
    const failed: Array<[number, OutageBatch]> = [];
    let taken = 0;
    const launch = (b: OutageBatch) => {
      const order = taken++;
      const p = this.send(b).then(
        () => {
          inflight.delete(p);
        },
        (err: unknown) => {
          inflight.delete(p);
          failed.push([order, b]);
          failure ??= { err };
        },
      );
      inflight.add(p);
    };
    try {
      if (!this.ready) await this.setup();
      while (!failure) {
        if (this.buffer.shouldSpill(false)) this.buffer.spill(); // falling behind
        const mem = this.buffer.memoryPoints;
        if (this.buffer.backlog > 0) {
          // Backlog first, alone: wait for what is in flight, then one batch at a time.
          if (inflight.size > 0) {
            await Promise.all(inflight);
            continue;
          }
          const b = await this.buffer.take();
          if (!b) continue;
          try {
            await this.send(b);
          } catch (err) {
            this.buffer.retry(b);
            throw err;
          }
          continue;
        }
        if (!(mem >= this.batchSize || (all && mem > 0))) {
          // Nothing full to send: done, or wait for a write in flight and look again (points
          // arriving meanwhile are sent by this pump, not a second timer later).
          if (inflight.size === 0) break;
          await Promise.race(inflight);
          continue;
        }
        const b = this.buffer.takeMemory();
        if (!b) break;
        launch(b);
        if (inflight.size >= this.parallelWrites) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      if (failure) {
        this.buffer.retryAll(failed.sort((a, b) => a[0] - b[0]).map(([, b]) => b));
        failed.length = 0;
        throw failure.err;
      }
      this.backoffMs = 0;
    } catch (err) {
      await Promise.all(inflight);
      this.ok = false;
      this.buffer.retryAll(failed.sort((a, b) => a[0] - b[0]).map(([, b]) => b));
      this.backoffMs = Math.min(Math.max(200, this.backoffMs * 2), this.opts.maxBackoffMs ?? 5_000);
      this.log.warn(
        { err: errText(err), pending: this.pending(), spooled: this.buffer.spoolPoints, retryInMs: this.backoffMs },
        'timeseries: InfluxDB write failed; points kept for retry',
      );
      this.buffer.spill();
    } finally {
      this.pumping = false;
      this.notify();
    }
    this.schedule(this.backoffMs > 0 ? this.backoffMs : (this.opts.flushIntervalMs ?? 1000));
  }

  /** One batch to /write; done() with the buffer when written or refused as malformed; throws otherwise (the caller gives it back). */
  private async send(b: OutageBatch): Promise<void> {
    const res = await this.writes.post(b.body, b.gzip);
    if (res.status !== 204) {
      const text = res.text;
      if (res.status === 400) {
        // Malformed points (e.g. a field type conflict) will never be accepted: retrying would
        // stall everything behind them. InfluxDB kept the valid points of a partial write;
        // the rest are counted in rejected() and dropped(), and logged once per batch.
        const rejected = rejectedPoints(text, b.count);
        this.rejectedCount += rejected;
        this.writtenCount += b.count - rejected;
        this.log.error(
          { status: 400, reason: text, points: b.count, rejected, rejectedTotal: this.rejectedCount },
          'timeseries: InfluxDB rejected points of a batch; not retried',
        );
        this.buffer.done(b);
        return;
      }
      if (res.status === 404) this.ready = false; // database gone: re-create before retrying
      throw new Error(`InfluxDB answered ${res.status}: ${text}`);
    }
    this.writtenCount += b.count;
    this.ok = true;
    this.buffer.done(b);
    if (b.minTs < this.now() - LATE_MS) this.lateFrom = Math.min(this.lateFrom ?? b.minTs, b.minTs);
    if (this.lateFrom !== undefined && this.buffer.pending === 0 && !this.backfilling) {
      this.backfilling = true;
      try {
        await this.backfill();
      } finally {
        this.backfilling = false;
      }
    }
  }

  /** Rolls up minutes the CQ had already passed when their points arrived (after an outage). */
  private async backfill(): Promise<void> {
    const from = Math.floor((this.lateFrom ?? 0) / MINUTE_MS) * MINUTE_MS;
    const to = Math.floor((this.now() - LATE_MS) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    if (to > from) await backfillRollups(this.influx, this.db, from, to);
    this.lateFrom = undefined;
    this.log.info({ from, to }, 'timeseries: rollups backfilled for late points');
  }

  query(sensorId: string, fromMs: number, toMs: number, stepMs: number): Promise<ReadingPoint[]> {
    const rawRetentionMs = this.opts.rawRetentionMs ?? DEFAULT_RAW_RETENTION_MS;
    return queryReadings(this.influx, this.db, { sensorId, fromMs, toMs, stepMs, now: this.now(), rawRetentionMs });
  }

  /** Raw points as InfluxDB holds them (points still in the outage buffer are not there yet). */
  recentKeys(siteId: string, fromMs: number): Promise<Set<string>> {
    return recentSiteKeys(this.influx, this.db, siteId, fromMs);
  }

  raw(sensorId: string, fromMs: number, toMs: number): AsyncIterable<RawReading[]> {
    if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && toMs > fromMs))
      throw new Error('timeseries: raw readings need from < to');
    return rawReadings(this.influx, this.db, sensorId, fromMs, toMs);
  }

  pending(): number {
    return this.buffer.pending;
  }

  written(): number {
    return this.writtenCount;
  }

  /** Points lost: memory overflow, spool eviction and points InfluxDB rejected (HTTP 400). */
  dropped(): number {
    return this.buffer.dropped + this.rejectedCount;
  }

  /** Points InfluxDB refused as malformed (HTTP 400); included in dropped(). */
  rejected(): number {
    return this.rejectedCount;
  }

  healthy(): boolean {
    return this.ok;
  }

  async probe(timeoutMs: number): Promise<void> {
    const hosts = await this.influx.ping(timeoutMs);
    const down = hosts.find((h) => !h.online);
    if (hosts.length === 0 || down) throw new Error('timeseries: InfluxDB does not answer /ping');
  }

  /** Writes everything now (ignoring the 1 s batching), retrying until done or the timeout. */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending() > 0 || this.pumping) {
      if (Date.now() >= deadline) throw new Error(`timeseries: flush timed out with ${this.pending()} points pending`);
      if (!this.pumping && this.backoffMs === 0) void this.pump(true);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.min(200, Math.max(1, deadline - Date.now()))).unref();
      });
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Flushes (5 s bound) while InfluxDB answers, then moves what is left to the spool (synced),
   * where the next start finds and replays it.
   */
  async stop(): Promise<void> {
    if (this.ok || !this.buffer.hasSpool) {
      await this.flush(5_000).catch((err: unknown) => {
        this.log.warn({ err: errText(err), pending: this.pending() }, 'timeseries: stop could not flush everything');
      });
    }
    this.running = false;
    clearTimeout(this.timer);
    const deadline = Date.now() + 15_000;
    while (this.pumping && Date.now() < deadline) await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      await this.buffer.close();
    } catch (err) {
      this.log.error({ err: errText(err), pending: this.pending() }, 'timeseries: outage spool close failed');
    }
    this.writes.close();
    const left = this.pending();
    if (left > 0 && this.buffer.hasSpool)
      this.log.info({ spooled: this.buffer.spoolPoints }, 'timeseries: stopped; spooled points replay at next start');
    else if (left > 0) this.log.error({ pending: left }, 'timeseries: stopping with points unwritten');
  }
}
