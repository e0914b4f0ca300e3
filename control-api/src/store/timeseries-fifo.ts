/**
 * The bounded outage buffer of the time-series stores: FIFO of points in chunks (so pushing a
 * telemetry batch is O(1)), capped in size; on overflow the oldest points go first and are
 * counted, so a long outage costs history from its start, never the newest readings.
 */
export class BoundedFifo<T> {
  private chunks: T[][] = [];
  /** Index of the first live item in chunks[0]. */
  private head = 0;
  private count = 0;
  private droppedCount = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Appends items; returns how many old items were dropped to stay within the bound. */
  push(items: T[], reserved = 0): number {
    if (items.length === 0) return 0;
    this.chunks.push(items);
    this.count += items.length;
    return this.trim(reserved);
  }

  /** Puts items taken but not written back at the front (a failed write keeps its place). */
  unshift(items: T[], reserved = 0): number {
    if (items.length === 0) return 0;
    if (this.head > 0) {
      this.chunks[0] = this.chunks[0].slice(this.head);
      this.head = 0;
    }
    this.chunks.unshift(items);
    this.count += items.length;
    return this.trim(reserved);
  }

  /** Removes and returns up to n items from the front, in order. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.chunks.length > 0) {
      const c = this.chunks[0];
      const want = n - out.length;
      const avail = c.length - this.head;
      if (avail <= want) {
        for (let i = this.head; i < c.length; i++) out.push(c[i]);
        this.chunks.shift();
        this.head = 0;
      } else {
        for (let i = this.head; i < this.head + want; i++) out.push(c[i]);
        this.head += want;
      }
    }
    this.count -= out.length;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.count = 0;
  }

  /** `reserved`: items held elsewhere (in flight) that count against the bound. */
  private trim(reserved: number): number {
    let excess = this.count + reserved - this.max;
    let dropped = 0;
    while (excess > 0 && this.chunks.length > 0) {
      const c = this.chunks[0];
      const avail = c.length - this.head;
      if (avail <= excess) {
        this.chunks.shift();
        this.head = 0;
        excess -= avail;
        dropped += avail;
      } else {
        this.head += excess;
        dropped += excess;
        excess = 0;
      }
    }
    this.count -= dropped;
    this.droppedCount += dropped;
    return dropped;
  }
}
