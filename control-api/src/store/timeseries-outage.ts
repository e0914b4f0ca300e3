/**
 * What the InfluxDB writer has accepted and not yet written: a memory FIFO of serialized batches
 * in front of an on-disk spool (timeseries-spool.ts). Points enter memory; while InfluxDB is
 * unreachable, or when memory passes `spillAfterPoints`, the pump moves them to the spool, so
 * memory stays bounded however long the outage (issue 4: a 5-minute outage at 50,000
 * readings/s is 15 M points). Order is kept by one invariant: everything in the spool is older
 * than everything in memory (spills move the memory head to the spool tail, and replay drains
 * the spool before memory), so batches reach InfluxDB in the order they were accepted.
 * Without a usable spool directory it degrades to the memory FIFO alone (bounded by
 * `maxMemoryPoints`, oldest dropped and counted).
 */
import type { Logger } from 'pino';
import { BoundedFifo } from './timeseries-fifo.js';
import type { LineChunk } from './timeseries-line.js';
import { OutageSpool, type SpoolOptions } from './timeseries-spool.js';

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface OutageBufferOptions {
  log: Logger;
  /** Spool directory; undefined keeps everything in memory. */
  spoolDir?: string;
  spoolMaxBytes?: number;
  spoolSegmentBytes?: number;
  /** Memory hard cap (points) when the spool is unusable or falling behind. */
  maxMemoryPoints: number;
  /** Memory above this spills to disk even while InfluxDB answers (it is falling behind). */
  spillAfterPoints: number;
  batchSize: number;
}

/** A batch handed to the writer: settle it with done() or retry() before taking another. */
export interface OutageBatch {
  /** Memory batches: the chunks (given back on failure); spool batches: none. */
  chunks: LineChunk[];
  /** The /write body: line protocol, or gzip'ed line protocol from the spool. */
  body: Buffer;
  gzip: boolean;
  count: number;
  minTs: number;
  fromSpool: boolean;
}

export class OutageBuffer {
  private readonly fifo: BoundedFifo<LineChunk>;
  private spool: OutageSpool | undefined;
  /** Points of the memory batches the writer holds (several may be in flight at once). */
  private inflight = 0;
  /** Memory batches that failed without a spool to take them: first in line, oldest first. */
  private readonly retries: OutageBatch[] = [];
  private retryPoints = 0;

  constructor(private readonly opts: OutageBufferOptions) {
    this.fifo = new BoundedFifo(opts.maxMemoryPoints);
  }

  /** Opens and recovers the spool; a failure leaves the buffer memory-only (logged). */
  open(): void {
    if (!this.opts.spoolDir) return;
    const o: SpoolOptions = {
      dir: this.opts.spoolDir,
      log: this.opts.log,
      maxBytes: this.opts.spoolMaxBytes,
      segmentBytes: this.opts.spoolSegmentBytes,
    };
    const spool = new OutageSpool(o);
    try {
      spool.open();
      this.spool = spool;
    } catch (err) {
      this.opts.log.error(
        { err: errText(err), dir: this.opts.spoolDir },
        'timeseries: outage spool unusable; buffering in memory only',
      );
    }
  }

  /** Accepts a chunk; returns the points dropped from memory to stay within its hard cap. */
  push(chunk: LineChunk): number {
    return this.fifo.push(chunk, this.inflight + this.retryPoints);
  }

  get memoryPoints(): number {
    return this.fifo.size;
  }

  get spoolPoints(): number {
    return this.spool?.points ?? 0;
  }

  /** Points to write before memory: failed batches and the spool. */
  get backlog(): number {
    return this.retryPoints + this.spoolPoints;
  }

  get spoolBytes(): number {
    return this.spool?.bytes ?? 0;
  }

  get spoolMaxBytes(): number {
    return this.spool?.maxBytes ?? 0;
  }

  /** Accepted and not written: memory, in flight and spool. */
  get pending(): number {
    return this.fifo.size + this.inflight + this.retryPoints + this.spoolPoints;
  }

  /** Points lost: memory overflow plus spool eviction. */
  get dropped(): number {
    return this.fifo.dropped + (this.spool?.evicted ?? 0);
  }

  get hasSpool(): boolean {
    return this.spool !== undefined;
  }

  shouldSpill(influxDown: boolean): boolean {
    if (!this.spool || this.fifo.size === 0) return false;
    return (influxDown && this.fifo.size > 0) || this.fifo.size > this.opts.spillAfterPoints;
  }

  /** Moves all of memory to the spool, one record per batch. A disk error keeps it in memory. */
  spill(): void {
    const spool = this.spool;
    if (!spool) return;
    while (this.fifo.size > 0) {
      const chunks = this.fifo.take(this.opts.batchSize);
      try {
        spool.append(chunks);
      } catch (err) {
        this.fifo.unshift(chunks);
        this.opts.log.error(
          { err: errText(err), memoryPoints: this.fifo.size },
          'timeseries: outage spool append failed; keeping points in memory',
        );
        return;
      }
    }
    spool.syncIfDue();
  }

  /**
   * The next batch in acceptance order: a failed memory batch, the spool's oldest record, memory.
   * Failed and spooled batches are taken one at a time (the writer awaits each before the next);
   * memory batches may be taken while others are in flight (parallel writes, issue 18).
   */
  async take(): Promise<OutageBatch | undefined> {
    const retry = this.retries.shift();
    if (retry) {
      this.retryPoints -= retry.count;
      this.inflight += retry.count;
      return retry;
    }
    const rec = this.spool ? await this.spool.peek() : undefined;
    if (rec) return { chunks: [], body: rec.gz, gzip: true, count: rec.count, minTs: rec.minTs, fromSpool: true };
    return this.takeMemory();
  }

  /** The next memory batch, synchronously (the caller knows the backlog is empty). */
  takeMemory(): OutageBatch | undefined {
    if (this.fifo.size === 0) return undefined;
    const chunks = this.fifo.take(this.opts.batchSize);
    let count = 0;
    let minTs = Number.POSITIVE_INFINITY;
    for (const c of chunks) {
      count += c.count;
      minTs = Math.min(minTs, c.minTs);
    }
    this.inflight += count;
    // Every chunk ends with a newline: the body is their bytes one after the other.
    const body = chunks.length === 1 ? chunks[0].bytes : Buffer.concat(chunks.map((c) => c.bytes));
    return { chunks, body, gzip: false, count, minTs, fromSpool: false };
  }

  /** The batch is settled for good (written, or rejected by InfluxDB as malformed). */
  done(b: OutageBatch): void {
    if (b.fromSpool) this.spool?.ack();
    else this.inflight -= b.count;
  }

  /** The batch was not written: it stays first in line. */
  retry(b: OutageBatch): void {
    if (b.fromSpool) {
      this.spool?.release(); // still the spool's head record
      return;
    }
    this.retryAll([b]);
  }

  /**
   * Memory batches that were not written, oldest first (several may have been in flight). Into
   * the spool when it is empty (still oldest-first there, and evictable like the rest), else
   * first in line before the spool, whose records are newer.
   */
  retryAll(batches: OutageBatch[]): void {
    for (const b of batches) this.inflight -= b.count;
    if (batches.length === 0) return;
    let i = 0;
    if (this.spool && this.spool.points === 0) {
      try {
        for (; i < batches.length; i++) this.spool.append(batches[i].chunks);
        return;
      } catch (err) {
        this.opts.log.error({ err: errText(err) }, 'timeseries: outage spool append failed; keeping batch in memory');
      }
    }
    for (const b of batches.slice(i)) {
      this.retries.push(b);
      this.retryPoints += b.count;
    }
  }

  /** Spills what memory holds (when a spool exists) and closes the spool, synced. */
  async close(): Promise<void> {
    if (!this.spool) return;
    // Failed batches are appended after newer ones here: InfluxDB orders by timestamp anyway.
    for (const b of this.retries.splice(0)) this.spool.append(b.chunks);
    this.retryPoints = 0;
    this.spill();
    await this.spool.close();
  }
}
