/**
 * Segment files of the store-and-forward queue: `seg-<first record index>.log`, append-only,
 * framed records (framing.ts). Opening scans every segment to count its records and truncates a
 * torn tail (the only damage a kill -9 or power cut can do to an append-only file).
 */
import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readFrame } from './framing.js';

export interface Segment {
  base: number;
  count: number;
  bytes: number;
  path: string;
}

const NAME = /^seg-(\d{16})\.log$/;

export const segmentPath = (dir: string, base: number): string =>
  join(dir, `seg-${String(base).padStart(16, '0')}.log`);

/** Lists and verifies the segments in `dir`, oldest first, truncating torn or corrupt tails. */
export function recoverSegments(dir: string, log: Logger): { segments: Segment[]; lost: number } {
  const bases = readdirSync(dir)
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  let lost = 0;
  for (const base of bases) {
    const path = segmentPath(dir, base);
    const buf = readFileSync(path);
    let off = 0;
    let count = 0;
    for (;;) {
      const f = readFrame(buf, off);
      if (f.kind !== 'record') {
        if (off < buf.length) {
          // A torn tail is expected after a crash mid-append; anything else is logged loudly.
          log.warn({ segment: path, at: off, size: buf.length, why: f.kind }, 'queue: truncating damaged segment tail');
          const fd = openSync(path, 'r+');
          try {
            ftruncateSync(fd, off);
          } finally {
            closeSync(fd);
          }
          if (f.kind === 'corrupt') lost += 1;
        }
        break;
      }
      off = f.next;
      count += 1;
    }
    segments.push({ base, count, bytes: off, path });
  }
  return { segments, lost };
}

/** Sequential reader over the segments: keeps its file position so replay is O(records read). */
export class SegmentReader {
  private fd: number | undefined;
  private seg: Segment | undefined;
  private pos = 0;
  private index = -1;
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.seg = undefined;
    this.index = -1;
  }

  /** Reads up to `max` payloads starting at record `from`, within the one segment holding it. */
  read(segments: Segment[], from: number, max: number): Buffer[] {
    const seg = segments.find((s) => from >= s.base && from < s.base + s.count);
    if (!seg) return [];
    if (seg !== this.seg || this.index !== from) this.seek(seg, from);
    const out: Buffer[] = [];
    const end = seg.base + seg.count;
    while (out.length < max && this.index < end) {
      const f = this.next();
      if (!f) break;
      out.push(Buffer.from(f));
    }
    return out;
  }

  private seek(seg: Segment, target: number): void {
    this.close();
    this.seg = seg;
    this.fd = openSync(seg.path, 'r');
    this.pos = 0;
    this.index = seg.base;
    this.buf = Buffer.alloc(0);
    this.bufStart = 0;
    while (this.index < target) {
      if (!this.next()) throw new Error(`queue: record ${target} missing from ${seg.path}`);
    }
  }

  /** The payload at the current position (advancing past it), refilling the window as needed. */
  private next(): Buffer | undefined {
    let f = readFrame(this.buf, this.pos - this.bufStart);
    if (f.kind === 'incomplete') {
      this.fill();
      f = readFrame(this.buf, 0);
    }
    if (f.kind === 'incomplete') return undefined;
    if (f.kind === 'corrupt') throw new Error(`queue: corrupt record ${this.index} in ${this.seg?.path}: ${f.reason}`);
    this.pos = this.bufStart + f.next;
    this.index += 1;
    return f.payload;
  }

  /** Reads a window from the current position; the active segment may have grown since. */
  private fill(): void {
    if (this.fd === undefined) return;
    const next = Buffer.allocUnsafe(256 * 1024);
    const n = readSync(this.fd, next, 0, next.length, this.pos);
    let fresh = next.subarray(0, n);
    const f = readFrame(fresh, 0);
    if (f.kind === 'incomplete' && n === next.length) {
      // A record larger than the window: read exactly its frame.
      const big = Buffer.allocUnsafe(8 + fresh.readUInt32LE(0));
      fresh = big.subarray(0, readSync(this.fd, big, 0, big.length, this.pos));
    }
    this.buf = fresh;
    this.bufStart = this.pos;
  }
}
