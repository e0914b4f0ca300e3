/**
 * NAB's "windowed Gaussian" baseline (scoreboard 39.6), as a sanity check of our scorer: the
 * mean and std of the previous 1000 values (NAB's windowSize, stepSize 1) give each new value a
 * score of 1 - 2 Q(|z|), its two-sided Gaussian improbability. (NAB's detector reports the tail
 * probability itself, via nupic's normalProbability; we report its complement so that a higher
 * score means more anomalous, as the scorer's threshold assumes.)
 */
import { normalTail, RollingWindow } from '../../control-api/src/ml/stats.js';

export function windowedGaussian(values: readonly number[], windowSize = 1000): number[] {
  const w = new RollingWindow(windowSize);
  return values.map((x) => {
    let score = 0;
    if (w.size > 0) {
      const std = Math.sqrt(w.variance()) || 1e-6;
      score = 1 - 2 * normalTail(Math.abs(x - w.mean()) / std);
    }
    w.push(x);
    return score;
  });
}
