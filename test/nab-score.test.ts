/** NAB v1.1 scorer on hand-made files whose answers follow from the paper's formulas. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  leaveOneCategoryOut,
  optimizeThreshold,
  PROFILES,
  probationLength,
  type ScoredFile,
  scaledSigmoid,
  scoreCorpus,
  scoreFile,
} from '../bench/nab/score.js';
import { mulberry32 } from '../edge-agent/src/sim/physics.js';

const STD = PROFILES.standard;
const T0 = Date.UTC(2014, 3, 1);
const MIN = 60_000;

/** 100 rows one minute apart (probation: 15 rows), one window over rows 40..49, detections at `at`. */
function file(at: number[], windows: Array<[number, number]> = [[40, 49]], rows = 100): ScoredFile {
  const timestamps = Array.from({ length: rows }, (_, i) => T0 + i * MIN);
  const scores = timestamps.map((_, i) => (at.includes(i) ? 1 : 0));
  return { name: 'f.csv', timestamps, scores, windows: windows.map(([a, b]) => [T0 + a * MIN, T0 + b * MIN]) };
}

/** sigma(y) = 2/(1+e^(5y)) - 1 and the TP normaliser sigma(-1), written out independently. */
const sigma = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;

describe('NAB scorer', () => {
  it('the scaled sigmoid: +0.987 at the window start, 0 at its end, -1 far after', () => {
    assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
    assert.equal(scaledSigmoid(0), 0);
    assert.equal(scaledSigmoid(3.5), -1);
    assert.equal(probationLength(100), 15);
    assert.equal(probationLength(10_000), 750);
  });

  it('a detection at the first row of the window earns the full tpWeight', () => {
    const s = scoreFile(file([40]), 0.5, STD);
    assert.deepEqual([s.tp, s.fp, s.fn], [1, 0, 0]);
    assert.ok(Math.abs(s.score - 1.0) < 1e-12);
  });

  it('a detection at the last row of the window earns sigma(-1/10)/sigma(-1) ~ 0.248', () => {
    const s = scoreFile(file([49]), 0.5, STD);
    assert.ok(Math.abs(s.score - sigma(-0.1) / sigma(-1)) < 1e-12);
    assert.ok(Math.abs(s.score - 0.2482) < 1e-3);
  });

  it('only the first detection in a window counts; later ones are neither TP nor FP', () => {
    const s = scoreFile(file([44, 45, 47]), 0.5, STD);
    assert.deepEqual([s.tp, s.fp], [1, 0]);
    assert.ok(Math.abs(s.score - sigma(-6 / 10) / sigma(-1)) < 1e-12);
  });

  it('false positives: -fpWeight before any window or far after one, less right after it', () => {
    // Row 90 is |49-90|/(10-1) = 4.6 widths after the window: full cost, plus the missed window.
    assert.ok(Math.abs(scoreFile(file([90]), 0.5, STD).score - (-0.11 - 1)) < 1e-12);
    assert.ok(Math.abs(scoreFile(file([20]), 0.5, STD).score - (-0.11 - 1)) < 1e-12);
    const near = scoreFile(file([40, 50]), 0.5, STD);
    assert.deepEqual([near.tp, near.fp], [1, 1]);
    assert.ok(Math.abs(near.score - (1 + 0.11 * sigma(1 / 9))) < 1e-12);
    assert.ok(near.score > 1 - 0.11, 'a detection just after the window costs less than a far one');
  });

  it('an undetected window costs fnWeight (2 in reward_low_FN_rate); probation detections are ignored', () => {
    assert.equal(scoreFile(file([]), 0.5, STD).score, -1);
    assert.equal(scoreFile(file([]), 0.5, PROFILES.reward_low_FN_rate).score, -2);
    const s = scoreFile(file([5]), 0.5, STD);
    assert.deepEqual([s.fp, s.score], [0, -1]);
  });

  it('a window wholly inside probation is not scored; one straddling it counts from its first scorable row', () => {
    // NAB v1.1 sweeper: rows before row 15 are 'probationary' and their window never enters the score parts.
    const inside = scoreFile(file([5], [[2, 10]]), 0.5, STD);
    assert.deepEqual([inside.score, inside.tp, inside.fn, inside.windows], [0, 0, 0, 0]);
    const straddling = scoreCorpus([file([], [[10, 29]])], STD, 0.5);
    assert.equal(straddling.nullRaw, -1);
    // NAB v1.1 runner.normalize(): perfect = tpWeight x every labelled window, whatever probation does.
    assert.equal(straddling.perfectRaw, 1);
    // The best a detector can do here is row 15, position -(29-15+1)/20: normalised just under 100.
    const best = sigma(-15 / 20) / sigma(-1);
    assert.ok(Math.abs(scoreCorpus([file([15], [[10, 29]])], STD).normalized - (100 * (best + 1)) / 2) < 1e-9);
  });

  it('a file with no labelled window: silence scores 0, each detection -fpWeight; no normalised score', () => {
    assert.equal(scoreFile(file([], []), 0.5, STD).score, 0);
    assert.ok(Math.abs(scoreFile(file([30, 60], []), 0.5, STD).score + 0.22) < 1e-12);
    assert.ok(Number.isNaN(scoreCorpus([file([30], [])], STD, 0.5).normalized));
  });

  it('normalisation: a perfect detector scores 100, the null detector 0, one FP-free early hit per window', () => {
    const twoWindows: Array<[number, number]> = [
      [30, 39],
      [70, 79],
    ];
    assert.equal(scoreCorpus([file([30, 70], twoWindows)], STD).normalized, 100);
    assert.equal(scoreCorpus([file([], twoWindows)], STD, 0.5).normalized, 0);
    const half = scoreCorpus([file([30], twoWindows)], STD, 0.5);
    assert.equal(half.normalized, 50);
  });

  it('the threshold sweep finds the best single threshold over the corpus (checked by brute force)', () => {
    const rnd = mulberry32(42);
    const files: ScoredFile[] = [0, 1, 2].map((k) => {
      const f = file([], k === 2 ? [] : [[30 + k * 10, 45 + k * 10]], 120);
      return { ...f, name: `f${k}.csv`, scores: f.scores.map(() => Math.round(rnd() * 50) / 50) };
    });
    const best = optimizeThreshold(files, STD);
    const sum = (th: number) => files.reduce((s, f) => s + scoreFile(f, th, STD).score, 0);
    assert.ok(Math.abs(sum(best.threshold) - best.raw) < 1e-9);
    for (let th = 0; th <= 1.02; th += 0.02) assert.ok(sum(th) <= best.raw + 1e-9, `threshold ${th} beats the sweep`);
  });

  it('leave-one-category-out: each category is scored at the threshold optimised on the others', () => {
    // Category "a" wants a low threshold (its only window scores 0.4), "b" a high one (0.5 is an FP there).
    const a: ScoredFile = { ...file([]), name: 'a/1.csv', scores: file([]).scores.map((_, i) => (i === 40 ? 0.4 : 0)) };
    const b: ScoredFile = {
      ...file([]),
      name: 'b/1.csv',
      scores: file([]).scores.map((_, i) => (i === 40 ? 0.9 : i === 80 ? 0.5 : 0)),
    };
    const held = leaveOneCategoryOut([a, b], STD);
    assert.deepEqual(
      held.map((h) => [h.category, h.threshold]),
      [
        ['a', 0.9],
        ['b', 0.4],
      ],
    );
    // a at 0.9 misses its window (0); b at 0.4 catches its window and pays one far FP.
    assert.equal(held[0].normalized, 0);
    assert.ok(Math.abs(held[1].normalized - (100 * (1 - 0.11 + 1)) / 2) < 1e-9);
  });
});
