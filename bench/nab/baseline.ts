/**
 * NAB's "windowed Gaussian" baseline (scoreboard 39.6), as a sanity check of our scorer: the
 * distribution (mean, std) of the last 6400 values is refreshed every 100 readings and a value's
 * score is 1 - 2 Q(|z|), its two-sided Gaussian improbability.
 */
import { normalTail } from '../../control-api/src/ml/stats.js';

export function windowedGaussian(values: readonly number[], windowSize = 6400, stepSize = 100): number[] {
  const out: number[] = [];
  let mean = 0;
  let std = 0;
  for (let i = 0; i < values.length; i++) {
    if (i > 0 && (i % stepSize === 0 || i < stepSize)) {
      const from = Math.max(0, i - windowSize);
      let s = 0;
      let q = 0;
      for (let j = from; j < i; j++) {
        s += values[j];
        q += values[j] * values[j];
      }
      const n = i - from;
      mean = s / n;
      std = Math.sqrt(Math.max(0, q / n - mean * mean));
    }
    out.push(std > 0 ? 1 - 2 * normalTail(Math.abs(values[i] - mean) / std) : 0);
  }
  return out;
}
