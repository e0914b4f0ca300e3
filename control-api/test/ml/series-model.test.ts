/**
 * The streaming model on synthetic series a user would recognise: a level shift and a spike are
 * flagged, a clean daily-like sine with noise is not; runs are reproducible; memory is bounded.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { seededRandom } from '../../src/ml/autoencoder.js';
import { loadTensorflow, type Tensorflow } from '../../src/ml/backend.js';
import { DEFAULT_THRESHOLD } from '../../src/ml/detector.js';
import { StreamingAnomalyScorer, scoreSeries } from '../../src/ml/scorer.js';

/** A sine of period 100 readings around 10 with ±0.5 uniform noise. */
function sineWithNoise(n: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 100) + (r() - 0.5));
}

const max = (a: number[], from: number, to: number) => Math.max(...a.slice(from, to));

let tf: Tensorflow;
before(async () => {
  tf = await loadTensorflow();
});

for (const variant of ['statistics + autoencoder', 'statistics only'] as const) {
  describe(`streaming anomaly model (${variant})`, () => {
    const opts = () => (variant === 'statistics only' ? {} : { tf });

    it('stays below the alarm threshold on clean sine + noise (three seeds, after warm-up)', () => {
      for (const seed of [1, 2, 3]) {
        const s = scoreSeries(sineWithNoise(3000, seed), opts());
        assert.ok(max(s, 0, 3000) < DEFAULT_THRESHOLD, `seed ${seed}: max ${max(s, 0, 3000).toFixed(3)}`);
      }
    });

    it('flags a level shift within a few readings and a spike at once, each once', () => {
      const x = sineWithNoise(3000, 1).map((v, i) => (i >= 2000 ? v + 4 : v));
      x[2500] += 8;
      const s = scoreSeries(x, opts());
      assert.ok(max(s, 2000, 2005) >= DEFAULT_THRESHOLD, `shift: ${max(s, 2000, 2005).toFixed(3)}`);
      assert.ok(s[2500] >= DEFAULT_THRESHOLD, `spike: ${s[2500].toFixed(3)}`);
      // The refractory step reports an episode once: the new level is not re-flagged for 500 readings.
      assert.ok(max(s, 2010, 2500) < DEFAULT_THRESHOLD);
      assert.ok(max(s, 2501, 3000) < DEFAULT_THRESHOLD);
    });

    it('is reproducible: the same series scores the same twice', () => {
      const x = sineWithNoise(1200, 5);
      x[900] = 30;
      assert.deepEqual(scoreSeries(x, opts()), scoreSeries(x, opts()));
    });
  });
}

describe('StreamingAnomalyScorer', () => {
  it('keeps at most maxSensors models (least recently used evicted)', () => {
    const scorer = new StreamingAnomalyScorer({ tf, maxSensors: 3 });
    for (let s = 0; s < 10; s++) scorer.scoreBatch(`s${s}`, [1, 2, 3]);
    assert.equal(scorer.sensors, 3);
    scorer.dispose();
    assert.equal(scorer.sensors, 0);
  });

  it('scores stay in [0, 1] on wild input (huge, negative, constant)', () => {
    const x = [...Array(400).fill(5), 1e12, -1e12, ...Array(200).fill(0)];
    for (const v of scoreSeries(x, { tf })) assert.ok(v >= 0 && v <= 1 && Number.isFinite(v), String(v));
  });
});
