/**
 * The bounded outage buffer of the time-series stores: a FIFO of chunks, each carrying a number
 * of points (a serialized telemetry batch), capped in points. On overflow the oldest chunks go
 * first and are counted, so a long outage costs history from its start, never the newest
 * readings. Chunks rather than point objects keep millions of buffered points to a few thousand
 * heap objects, so garbage collection stays cheap during an outage.
 */
export interface Chunk {
  /** Points in this chunk. */
  count: number;
}

export class BoundedFifo<T extends Chunk> {
  /** Slots before `head` are emptied as they are taken, so taken chunks can be collected at once. */
  private items: (T | undefined)[] = [];
  private head = 0;
  private points = 0;
  private droppedPoints = 0;

  constructor(private readonly maxPoints: number) {}

  /** Points queued (not counting chunks taken and not yet given back). */
  get size(): number {
    return this.points;
  }

  get dropped(): number {
    return this.droppedPoints;
  }

  /**
   * Appends a chunk; returns how many old points were dropped to stay within the bound.
   * `reserved`: points held elsewhere (in flight) that count against the bound.
   */
  push(chunk: T, reserved = 0): number {
    if (chunk.count === 0) return 0;
    this.items.push(chunk);
    this.points += chunk.count;
    return this.trim(reserved);
  }

  /** Puts chunks taken but not written back at the front, in their order. */
  unshift(chunks: T[], reserved = 0): number {
    if (chunks.length === 0) return 0;
    this.items = [...chunks, ...this.items.slice(this.head)];
    this.head = 0;
    for (const c of chunks) this.points += c.count;
    return this.trim(reserved);
  }

  /** Removes whole chunks from the front until at least one and up to about maxPoints points. */
  take(maxPoints: number): T[] {
    const out: T[] = [];
    let n = 0;
    while (this.head < this.items.length) {
      const c = this.items[this.head] as T;
      if (out.length > 0 && n + c.count > maxPoints) break;
      out.push(c);
      n += c.count;
      this.items[this.head++] = undefined;
    }
    this.points -= n;
    this.compact();
    return out;
  }

  private trim(reserved: number): number {
    let dropped = 0;
    // Never drop the newest chunk: it is what was just accepted.
    while (this.points + reserved > this.maxPoints && this.items.length - this.head > 1) {
      const c = this.items[this.head] as T;
      this.items[this.head++] = undefined;
      this.points -= c.count;
      dropped += c.count;
    }
    this.droppedPoints += dropped;
    this.compact();
    return dropped;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
