/**
 * Bounded-memory streaming statistics for one series: a fixed-size ring with running sums, and
 * Numenta's "anomaly likelihood" (Ahmad et al., "Unsupervised real-time anomaly detection for
 * streaming data", Neurocomputing 2017, section 3.3): the short-term mean of a raw score is
 * compared with the distribution of that mean over a long history, and the Gaussian tail
 * probability says how unusual the recent scores are for THIS series. That calibrates raw
 * scores of very different series onto one scale, so one threshold fits a whole fleet.
 */

/** Fixed-capacity ring of numbers with O(1) windowed mean and variance. */
export class RollingWindow {
  private readonly buf: Float64Array;
  private head = 0;
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private pushes = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  push(x: number): void {
    if (this.n === this.capacity) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.n++;
    }
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    this.sum += x;
    this.sumSq += x * x;
    // Running sums drift with float error over millions of pushes: recompute now and then.
    if (++this.pushes % 10_000 === 0) this.resum();
  }

  get size(): number {
    return this.n;
  }

  mean(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }

  variance(): number {
    if (this.n < 2) return 0;
    const m = this.sum / this.n;
    return Math.max(0, this.sumSq / this.n - m * m);
  }

  /** The i-th most recent value (0 = newest). */
  at(i: number): number {
    return this.buf[(this.head - 1 - i + this.capacity * 2) % this.capacity];
  }

  private resum(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.n; i++) {
      const x = this.at(i);
      s += x;
      q += x * x;
    }
    this.sum = s;
    this.sumSq = q;
  }
}

/** Upper tail probability of the standard normal, Q(z) = P(Z > z) (Abramowitz-Stegun 7.1.26 erfc). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** ln Q(z) without underflow: the Mills-ratio asymptote beyond z = 5 (where Q < 3e-7). */
export function lnNormalTail(z: number): number {
  if (z < 5) return Math.log(normalTail(z));
  return -0.5 * z * z - Math.log(z) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / (z * z));
}

export interface LikelihoodOptions {
  /** Raw scores averaged into the "recent" value. */
  shortWindow: number;
  /** History the distribution of recent values is estimated from. */
  longWindow: number;
  /** Floor on the standard deviation, relative to the mean, so a flat history is not infinitely sure. */
  minStdRatio?: number;
  minStd?: number;
}

/** Anomaly likelihood of a raw score stream: tail probability of its short mean vs its history. */
export class AnomalyLikelihood {
  private readonly recent: RollingWindow;
  private readonly history: RollingWindow;

  constructor(private readonly o: LikelihoodOptions) {
    this.recent = new RollingWindow(o.shortWindow);
    this.history = new RollingWindow(o.longWindow);
  }

  /** Adds a raw score; returns ln P(recent mean this high | history), 0 while history is short. */
  update(raw: number): number {
    this.recent.push(raw);
    const avg = this.recent.mean();
    let lnTail = 0;
    if (this.history.size >= Math.min(100, this.o.longWindow)) {
      const mean = this.history.mean();
      const std = Math.max(
        Math.sqrt(this.history.variance()),
        Math.abs(mean) * (this.o.minStdRatio ?? 0.1),
        this.o.minStd ?? 1e-6,
      );
      lnTail = lnNormalTail((avg - mean) / std);
    }
    this.history.push(avg);
    return lnTail;
  }
}
