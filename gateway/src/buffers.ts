/**
 * What a relay remembers of the stream, bounded: the last GOP (so a new viewer starts on a keyframe
 * at once) and a ring of recent segments (alarm-clip pre-roll).
 */
import type { Segment } from '@gwanje/media';

export class GopCache {
  private segments: Segment[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(seg: Segment): void {
    if (seg.keyframe) {
      this.segments = [seg];
      this.bytes = seg.data.length;
      return;
    }
    if (this.segments.length === 0) return;
    this.bytes += seg.data.length;
    // A GOP longer than the bound is not worth caching: the next keyframe starts a fresh one.
    if (this.bytes > this.maxBytes) this.clear();
    else this.segments.push(seg);
  }

  /** The cached GOP, starting with its keyframe, or empty. */
  get(): Segment[] {
    return this.segments;
  }

  get size(): number {
    return this.bytes;
  }

  clear(): void {
    this.segments = [];
    this.bytes = 0;
  }
}

export interface TimedSegment {
  at: number;
  seg: Segment;
}

/**
 * One byte budget over the clip rings of every camera (security review F21: each ring is bounded,
 * but an agent pushing streams for many cameras multiplied the bound). When the rings together
 * hold more than `maxBytes`, the largest ring gives up its oldest segments first, so every
 * camera keeps a fair share of pre-roll instead of the last one to push losing everything.
 */
export class RingBudget {
  private used = 0;
  private readonly holding = new Set<SegmentRing>();

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  /** A ring's size changed by `delta` (it holds `size` bytes now). */
  changed(ring: SegmentRing, delta: number, size: number): void {
    this.used += delta;
    if (size > 0) this.holding.add(ring);
    else this.holding.delete(ring);
  }

  /** Sheds from the largest rings until the total is within the budget. */
  enforce(): void {
    while (this.used > this.maxBytes) {
      let largest: SegmentRing | undefined;
      for (const r of this.holding) if (r.canShed && (!largest || r.size > largest.size)) largest = r;
      if (!largest) return;
      largest.shed();
    }
  }
}

/** Ring storage block: ~0.5 s of a 4 Mbit/s stream; a larger segment gets a block of its own size. */
const BLOCK_BYTES = 256 * 1024;

/**
 * The clip pre-roll: the last `maxMs` (at most `maxBytes`) of segments, with their arrival time.
 *
 * Segment bytes are copied into a few reused blocks and indexed in typed arrays, so the ring keeps
 * no JavaScript object per segment. Holding ~20 s of Segment/Buffer objects per camera made every
 * segment survive into V8's old space and die there, which ran a full mark-compact every ~1.5 s
 * at 8 streams (a fifth of the relay's CPU in bench/video); copying 0.5 MB/s per camera costs less.
 */
export class SegmentRing {
  /** Blocks in use, oldest first; `firstBlock` is the sequence number of blocks[0]. */
  private blocks: Buffer[] = [];
  private firstBlock = 0;
  private spare: Buffer[] = [];
  /** Write position in the newest block. */
  private fill = 0;
  // Index entries, a circular buffer of `cap` slots from `head`, `count` long.
  private cap = 0;
  private head = 0;
  private count = 0;
  private at = new Float64Array(0);
  private block = new Float64Array(0);
  private offset = new Uint32Array(0);
  private length = new Uint32Array(0);
  private keyframe = new Uint8Array(0);
  private bytes = 0;

  constructor(
    private readonly maxMs: number,
    private readonly maxBytes: number,
    private readonly budget?: RingBudget,
  ) {}

  push(at: number, seg: Segment): void {
    const len = seg.data.length;
    if (len === 0) return;
    const [blockSeq, off] = this.place(len);
    seg.data.copy(this.blocks[blockSeq - this.firstBlock], off);
    if (this.count === this.cap) this.grow();
    const i = (this.head + this.count) % this.cap;
    this.at[i] = at;
    this.block[i] = blockSeq;
    this.offset[i] = off;
    this.length[i] = len;
    this.keyframe[i] = seg.keyframe ? 1 : 0;
    this.count++;
    this.bytes += len;
    this.budget?.changed(this, len, this.bytes);
    while (this.count > 1 && (this.bytes > this.maxBytes || at - this.at[this.head] > this.maxMs)) this.dropOldest();
    this.budget?.enforce();
  }

  /** The shared budget may take this ring's oldest segment (the newest always stays). */
  get canShed(): boolean {
    return this.count > 1;
  }

  shed(): void {
    if (this.count > 1) this.dropOldest();
  }

  /**
   * Segments from the last keyframe at or before `since` (or the oldest keyframe when the ring does
   * not reach back that far) to now; empty when the ring holds no keyframe. The data are copies:
   * the ring reuses its blocks, and a caller may queue these on a slow pipe.
   */
  since(since: number): TimedSegment[] {
    let start = -1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.cap;
      if (!this.keyframe[i]) continue;
      if (start < 0 || this.at[i] <= since) start = k;
      else break;
    }
    const out: TimedSegment[] = [];
    if (start < 0) return out;
    for (let k = start; k < this.count; k++) {
      const i = (this.head + k) % this.cap;
      const b = this.blocks[this.block[i] - this.firstBlock];
      const data = Buffer.from(b.subarray(this.offset[i], this.offset[i] + this.length[i]));
      out.push({ at: this.at[i], seg: { data, keyframe: this.keyframe[i] === 1, frames: [] } });
    }
    return out;
  }

  get size(): number {
    return this.bytes;
  }

  /** Time from the oldest keyframe the ring holds to `now` (0 without one): the pre-roll a clip can get. */
  reachMs(now: number): number {
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.cap;
      if (this.keyframe[i]) return Math.max(0, now - this.at[i]);
    }
    return 0;
  }

  clear(): void {
    this.budget?.changed(this, -this.bytes, 0);
    this.blocks = [];
    this.spare = [];
    this.firstBlock = 0;
    this.fill = 0;
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
  }

  /** Where `len` bytes go: the newest block if they fit, else a fresh (or recycled) one. */
  private place(len: number): [number, number] {
    const last = this.blocks.at(-1);
    if (last && last.length - this.fill >= len) {
      const off = this.fill;
      this.fill += len;
      return [this.firstBlock + this.blocks.length - 1, off];
    }
    const reuse = len <= BLOCK_BYTES ? this.spare.pop() : undefined;
    this.blocks.push(reuse ?? Buffer.allocUnsafe(Math.max(BLOCK_BYTES, len)));
    this.fill = len;
    return [this.firstBlock + this.blocks.length - 1, 0];
  }

  private dropOldest(): void {
    const i = this.head;
    this.bytes -= this.length[i];
    this.budget?.changed(this, -this.length[i], this.bytes);
    this.head = (this.head + 1) % this.cap;
    this.count--;
    // Blocks before the new oldest entry's block hold nothing any more: keep one spare of the
    // standard size for reuse, let the rest go.
    const oldestBlock = this.block[this.head];
    while (this.firstBlock < oldestBlock) {
      const b = this.blocks.shift() as Buffer;
      this.firstBlock++;
      if (b.length === BLOCK_BYTES && this.spare.length === 0) this.spare.push(b);
    }
  }

  private grow(): void {
    const cap = Math.max(64, this.cap * 2);
    const copy = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, fresh: T): T => {
      for (let k = 0; k < this.count; k++) fresh[k] = old[(this.head + k) % this.cap];
      return fresh;
    };
    this.at = copy(this.at, new Float64Array(cap));
    this.block = copy(this.block, new Float64Array(cap));
    this.offset = copy(this.offset, new Uint32Array(cap));
    this.length = copy(this.length, new Uint32Array(cap));
    this.keyframe = copy(this.keyframe, new Uint8Array(cap));
    this.head = 0;
    this.cap = cap;
  }
}
