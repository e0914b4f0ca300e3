/**
 * ContextNoveltyModel: the per-sensor streaming anomaly model (pure: no I/O, no clock, fixed
 * memory). Written for this project from the ideas of the NAB scoreboard's contextual detectors
 * (Smirnov's CAD OSE: a reading is anomalous when the sequence of coarse facts leading to it
 * has never been followed by it; Lavin & Ahmad, "Evaluating Real-time Anomaly Detection
 * Algorithms - the Numenta Anomaly Benchmark", ICMLA 2015) and of HTM's calibration (Ahmad et
 * al., Neurocomputing 2017: judge a raw score against how often this stream produces such
 * scores).
 *
 * 1. Each value becomes one of `levels` symbols on a coarse grid over `range` (NAB hands every
 *    detector its file's min and max; the center uses the sensor's operating range, or learns
 *    one), plus a symbol below and one above the grid. Coarseness is the point: noise stays
 *    inside a level, a change that matters crosses levels.
 * 2. For every order k = 0..`order`, the last k symbols are a context. The raw score is the
 *    fraction of known contexts (seen before) that have never been followed by this symbol:
 *    1 for a level never seen at all, 0.8 for a never-seen step from the previous level, less
 *    when only long contexts are new. Contexts and their successors live in a bounded
 *    two-generation table (successor-table.ts): old patterns are eventually forgotten, memory is fixed.
 * 3. Calibration: the raw score is scaled by (1 - the stream's recent raw-score mean over one
 *    learning period), so novelty in a stream that keeps producing it counts for less.
 * 4. Runs (runs.ts): one exact value held past max(`runFraction` of a learning period, twice any
 *    run before) is a stuck transmitter; one level held that long, where its runs are regular, is
 *    a missing cycle or a flat line. Either scores STUCK_SCORE.
 * 5. Magnitudes (magnitudes.ts): a rise to a magnitude never shown, on logarithmic grids that
 *    zoom in above the floor where the linear grid has one cell, scores MAGNITUDE_SCORE.
 * 6. Reporting: nothing during the learning period; after a calibrated score >= `silenceAt` the
 *    next `restFraction` of a learning period is silent (CAD OSE's rest: one report per episode;
 *    NAB credits the first detection in a window and charges every further one outside it).
 */
import { MagnitudeMemory } from './magnitudes.js';
import { RunMemory } from './runs.js';
import { SuccessorTable } from './successor-table.js';

export interface NoveltyOptions {
  /** Span of the value grid; undefined: learned from the learning period (one span of margin each side). */
  range?: { min: number; max: number };
  /** Readings learned before any score (NAB's probationary period; the center's warm-up). */
  learning: number;
  /** Grid levels over the range. */
  levels: number;
  /** Longest context, in readings. */
  order: number;
  /** Slots per generation of the context/transition set (power of two). */
  slots: number;
  /** Silence after a report, as a fraction of `learning`. */
  restFraction: number;
  /** Shortest run that can be "stuck", as a fraction of `learning`. */
  runFraction: number;
  /** An overlong level run counts only if that level's runs are this regular (coefficient of variation). */
  maxRunCv: number;
  /** Companding factors of the logarithmic magnitude grids (magnitudes.ts); [] turns them off. */
  magnitudes: readonly number[];
  /** A new magnitude counts only this many times above the learning period's mean (from the range floor). */
  magnitudeRise: number;
  /** A score at or above this is reported: the model explains it (the calibrated alarm threshold). */
  reportAt: number;
  /** A calibrated score at or above this starts (or extends) the silence. */
  silenceAt: number;
}

/**
 * Defaults. levels 8 / order 4 / restFraction 0.2 follow CAD OSE's published settings (3 bits,
 * 7 facts, rest = probation / 5); the grid, order and slots were checked on the shipped NAB
 * categories with leave-one-category-out (bench/nab): neighbouring values score within a few
 * points, nothing is per file or per category.
 */
export const DEFAULT_NOVELTY: Omit<NoveltyOptions, 'range'> = {
  learning: 750,
  levels: 8,
  order: 4,
  slots: 1024,
  restFraction: 0.2,
  runFraction: 0.3,
  maxRunCv: 0.5,
  magnitudes: [10, 100],
  magnitudeRise: 3,
  reportAt: 0.6,
  silenceAt: 0.7,
};

/** Score of a stuck value or an overlong run: as strong as a never-seen step between levels. */
export const STUCK_SCORE = 0.8;
/** Score of a magnitude never shown (magnitudes.ts): at the alarm threshold, as order-2 novelty. */
export const MAGNITUDE_SCORE = 0.6;

export type NoveltyReason = 'new-level' | 'new-transition' | 'new-sequence' | 'new-magnitude' | 'stuck' | 'long-run';

/** Why the last reading scored what it did, in the sensor's units. */
export interface NoveltyExplanation {
  reason: NoveltyReason;
  /** Values the model expected here: the grid cells that followed this context before. */
  expectedLow: number;
  expectedHigh: number;
  /** Readings in the current run (stuck / long-run). */
  run?: number;
}

const FNV = 0x01000193;

export class ContextNoveltyModel {
  private readonly o: NoveltyOptions;
  private readonly seen: SuccessorTable;
  private readonly symbols: number;
  private readonly hist: Int32Array;
  private readonly ctx: Int32Array;
  private histLen = 0;
  private n = 0;
  private rate = 0;
  private lastReport = Number.NEGATIVE_INFINITY;
  private min = 0;
  private width = 1;
  /** Learned range: the span seen so far while the first half of the learning period lasts. */
  private learning?: { lo: number; hi: number };
  private readonly runMemory: RunMemory;
  private readonly magnitudes: MagnitudeMemory;
  private readonly lastMagnitude: Float64Array;
  /** The learning period's values as range fractions (u): their sum and count. */
  private learnedSum = 0;
  private learnedCount = 0;
  private why?: NoveltyExplanation;

  constructor(o: Partial<NoveltyOptions> = {}) {
    this.o = { ...DEFAULT_NOVELTY, ...o };
    // levels + 2 symbols (below, above) must fit the successor table's 32-bit sets.
    if (!(this.o.learning >= 1) || !(this.o.levels >= 2 && this.o.levels <= 30) || !(this.o.order >= 0)) {
      throw new Error('ml: learning >= 1, 2 <= levels <= 30 and order >= 0 required');
    }
    this.seen = new SuccessorTable(this.o.slots);
    this.symbols = this.o.levels + 2;
    this.hist = new Int32Array(this.o.order + 1);
    this.ctx = new Int32Array(this.o.order + 1);
    this.runMemory = new RunMemory(this.symbols, this.o.learning * this.o.runFraction, this.o.maxRunCv);
    this.magnitudes = new MagnitudeMemory(this.o.magnitudes, this.o.levels);
    this.lastMagnitude = new Float64Array(this.o.magnitudes.length).fill(Number.NEGATIVE_INFINITY);
    if (this.o.range) this.setGrid(this.o.range.min, this.o.range.max);
    else this.learning = { lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY };
  }

  /** Readings seen so far. */
  get count(): number {
    return this.n;
  }

  /** Bytes of typed memory this model holds (its set, history and, while learning a range, the buffer). */
  get bytes(): number {
    return (
      this.seen.bytes +
      this.hist.byteLength +
      this.ctx.byteLength +
      this.runMemory.bytes +
      this.magnitudes.bytes +
      this.lastMagnitude.byteLength
    );
  }

  /** Why the last reading scored >= reportAt (undefined otherwise). */
  get explanation(): NoveltyExplanation | undefined {
    return this.why;
  }

  /** Scores one reading in [0, 1] and learns it (a non-finite value is ignored: 0). */
  step(value: number): number {
    this.why = undefined;
    if (!Number.isFinite(value)) return 0;
    const i = this.n++;
    const span = this.learning;
    if (span) {
      // No range given: the first half of the learning period sets it (one span of margin each
      // side), the second half learns the contexts on it. Nothing is replayed, so a fleet of
      // sensors started together never pays for its history all at once.
      span.lo = Math.min(span.lo, value);
      span.hi = Math.max(span.hi, value);
      if (this.n < this.o.learning / 2) return 0;
      const width = span.hi - span.lo || Math.abs(span.hi) || 1;
      this.setGrid(span.lo - width, span.hi + width);
      this.learning = undefined;
    }
    const score = this.learn(value, i >= this.o.learning);
    return i >= this.o.learning ? score : 0;
  }

  private setGrid(min: number, max: number): void {
    this.min = min;
    this.width = (max - min) / this.o.levels || 1;
  }

  /** Grid symbol: 0..levels-1 on the grid, `levels` below it, `levels + 1` above it. */
  private symbol(value: number): number {
    const cell = Math.floor((value - this.min) / this.width);
    if (cell < 0) return this.o.levels;
    if (cell >= this.o.levels)
      return value <= this.min + this.width * this.o.levels ? this.o.levels - 1 : this.o.levels + 1;
    return cell;
  }

  private learn(value: number, scoring: boolean): number {
    const x = this.symbol(value);
    const order = Math.min(this.o.order, this.histLen);
    let novel = 0;
    let known = 0;
    let lowest = -1;
    let h = 0x2545f491;
    for (let k = 0; k <= order; k++) {
      // FNV-style hash of the last k symbols, extended by one symbol per order; the order is mixed
      // in so a short context never shares a key with a longer one.
      if (k > 0) h = Math.imul(h ^ (this.hist[k - 1] + 1), FNV);
      const c = Math.imul(h ^ k, 0x9e3779b1) | 1;
      this.ctx[k] = c;
      const seen = this.seen.check(c, x);
      if (seen === 0) continue;
      known++;
      if (seen === 1) {
        novel++;
        if (lowest < 0) lowest = k;
      }
    }
    const raw = known > 0 ? novel / known : 0;
    const calibrated = raw * (1 - this.rate);
    this.rate += (raw - this.rate) / Math.min(this.n, this.o.learning);
    const index = this.n - 1;
    let score = index - this.lastReport < this.o.learning * this.o.restFraction ? 0 : calibrated;
    // As in CAD OSE, a report silenced by the rest still extends it: an episode is reported once.
    if (calibrated >= this.o.silenceAt) this.lastReport = index;
    if (scoring && score >= this.o.reportAt) this.why = this.explain(order, x, lowest);
    score = Math.max(score, this.runs(value, x, scoring, order), this.magnitude(value, index, scoring, order, x));
    for (let k = 0; k <= order; k++) this.seen.record(this.ctx[k], x);
    for (let j = Math.min(this.o.order, this.histLen + 1) - 1; j > 0; j--) this.hist[j] = this.hist[j - 1];
    this.hist[0] = x;
    if (this.histLen < this.o.order) this.histLen++;
    return score;
  }

  /** A stuck value or an overlong regular run (runs.ts): STUCK_SCORE, once per run. */
  private runs(value: number, x: number, scoring: boolean, order: number): number {
    const event = this.runMemory.observe(value, x);
    if (!event || !scoring) return 0;
    this.why = { ...this.explain(order, x, -1), reason: event, run: this.runMemory.length(event) };
    return STUCK_SCORE;
  }

  /** A magnitude never shown on a logarithmic grid: MAGNITUDE_SCORE, once per grid per silence. */
  private magnitude(value: number, index: number, scoring: boolean, order: number, x: number): number {
    const u = (value - this.min) / (this.width * this.o.levels);
    const fresh = this.magnitudes.observe(u);
    if (!scoring) {
      this.learnedSum += u;
      this.learnedCount++;
      return 0;
    }
    // Only a rise counts: clean air (or an idle count) reaching a magnitude it never showed, at
    // magnitudeRise times its learned level. Its own tails (a record low, a small excursion of
    // noise) set new cells too, and they are not events (bench/nab/gas.ts).
    if (!fresh || u <= (this.o.magnitudeRise * this.learnedSum) / Math.max(1, this.learnedCount)) return 0;
    const rest = this.o.learning * this.o.restFraction;
    for (let g = 0; g < this.o.magnitudes.length; g++) {
      if (!(fresh & (1 << g)) || index - this.lastMagnitude[g] < rest) continue;
      this.lastMagnitude[g] = index;
      if (!this.why) {
        // The cells seen before this value: all but its own, which it just added.
        const before = this.magnitudes.cells(g) & ~(1 << this.magnitudes.cell(g, u));
        const [lo, hi] = this.magnitudes.nearestSeen(g, u, before);
        const span = this.width * this.o.levels;
        this.why = {
          ...this.explain(order, x, -1),
          reason: 'new-magnitude',
          expectedLow: this.min + lo * span,
          expectedHigh: this.min + hi * span,
        };
      }
      return MAGNITUDE_SCORE;
    }
    return 0;
  }

  /** The cells that followed the longest known context before (probed before this reading is learned). */
  private explain(order: number, x: number, lowest: number): NoveltyExplanation {
    const reason: NoveltyReason = lowest === 0 ? 'new-level' : lowest === 1 ? 'new-transition' : 'new-sequence';
    for (let k = order; k >= 0; k--) {
      const next = this.seen.successors(this.ctx[k]);
      if (next === 0) continue;
      const grid = next & ((1 << this.o.levels) - 1);
      const lo = grid === 0 ? -1 : 31 - Math.clz32(grid & -grid);
      const hi = grid === 0 ? -1 : 31 - Math.clz32(grid);
      const top = this.min + this.width * this.o.levels;
      return {
        reason,
        expectedLow:
          (next >> this.o.levels) & 1 ? Number.NEGATIVE_INFINITY : lo >= 0 ? this.min + lo * this.width : top,
        expectedHigh:
          (next >> (this.o.levels + 1)) & 1
            ? Number.POSITIVE_INFINITY
            : hi >= 0
              ? this.min + (hi + 1) * this.width
              : this.min,
      };
    }
    const cell = x < this.o.levels ? x : x === this.o.levels ? -1 : this.o.levels;
    return { reason, expectedLow: this.min + cell * this.width, expectedHigh: this.min + (cell + 1) * this.width };
  }
}
