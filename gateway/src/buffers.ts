/**
 * What a relay remembers of the stream, bounded: the last GOP (so a new viewer starts on a keyframe
 * at once) and a ring of recent segments (alarm-clip pre-roll).
 */
import type { Segment } from './ts/segmenter.js';

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

export class SegmentRing {
  private items: TimedSegment[] = [];
  private bytes = 0;

  constructor(
    private readonly maxMs: number,
    private readonly maxBytes: number,
  ) {}

  push(at: number, seg: Segment): void {
    this.items.push({ at, seg });
    this.bytes += seg.data.length;
    while (this.items.length > 1 && (this.bytes > this.maxBytes || at - this.items[0].at > this.maxMs)) {
      const old = this.items.shift();
      if (old) this.bytes -= old.seg.data.length;
    }
  }

  /**
   * Segments from the last keyframe at or before `since` (or the oldest keyframe when the ring does
   * not reach back that far) to now; empty when the ring holds no keyframe.
   */
  since(since: number): TimedSegment[] {
    let start = -1;
    for (let i = 0; i < this.items.length; i++) {
      if (!this.items[i].seg.keyframe) continue;
      if (start < 0 || this.items[i].at <= since) start = i;
      else break;
    }
    return start < 0 ? [] : this.items.slice(start);
  }

  get size(): number {
    return this.bytes;
  }

  clear(): void {
    this.items = [];
    this.bytes = 0;
  }
}
