/**
 * NAB's "windowed Gaussian" baseline (scoreboard 39.6), as a sanity check of our scorer: the
 * mean and std of the previous 1000 values (NAB's windowSize, stepSize 1) give each new value a
 * score of 1 - 2 Q(|z|), its two-sided Gaussian improbability. (NAB's detector reports the tail
 * probability itself, via nupic's normalProbability; we report its complement so that a higher
 * score means more anomalous, as the scorer's threshold assumes.)
 */

/** Upper tail of the standard normal, Q(z) = P(Z > z) (Abramowitz-Stegun 7.1.26 for erfc). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export function windowedGaussian(values: ArrayLike<number>, windowSize = 1000): Float64Array {
  const ring = new Float64Array(windowSize);
  const out = new Float64Array(values.length);
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (n > 0) {
      const mean = sum / n;
      const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean)) || 1e-6;
      out[i] = 1 - 2 * normalTail(Math.abs(x - mean) / std);
    }
    const slot = i % windowSize;
    if (n === windowSize) {
      sum -= ring[slot];
      sumSq -= ring[slot] * ring[slot];
    } else n++;
    ring[slot] = x;
    sum += x;
    sumSq += x * x;
  }
  return out;
}
