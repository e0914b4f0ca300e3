/**
 * StoreAndForwardQueue: the on-disk buffer between accepting a reading and the central broker's
 * PUBACK (issue 5 "Store-and-forward"; CONTRACT "Edge agent"). Design and fsync policy: README.
 *
 * - `append` frames the record and write(2)s it before returning, so once a reading is accepted
 *   it is in the kernel and survives a kill -9 of the agent; an fsync timer bounds what a power
 *   cut can take (the last `fsyncMs`), and framing + CRC let recovery cut a torn tail.
 * - Records have a monotonic index. `state.json` (written to a temp file, fsynced, renamed)
 *   holds the committed index and the uplink's own state (seq, in-flight batches).
 * - Size is bounded by `maxBytes`: whole segments are evicted oldest first and the uncommitted
 *   records they held are counted in `dropped`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { frame } from './framing.js';
import { recoverSegments, type Segment, SegmentReader, segmentPath } from './segments.js';

export interface QueueOptions {
  dir: string;
  maxBytes: number;
  /** Segment roll size; default maxBytes/8 capped to 4 MiB so eviction is fine-grained. */
  segmentBytes?: number;
  /** Period of the background fsync of the active segment (power-cut exposure); default 1000. */
  fsyncMs?: number;
  log: Logger;
}

export interface QueueState {
  committed: number;
  dropped: number;
  uplink?: unknown;
}

export class StoreAndForwardQueue {
  private segments: Segment[] = [];
  private fd: number | undefined;
  private reader = new SegmentReader();
  private state: QueueState = { committed: 0, dropped: 0 };
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private totalBytes = 0;

  constructor(private readonly opts: QueueOptions) {}

  private get segmentBytes(): number {
    return this.opts.segmentBytes ?? Math.min(4 * 1024 * 1024, Math.max(64 * 1024, Math.floor(this.opts.maxBytes / 8)));
  }

  open(): void {
    mkdirSync(this.opts.dir, { recursive: true });
    this.state = this.loadState();
    const { segments, lost } = recoverSegments(this.opts.dir, this.opts.log);
    this.segments = segments;
    if (lost > 0) this.state.dropped += lost;
    const next = this.nextIndex;
    if (segments.length === 0) this.segments.push(this.newSegment(Math.max(this.state.committed, 0)));
    else if (this.state.committed > next) this.state.committed = next;
    if (this.state.committed < this.firstIndex) this.state.committed = this.firstIndex;
    this.totalBytes = this.segments.reduce((n, s) => n + s.bytes, 0);
    this.fd = openSync(this.active.path, 'a');
    const fsyncMs = this.opts.fsyncMs ?? 1000;
    this.timer = setInterval(() => this.sync(), fsyncMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sync();
    this.reader.close();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Appends one record; returns its index. Synchronous: accepted means written to the kernel. */
  append(payload: Buffer): number {
    if (this.fd === undefined) throw new Error('queue: not open');
    if (this.active.bytes >= this.segmentBytes) this.roll();
    const buf = frame(payload);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    const seg = this.active;
    seg.bytes += buf.length;
    seg.count += 1;
    this.totalBytes += buf.length;
    this.dirty = true;
    if (this.totalBytes > this.opts.maxBytes) this.evict();
    return seg.base + seg.count - 1;
  }

  /** Up to `max` records from index `from` (clamped to the oldest kept), in order. */
  read(from: number, max: number): { from: number; payloads: Buffer[] } {
    let start = Math.max(from, this.firstIndex);
    const payloads: Buffer[] = [];
    while (payloads.length < max && start + payloads.length < this.nextIndex) {
      const got = this.reader.read(this.segments, start + payloads.length, max - payloads.length);
      if (got.length === 0) break;
      payloads.push(...got);
    }
    if (payloads.length === 0) start = Math.max(from, this.firstIndex);
    return { from: start, payloads };
  }

  /** Marks every record below `upTo` as delivered and persists it with the uplink's state. */
  commit(upTo: number, uplink?: unknown): void {
    this.state.committed = Math.max(this.state.committed, Math.min(upTo, this.nextIndex));
    if (uplink !== undefined) this.state.uplink = uplink;
    this.saveState();
    // Delivered segments are no longer needed (never the active one).
    while (this.segments.length > 1 && this.segments[0].base + this.segments[0].count <= this.state.committed) {
      this.removeOldest();
    }
  }

  /** Persists the uplink's state (seq, in-flight batches) without moving the committed index. */
  saveUplink(uplink: unknown): void {
    this.state.uplink = uplink;
    this.saveState();
  }

  get uplinkState(): unknown {
    return this.state.uplink;
  }

  get committed(): number {
    return this.state.committed;
  }

  get firstIndex(): number {
    return this.segments.length > 0 ? this.segments[0].base : this.state.committed;
  }

  get nextIndex(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.base + last.count : this.state.committed;
  }

  get buffered(): number {
    return this.nextIndex - this.state.committed;
  }

  get dropped(): number {
    return this.state.dropped;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  sync(): void {
    if (!this.dirty || this.fd === undefined) return;
    this.dirty = false;
    fsyncSync(this.fd);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private newSegment(base: number): Segment {
    const path = segmentPath(this.opts.dir, base);
    closeSync(openSync(path, 'a'));
    return { base, count: 0, bytes: 0, path };
  }

  private roll(): void {
    if (this.fd !== undefined) {
      fsyncSync(this.fd);
      closeSync(this.fd);
    }
    this.dirty = false;
    this.segments.push(this.newSegment(this.nextIndex));
    this.fd = openSync(this.active.path, 'a');
  }

  /** Oldest-first eviction over maxBytes (issue 5): whole segments, the loss counted. */
  private evict(): void {
    while (this.totalBytes > this.opts.maxBytes && this.segments.length > 1) {
      const seg = this.segments[0];
      const lost = seg.base + seg.count - Math.max(seg.base, this.state.committed);
      if (lost > 0) {
        this.state.dropped += lost;
        this.opts.log.warn({ lost, dropped: this.state.dropped }, 'queue: buffer full, oldest readings dropped');
      }
      this.removeOldest();
      if (this.state.committed < this.firstIndex) this.state.committed = this.firstIndex;
      this.saveState();
    }
  }

  private removeOldest(): void {
    const seg = this.segments.shift();
    if (!seg) return;
    this.totalBytes -= seg.bytes;
    this.reader.close();
    rmSync(seg.path, { force: true });
  }

  private loadState(): QueueState {
    const path = join(this.opts.dir, 'state.json');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { committed: 0, dropped: 0 };
      throw new Error(`queue: cannot read ${path}: ${(err as Error).message}`);
    }
    let v: Partial<QueueState>;
    try {
      v = JSON.parse(text) as Partial<QueueState>;
    } catch (err) {
      // Only a storage fault can do this (the file is replaced by rename); the uplink then
      // restarts seq from the clock so the center cannot mistake new batches for replays.
      this.opts.log.error({ err: (err as Error).message }, 'queue: state.json unreadable, starting over');
      return { committed: 0, dropped: 0 };
    }
    return {
      committed: Number.isSafeInteger(v.committed) ? (v.committed as number) : 0,
      dropped: Number.isSafeInteger(v.dropped) ? (v.dropped as number) : 0,
      uplink: v.uplink,
    };
  }

  private saveState(): void {
    const path = join(this.opts.dir, 'state.json');
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }
}
