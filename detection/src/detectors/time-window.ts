/**
 * Rolling time-weighted average over a fixed window, exact for irregular sample spacing.
 *
 * The Korean exposure-limit notice defines TWA as sum(Ci * Ti) / 8 h and STEL as the same over
 * 15 minutes: each reading counts for the time until the next one (sample and hold), and the sum
 * is divided by the whole window, not by the time covered. A reading is held for at most
 * `maxHoldMs` (a silent sensor does not keep exposing the worker forever; time without data
 * counts as zero). O(1) amortized per sample: closed segments sit in a ring buffer with a
 * running area, evicted as the window slides.
 *
 * Memory is bounded by `resolutionMs` (default window / 1000): a segment shorter than that is
 * merged with the contiguous one before it (same area, averaged value), so an 8-hour window holds
 * about 1,000 segments whatever the reporting rate. The only inexactness is where the window edge
 * cuts a merged segment: at most resolution / window (0.1 %) of the largest value.
 */
export class TimeWeightedWindow {
  private start = new Float64Array(64);
  private end = new Float64Array(64);
  private val = new Float64Array(64);
  private head = 0;
  private len = 0;
  private area = 0;
  private lastTs = Number.NaN;
  private lastValue = 0;

  readonly resolutionMs: number;

  constructor(
    readonly windowMs: number,
    readonly maxHoldMs: number,
    resolutionMs?: number,
  ) {
    this.resolutionMs = resolutionMs ?? windowMs / 1000;
  }

  /** Adds a sample; samples not newer than the last one are ignored (duplicates, reordering). */
  add(ts: number, value: number): void {
    const v = Math.max(value, 0); // a negative zero-drift reading is no negative exposure
    if (!Number.isNaN(this.lastTs)) {
      if (ts <= this.lastTs) return;
      const e = Math.min(ts, this.lastTs + this.maxHoldMs);
      if (this.lastValue > 0) this.push(this.lastTs, e, this.lastValue);
    }
    this.lastTs = ts;
    this.lastValue = v;
  }

  /**
   * Adds a closed segment [start, end) at `value` (history rebuilt from stored aggregates after a
   * restart); segments must come in time order and before any `add()`.
   */
  addSegment(start: number, end: number, value: number): void {
    if (!Number.isNaN(this.lastTs)) return;
    const v = Math.max(value, 0);
    if (v > 0) this.push(start, end, v);
  }

  /** Average over (t - windowMs, t]; t earlier than the last sample is taken as the last sample. */
  average(at: number): number {
    const t = Number.isNaN(this.lastTs) || at >= this.lastTs ? at : this.lastTs;
    const ws = t - this.windowMs;
    const cap = this.start.length;
    while (this.len > 0 && this.end[this.head] <= ws) {
      this.area -= this.val[this.head] * (this.end[this.head] - this.start[this.head]);
      this.head = (this.head + 1) % cap;
      this.len--;
    }
    if (this.len === 0) this.area = 0; // drop accumulated rounding once the window empties
    let a = this.area;
    if (this.len > 0 && this.start[this.head] < ws) a -= this.val[this.head] * (ws - this.start[this.head]);
    if (!Number.isNaN(this.lastTs)) {
      const s = Math.max(this.lastTs, ws);
      const e = Math.min(t, this.lastTs + this.maxHoldMs);
      if (e > s) a += this.lastValue * (e - s);
    }
    return a > 0 ? a / this.windowMs : 0;
  }

  /** Segments held (memory figure for tests and the README). */
  get segments(): number {
    return this.len;
  }

  private push(s: number, e: number, v: number): void {
    if (e <= s) return;
    const cap = this.start.length;
    if (this.len > 0) {
      const tail = (this.head + this.len - 1) % cap;
      if (this.end[tail] === s && this.end[tail] - this.start[tail] < this.resolutionMs) {
        const a = this.val[tail] * (this.end[tail] - this.start[tail]) + v * (e - s);
        this.val[tail] = a / (e - this.start[tail]);
        this.end[tail] = e;
        this.area += v * (e - s);
        return;
      }
    }
    if (this.len === cap) this.grow();
    const i = (this.head + this.len) % this.start.length;
    this.start[i] = s;
    this.end[i] = e;
    this.val[i] = v;
    this.len++;
    this.area += v * (e - s);
  }

  private grow(): void {
    const cap = this.start.length;
    const n = cap * 2;
    const s = new Float64Array(n);
    const e = new Float64Array(n);
    const v = new Float64Array(n);
    for (let k = 0; k < this.len; k++) {
      const j = (this.head + k) % cap;
      s[k] = this.start[j];
      e[k] = this.end[j];
      v[k] = this.val[j];
    }
    this.start = s;
    this.end = e;
    this.val = v;
    this.head = 0;
  }
}
