/**
 * InfluxDB 1.x backend: npm `influx` for set-up and queries, writes as line protocol to /write
 * (timeseries-line.ts). Measurement `reading`, tags siteId/agentId/sensorId/
 * metric/gas/unit, fields value/quality, ms precision. Points are written in order, one batch in
 * flight (up to 5,000 points, or whatever gathered within 1 s). While InfluxDB is down, points
 * wait in a bounded FIFO and the writer retries with capped exponential backoff. A retried batch
 * that had in fact landed is harmless: InfluxDB keeps one point per series and timestamp.
 */
import { InfluxDB } from 'influx';
import type { Logger } from 'pino';
import { BoundedFifo } from './timeseries-fifo.js';
import { backfillRollups, ensureSchema, RAW_RP, readingsStatements } from './timeseries-influx-schema.js';
import { type LineChunk, linesOf } from './timeseries-line.js';
import {
  BucketAggregator,
  checkQuery,
  DEFAULT_RAW_RETENTION_MS,
  DEFAULT_ROLLUP_RETENTION_MS,
  MINUTE_MS,
  useRollup,
} from './timeseries-query.js';
import type { ReadingPoint, StoredReading, TimeSeriesStore } from './types.js';

export interface InfluxStoreOptions {
  url: string;
  database?: string;
  log: Logger;
  maxBuffered?: number;
  batchSize?: number;
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
/** The `influx` pool's host backoff: short and flat, our writer does the real backoff. */
const POOL_BACKOFF = {
  getDelay: () => 100,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

export class InfluxTimeSeriesStore implements TimeSeriesStore {
  private readonly influx: InfluxDB;
  private readonly db: string;
  private readonly fifo: BoundedFifo<LineChunk>;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly now: () => number;
  private readonly writeUrl: string;
  private readonly writeHeaders: Record<string, string>;
  private inflight = 0;
  private writtenCount = 0;
  private ok = false;
  private ready = false;
  private running = false;
  private pumping = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private waiters: (() => void)[] = [];
  /** Earliest ts written that may have missed the continuous query (backfilled after). */
  private lateFrom: number | undefined;

  constructor(private readonly opts: InfluxStoreOptions) {
    this.log = opts.log.child({ module: 'timeseries', backend: 'influx' });
    this.db = opts.database ?? 'gwanje';
    const url = new URL(opts.url);
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || 8086),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      database: this.db,
      pool: { maxRetries: 0, requestTimeout: 10_000, backoff: POOL_BACKOFF },
    });
    const w = new URL('/write', url);
    w.username = '';
    w.password = '';
    w.search = new URLSearchParams({ db: this.db, rp: RAW_RP, precision: 'ms' }).toString();
    this.writeUrl = w.toString();
    this.writeHeaders = { 'content-type': 'text/plain; charset=utf-8' };
    if (url.username) {
      const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.writeHeaders.authorization = `Basic ${Buffer.from(cred).toString('base64')}`;
    }
    this.fifo = new BoundedFifo(opts.maxBuffered ?? 2_000_000);
    this.batchSize = opts.batchSize ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.running = true;
    try {
      await this.setup();
    } catch (err) {
      // Not fatal: the center keeps running, points wait in the buffer until InfluxDB answers.
      this.log.error({ err: errText(err) }, 'timeseries: InfluxDB unreachable at start; buffering until it is');
    }
    this.schedule(this.opts.flushIntervalMs ?? 1000);
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
      const { body, minTs, skipped, count } = linesOf(points.slice(i, i + this.batchSize));
      if (skipped > 0) this.log.warn({ skipped }, 'timeseries: non-finite readings not written');
      const dropped = this.fifo.push({ text: body, count, minTs }, this.inflight);
      if (dropped > 0)
        this.log.warn({ dropped, total: this.fifo.dropped }, 'timeseries: outage buffer full, oldest dropped');
    }
    if (this.fifo.size >= this.batchSize && !this.pumping && this.backoffMs === 0) void this.pump(false);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(true), ms);
  }

  /** Writes batches while there is a full one (or any, when `all`), one at a time, in order. */
  private async pump(all: boolean): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      if (!this.ready) await this.setup();
      while (this.fifo.size > 0 && (all || this.fifo.size >= this.batchSize)) {
        await this.writeBatch();
      }
      this.backoffMs = 0;
    } catch (err) {
      this.ok = false;
      this.backoffMs = Math.min(Math.max(200, this.backoffMs * 2), this.opts.maxBackoffMs ?? 5_000);
      this.log.warn(
        { err: errText(err), pending: this.pending(), retryInMs: this.backoffMs },
        'timeseries: InfluxDB write failed; points kept for retry',
      );
    } finally {
      this.pumping = false;
      this.notify();
    }
    this.schedule(this.backoffMs > 0 ? this.backoffMs : (this.opts.flushIntervalMs ?? 1000));
  }

  private async writeBatch(): Promise<void> {
    const batch = this.fifo.take(this.batchSize);
    let count = 0;
    let minTs = Number.POSITIVE_INFINITY;
    for (const c of batch) {
      count += c.count;
      if (c.minTs < minTs) minTs = c.minTs;
    }
    this.inflight = count;
    const body = batch.map((c) => c.text).join('\n');
    let res: Response;
    try {
      res = await fetch(this.writeUrl, {
        method: 'POST',
        headers: this.writeHeaders,
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      this.inflight = 0;
      this.fifo.unshift(batch);
      throw err;
    }
    this.inflight = 0;
    if (res.status !== 204) {
      const text = (await res.text().catch(() => '')).slice(0, 300);
      if (res.status === 400) {
        // A malformed batch (e.g. a field type conflict) will never be accepted: retrying would
        // stall everything behind it. InfluxDB already kept the valid points of a partial write.
        this.log.error({ status: res.status, body: text, points: count }, 'timeseries: InfluxDB rejected a batch');
        return;
      }
      if (res.status === 404) this.ready = false; // database gone: re-create before retrying
      this.fifo.unshift(batch);
      throw new Error(`InfluxDB answered ${res.status}: ${text}`);
    }
    this.writtenCount += count;
    this.ok = true;
    if (minTs < this.now() - LATE_MS) this.lateFrom = Math.min(this.lateFrom ?? minTs, minTs);
    if (this.lateFrom !== undefined && this.fifo.size === 0) await this.backfill();
  }

  /** Rolls up minutes the CQ had already passed when their points arrived (after an outage). */
  private async backfill(): Promise<void> {
    const from = Math.floor((this.lateFrom ?? 0) / MINUTE_MS) * MINUTE_MS;
    const to = Math.floor((this.now() - LATE_MS) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    if (to > from) await backfillRollups(this.influx, this.db, from, to);
    this.lateFrom = undefined;
    this.log.info({ from, to }, 'timeseries: rollups backfilled for late points');
  }

  /**
   * Rollup queries take the minutes the CQ may not have reached yet (the last two) from raw
   * data, so a long chart ends at the newest reading; min/max/sum/count merge exactly.
   */
  async query(sensorId: string, fromMs: number, toMs: number, stepMs: number): Promise<ReadingPoint[]> {
    checkQuery(fromMs, toMs, stepMs);
    const step = Math.round(stepMs);
    const now = this.now();
    const rollup = useRollup(fromMs, toMs, step, now, this.opts.rawRetentionMs ?? DEFAULT_RAW_RETENTION_MS);
    const from = Math.floor(fromMs);
    const to = Math.ceil(toMs);
    const split = rollup ? Math.max(from, Math.min(to, Math.floor(now / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS)) : from;
    const statements = readingsStatements(this.db, sensorId, from, split, to, step);
    let raw: unknown;
    try {
      raw = await this.influx.queryRaw(statements.join('; '), { precision: 'ms' });
    } catch (err) {
      throw new Error(`timeseries: InfluxDB query failed: ${errText(err)}`);
    }
    const agg = new BucketAggregator(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, step);
    for (const result of (raw as { results?: { series?: { values?: number[][] }[] }[] }).results ?? []) {
      for (const [ts, min, max, sum, count] of result.series?.[0]?.values ?? []) agg.addAgg(ts, min, max, sum, count);
    }
    return agg.points();
  }

  pending(): number {
    return this.fifo.size + this.inflight;
  }

  written(): number {
    return this.writtenCount;
  }

  dropped(): number {
    return this.fifo.dropped;
  }

  healthy(): boolean {
    return this.ok;
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

  async stop(): Promise<void> {
    try {
      await this.flush(5_000);
    } catch (err) {
      this.log.error({ err: errText(err), pending: this.pending() }, 'timeseries: stopping with points unwritten');
    }
    this.running = false;
    clearTimeout(this.timer);
  }
}
