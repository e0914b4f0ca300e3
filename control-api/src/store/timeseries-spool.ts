/**
 * The disk half of the InfluxDB outage buffer (issue 4: "a 5-minute InfluxDB outage loses
 * nothing" at >= 50,000 readings/s, i.e. 15 M points, far more than memory should hold).
 * Append-only segments `${dir}/NNNNNNNNNN.seg`, one record per write batch:
 *   u32 LE length | u32 LE CRC-32 of payload | payload = u32 points | f64 earliest ts | gzip(lines)
 * Gzip: ~13x smaller for ~1.4 ms CPU per 5,000 points; replay posts it as is (Content-Encoding).
 * Appends are synchronous (page cache, well under 1 ms a batch): a producer faster than the disk
 * is slowed instead of growing memory, and no batch is ever half-way between memory and disk.
 * fsync policy: fdatasync (asynchronous) at most once per `syncEveryMs` (1 s) and when a segment
 * is sealed or the spool closed; a killed process loses nothing appended, a power cut up to the
 * last second. A torn or corrupt tail (crash mid-append) is truncated on recovery.
 * Over `maxBytes` the oldest segments go first (the replaying one included), points counted in
 * `evicted`. Replay reads the oldest segment whole (<= segmentBytes), hands out its records in
 * order and deletes it once all are acknowledged; a crash mid-replay re-sends its acknowledged
 * records, harmless (InfluxDB keeps one point per series and timestamp).
 * Single caller by design: the InfluxDB writer, from its one serialized pump or write().
 */
import {
  closeSync,
  fdatasync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statfsSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { LineChunk } from './timeseries-line.js';

const HEADER = 8;
const META = 12;
const SEGMENT_RE = /^(\d{10})\.seg$/;

export interface SpoolOptions {
  dir: string;
  log: Logger;
  /** Byte cap; default the smaller of 2 GiB and 25% of the free space of `dir` at open. */
  maxBytes?: number;
  /** A segment is sealed (and a new one started) past this size; default 16 MiB. */
  segmentBytes?: number;
  syncEveryMs?: number;
}

/** A spooled write batch: gzip'ed line protocol, its point count and earliest timestamp. */
export interface SpoolRecord {
  gz: Buffer;
  count: number;
  minTs: number;
}

interface Segment {
  seq: number;
  bytes: number;
  points: number;
}

export function encodeRecord(chunk: LineChunk): Buffer {
  const gz = gzipSync(chunk.bytes, { level: 1 });
  const buf = Buffer.allocUnsafe(HEADER + META + gz.length);
  buf.writeUInt32LE(META + gz.length, 0);
  buf.writeUInt32LE(chunk.count, HEADER);
  buf.writeDoubleLE(chunk.minTs, HEADER + 4);
  gz.copy(buf, HEADER + META);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER)), 4);
  return buf;
}

/** Whole records of a segment and the offset where they end (a torn or corrupt tail follows). */
export function decodeRecords(buf: Buffer): { records: SpoolRecord[]; end: number } {
  const records: SpoolRecord[] = [];
  let off = 0;
  while (off + HEADER + META <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < META || off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(payload) !== buf.readUInt32LE(off + 4)) break;
    records.push({
      count: payload.readUInt32LE(0),
      minTs: payload.readDoubleLE(4),
      gz: Buffer.from(payload.subarray(META)),
    });
    off += HEADER + len;
  }
  return { records, end: off };
}

const segName = (seq: number) => `${String(seq).padStart(10, '0')}.seg`;

export class OutageSpool {
  private segments: Segment[] = [];
  private active: { seg: Segment; fd: number } | undefined;
  /** The record handed out by peek() and not yet acknowledged (never evicted under the writer). */
  private out = false;
  private syncing: Promise<void> = Promise.resolve();
  /** The segment being replayed (removed from `segments`), its records and the next one. */
  private replay: { seg: Segment; records: SpoolRecord[]; next: number; points: number } | undefined;
  private nextSeq = 1;
  private lastSync = 0;
  private dirty = false;
  private evictedPoints = 0;
  private cap = 0;

  constructor(private readonly opts: SpoolOptions) {}

  /** Creates the directory, recovers segments left by an earlier run (torn tails truncated). */
  open(): void {
    mkdirSync(this.opts.dir, { recursive: true });
    const fs = statfsSync(this.opts.dir);
    this.cap = this.opts.maxBytes ?? Math.min(2 * 1024 ** 3, Math.floor(fs.bavail * fs.bsize * 0.25));
    const seqs = readdirSync(this.opts.dir)
      .map((n) => SEGMENT_RE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const path = join(this.opts.dir, segName(seq));
      const buf = readFileSync(path);
      const { records, end } = decodeRecords(buf);
      if (end < buf.length) {
        this.opts.log.warn(
          { segment: segName(seq), lostBytes: buf.length - end },
          'timeseries: spool segment had a torn tail; truncated at the last whole record',
        );
        truncateSync(path, end);
      }
      const points = records.reduce((n, r) => n + r.count, 0);
      if (points === 0) unlinkSync(path);
      else this.segments.push({ seq, bytes: end, points });
      this.nextSeq = seq + 1;
    }
    if (this.points > 0)
      this.opts.log.info(
        { points: this.points, segments: this.segments.length },
        'timeseries: spool recovered; replaying',
      );
  }

  get points(): number {
    let n = this.replay ? this.replay.points : 0;
    for (const s of this.segments) n += s.points;
    return n;
  }

  get bytes(): number {
    let n = this.replay ? this.replay.seg.bytes : 0;
    for (const s of this.segments) n += s.bytes;
    return n;
  }

  get maxBytes(): number {
    return this.cap;
  }

  /** Points evicted by the byte cap since start. */
  get evicted(): number {
    return this.evictedPoints;
  }

  /** Appends chunks as one record (a write batch), evicting the oldest to stay within the cap. */
  append(chunks: LineChunk[]): void {
    let count = 0;
    let minTs = Number.POSITIVE_INFINITY;
    for (const c of chunks) {
      count += c.count;
      minTs = Math.min(minTs, c.minTs);
    }
    if (count === 0) return;
    const bytes = chunks.length === 1 ? chunks[0].bytes : Buffer.concat(chunks.map((c) => c.bytes));
    const rec = encodeRecord({ bytes, count, minTs });
    this.evictFor(rec.length);
    if (this.active && this.active.seg.bytes + rec.length > (this.opts.segmentBytes ?? 16 * 1024 ** 2)) this.seal();
    if (!this.active) {
      const seg = { seq: this.nextSeq++, bytes: 0, points: 0 };
      this.active = { seg, fd: openSync(join(this.opts.dir, segName(seg.seq)), 'a') };
      this.segments.push(seg);
    }
    for (let off = 0; off < rec.length; ) off += writeSync(this.active.fd, rec, off);
    this.active.seg.bytes += rec.length;
    this.active.seg.points += count;
    this.dirty = true;
  }

  /** fdatasync the active segment if it has unsynced appends older than the sync interval. */
  syncIfDue(now = Date.now()): void {
    if (!this.dirty || !this.active || now - this.lastSync < (this.opts.syncEveryMs ?? 1000)) return;
    this.lastSync = now;
    this.dirty = false;
    this.datasync(this.active.fd, false);
  }

  /** Queues an fdatasync (one at a time, so a close never races a sync on the same fd). */
  private datasync(fd: number, thenClose: boolean): void {
    this.syncing = this.syncing.then(
      () =>
        new Promise<void>((resolve) => {
          fdatasync(fd, (err) => {
            if (err) this.opts.log.error({ err: err.message }, 'timeseries: spool fdatasync failed');
            if (thenClose) closeSync(fd);
            resolve();
          });
        }),
    );
  }

  /** The oldest record not yet acknowledged (loads the oldest segment when needed). */
  async peek(): Promise<SpoolRecord | undefined> {
    for (;;) {
      if (this.replay && this.replay.next < this.replay.records.length) {
        this.out = true;
        return this.replay.records[this.replay.next];
      }
      if (this.replay) this.finishReplay();
      const seg = this.segments[0];
      if (!seg) return undefined;
      if (this.active?.seg === seg) this.seal();
      this.segments.shift();
      this.out = true; // not evictable while being read
      let buf: Buffer;
      try {
        buf = await readFile(join(this.opts.dir, segName(seg.seq)));
      } finally {
        this.out = false;
      }
      const { records } = decodeRecords(buf);
      this.replay = { seg, records, next: 0, points: records.reduce((n, r) => n + r.count, 0) };
    }
  }

  /** The record returned by peek() is written (or rejected for good). */
  ack(): void {
    this.out = false;
    const r = this.replay;
    if (!r || r.next >= r.records.length) return;
    r.points -= r.records[r.next].count;
    r.next++;
    if (r.next >= r.records.length) this.finishReplay();
  }

  /** The record returned by peek() was not written; it stays first. */
  release(): void {
    this.out = false;
  }

  private finishReplay(): void {
    const r = this.replay;
    if (!r) return;
    this.replay = undefined;
    unlinkSync(join(this.opts.dir, segName(r.seg.seq)));
  }

  /** Evicts oldest-first; the replaying segment only while none of its records is being written. */
  private evictFor(incoming: number): void {
    while (this.bytes + incoming > this.cap) {
      let lost: number;
      let seq: number;
      if (this.replay && !this.out) {
        lost = this.replay.points;
        seq = this.replay.seg.seq;
        this.replay = undefined;
      } else {
        const seg = this.segments[0];
        if (!seg) return; // only the record being written is left: over the cap by that much
        if (this.active?.seg === seg) this.seal();
        this.segments.shift();
        lost = seg.points;
        seq = seg.seq;
      }
      unlinkSync(join(this.opts.dir, segName(seq)));
      this.evictedPoints += lost;
      this.opts.log.warn(
        { segment: segName(seq), points: lost, evictedTotal: this.evictedPoints, maxBytes: this.cap },
        'timeseries: spool full; oldest segment evicted',
      );
    }
  }

  /** Closes the active segment (synced); the next append starts a new one. */
  private seal(): void {
    const a = this.active;
    if (!a) return;
    this.active = undefined;
    this.dirty = false;
    this.datasync(a.fd, true);
  }

  /** Seals the active segment and waits until every segment is synced and closed. */
  async close(): Promise<void> {
    this.seal();
    await this.syncing;
  }
}
