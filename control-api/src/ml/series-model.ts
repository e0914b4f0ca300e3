/**
 * The per-sensor streaming anomaly model (pure; bounded memory: fixed rings only). Each reading
 * yields raw "surprise" figures from independent views of the series, each calibrated by its own
 * anomaly likelihood (stats.ts), fused as the smallest tail probability (Bonferroni-corrected)
 * and put on Numenta's log scale in [0, 1]:
 *  - value:  |x - mean| / std over a long window (spikes, level shifts);
 *  - jump:   |x_t - x_{t-1}| against the spread of first differences (sudden changes);
 *  - shape:  distance from the current window of values to its nearest neighbour among past
 *            windows (KNN-CAD style; new patterns such as a missing daily peak or a flat line);
 *  - model:  reconstruction error of a small autoencoder (autoencoder.ts), when one is attached,
 *            over `window` means of `modelStride` readings: a longer, coarser context than the
 *            shape view's, learned online (slow patterns such as a missing daily peak).
 * A reading beyond the range seen so far (by 5 % of it) is lifted to at least 0.5, whatever the
 * likelihoods say. A refractory step then reports an episode once: after a high score, scores must beat a
 * decaying memory of it to be reported again (NAB credits only the first detection in a window
 * and charges every extra one as a false positive).
 */
import { AnomalyLikelihood, RollingWindow } from './stats.js';

export interface SeriesModelOptions {
  /** Window of recent values used for shape, model and value views. */
  window: number;
  /** Past windows kept for the nearest-neighbour view. */
  memory: number;
  /** Long window of the value and jump statistics. */
  longWindow: number;
  /** History of each view's raw score used by its likelihood. */
  likelihoodWindow: number;
  /** Raw scores averaged by each likelihood. */
  shortWindow: number;
  /** Readings before the model scores at all (it returns 0 meanwhile). */
  warmup: number;
  /** Readings over which a reported score's memory halves. */
  refractoryHalfLife: number;
  /** The model view sees `window` means of this many readings each (a longer, coarser context). */
  modelStride: number;
  /** A value beyond the range seen so far by this fraction of it scores at least 0.5 (0: off). */
  spatialTolerance: number;
  /** Views fused, as bits: 1 value, 2 jump, 4 shape, 8 model (ablation; default all). */
  views: number;
}

/**
 * Defaults chosen on the shipped NAB categories with a handful of coarse steps (bench/nab/nab.ts,
 * NAB_SERIES): long histories (Numenta uses 8640 for its likelihood) and no short averaging
 * scored best; values are generic counts of readings, nothing is per file or per category. The
 * refractory half-life was chosen for leave-one-category-out stability (each category scored at
 * the threshold optimised on the others), not for the best in-sample total.
 */
export const DEFAULT_SERIES_OPTIONS: SeriesModelOptions = {
  window: 16,
  memory: 600,
  longWindow: 1500,
  likelihoodWindow: 8000,
  shortWindow: 1,
  warmup: 300,
  refractoryHalfLife: 200,
  modelStride: 16,
  spatialTolerance: 0.05,
  views: 15,
};

/** A learned model of windows (the tfjs autoencoder), scored and trained in batches. */
export interface WindowModel {
  /** Reconstruction error of each of `count` windows (row-major, `dim` values each in [0,1]). */
  errors(windows: Float32Array, count: number): Float32Array;
  /** One online training step on these windows. */
  train(windows: Float32Array, count: number): void;
  dispose(): void;
}

/** Surprise (-ln tail) scored 0.5. */
const SURPRISE_HALF = 10;

export class SeriesModel {
  private n = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly recent: RollingWindow;
  private readonly coarse: RollingWindow;
  private partialSum = 0;
  private partialCount = 0;
  private readonly values: RollingWindow;
  private readonly diffs: RollingWindow;
  private readonly past: Float64Array;
  private pastCount = 0;
  private pastHead = 0;
  private readonly views: AnomalyLikelihood[];
  private peak = 0;
  private spatial = false;
  private readonly spatialAt: boolean[] = [];
  private readonly decay: number;

  constructor(
    private readonly o: SeriesModelOptions = DEFAULT_SERIES_OPTIONS,
    private readonly model?: WindowModel,
  ) {
    this.recent = new RollingWindow(o.window);
    this.coarse = new RollingWindow(Math.max(1, o.window - 1));
    this.values = new RollingWindow(o.longWindow);
    this.diffs = new RollingWindow(o.longWindow);
    this.past = new Float64Array(o.memory * o.window);
    const lk = { shortWindow: o.shortWindow, longWindow: o.likelihoodWindow };
    this.views = [0, 1, 2, 3].map(() => new AnomalyLikelihood(lk));
    this.decay = 0.5 ** (1 / o.refractoryHalfLife);
  }

  /** Scores a batch of consecutive readings; the window model sees data before the batch only. */
  scoreBatch(xs: readonly number[]): number[] {
    const d = this.o.window;
    const raws: number[][] = [];
    const wins = new Float32Array(xs.length * d);
    const full: boolean[] = [];
    for (let b = 0; b < xs.length; b++) {
      raws.push(this.observe(xs[b]));
      this.spatialAt[b] = this.spatial;
      full.push(this.coarse.size === d - 1);
      if (full[b]) this.modelWindow(wins, b * d);
      if (this.partialCount === this.o.modelStride) {
        this.coarse.push(this.partialSum / this.partialCount);
        this.partialSum = 0;
        this.partialCount = 0;
      }
    }
    const errs = this.model && this.n >= this.o.window ? this.model.errors(wins, xs.length) : undefined;
    const first = this.n - xs.length;
    const out: number[] = [];
    for (let b = 0; b < xs.length; b++) {
      const r = raws[b];
      if (this.model) r.push(errs && full[b] ? errs[b] : 0);
      out.push(this.fuse(r, first + b + 1, this.spatialAt[b]));
    }
    if (this.model) {
      const ready = full.filter(Boolean).length;
      if (ready > 0) this.model.train(ready === xs.length ? wins : compact(wins, full, d), ready);
    }
    return out;
  }

  /** Updates the statistics with x; returns the raw value, jump and shape surprises. */
  private observe(x: number): number[] {
    const prev = this.recent.size > 0 ? this.recent.at(0) : x;
    this.n++;
    const oldRange = this.max - this.min;
    const tol = this.o.spatialTolerance * oldRange;
    this.spatial = oldRange > 0 && tol > 0 && (x > this.max + tol || x < this.min - tol);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const range = this.max - this.min || 1;
    const eps = 1e-3 * range;
    const vStd = Math.sqrt(this.values.variance()) + eps;
    const value = this.values.size > 10 ? Math.abs(x - this.values.mean()) / vStd : 0;
    const dx = x - prev;
    const dStd = Math.sqrt(this.diffs.variance()) + eps;
    const jump = this.diffs.size > 10 ? Math.abs(dx - this.diffs.mean()) / dStd : 0;
    this.values.push(x);
    this.diffs.push(dx);
    this.recent.push(x);
    this.partialSum += x;
    this.partialCount++;
    const shape = this.shapeDistance(range);
    return [value, jump, shape];
  }

  /** Nearest past window (not overlapping the current one), in units of the series' range. */
  private shapeDistance(range: number): number {
    const d = this.o.window;
    if (this.recent.size < d) return 0;
    const cur = new Float64Array(d);
    for (let i = 0; i < d; i++) cur[i] = this.recent.at(d - 1 - i);
    let best = Number.POSITIVE_INFINITY;
    // Skip the d most recent windows: they share values with the current one.
    const usable = this.pastCount - d;
    const cap = this.o.memory;
    for (let k = 0; k < usable; k++) {
      const off = ((this.pastHead - 1 - d - k + cap * 2) % cap) * d;
      let s = 0;
      for (let i = 0; i < d && s < best; i++) {
        const e = this.past[off + i] - cur[i];
        s += e * e;
      }
      if (s < best) best = s;
    }
    this.past.set(cur, this.pastHead * d);
    this.pastHead = (this.pastHead + 1) % cap;
    if (this.pastCount < cap) this.pastCount++;
    return usable > 0 ? Math.sqrt(best / d) / range : 0;
  }

  /** The model's input: the last window-1 stride means and the current partial mean, in [0, 1]. */
  private modelWindow(into: Float32Array, at: number): void {
    const d = this.o.window;
    const range = this.max - this.min || 1;
    for (let i = 0; i < d - 1; i++) into[at + i] = (this.coarse.at(d - 2 - i) - this.min) / range;
    into[at + d - 1] = (this.partialSum / this.partialCount - this.min) / range;
  }

  /** Likelihood per view, smallest tail (times the number of views), log scale, refractory. */
  private fuse(raw: number[], n: number, spatial = false): number {
    let lnTail = 0;
    let used = 0;
    for (let v = 0; v < raw.length; v++) {
      const t = this.views[v].update(raw[v]);
      if (!(this.o.views & (1 << v))) continue;
      used++;
      if (t < lnTail) lnTail = t;
    }
    if (n <= this.o.warmup) return 0;
    // -ln of the Bonferroni-corrected tail, squashed to [0, 1) without saturating (so the
    // threshold sweep can still rank very unlikely readings): tail 1e-5 ~ 0.53, 1e-10 ~ 0.7.
    const surprise = Math.max(0, -(lnTail + Math.log(Math.max(1, used))));
    let s = surprise / (surprise + SURPRISE_HALF);
    // A new extreme beyond the range seen so far is an anomaly whatever the likelihoods say
    // (the "spatial anomaly" rule of Numenta's NAB detector): lift it into the upper half.
    if (spatial) s = Math.max(s, 0.5 + s / 2);
    const out = s > this.peak ? s : s * 0.25 * (1 - this.peak);
    this.peak = Math.max(this.peak * this.decay, s);
    return out;
  }
}

function compact(wins: Float32Array, keep: boolean[], d: number): Float32Array {
  const out = new Float32Array(keep.filter(Boolean).length * d);
  let j = 0;
  for (let b = 0; b < keep.length; b++) {
    if (!keep[b]) continue;
    out.set(wins.subarray(b * d, b * d + d), j * d);
    j++;
  }
  return out;
}
