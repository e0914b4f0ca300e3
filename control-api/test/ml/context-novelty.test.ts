/**
 * The streaming model on series a user would recognise: a clean periodic signal with noise is
 * never flagged; a new level, a spike, a stuck transmitter and an overlong plateau are, once per
 * episode, with the band the model expected; memory is fixed; runs are reproducible.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../edge-agent/src/sim/physics.js';
import {
  ContextNoveltyModel,
  DEFAULT_NOVELTY,
  type NoveltyOptions,
  STUCK_SCORE,
} from '../../src/ml/context-novelty.js';
import { scoreSeries } from '../../src/ml/scorer.js';
import { SuccessorTable } from '../../src/ml/successor-table.js';
import { cleanAir } from './simulated-gas.js';

const TH = 0.6;
/** A sine of period 100 readings around 10 with ±0.5 uniform noise, on a 0..20 range. */
function sineWithNoise(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 100) + (r() - 0.5));
}
const opts = { range: { min: 0, max: 20 }, learning: 500 };
const flagged = (s: ArrayLike<number>, from = 0, to = s.length): number[] =>
  Array.from(s)
    .map((v, i) => (v >= TH && i >= from && i < to ? i : -1))
    .filter((i) => i >= 0);

describe('ContextNoveltyModel', () => {
  it('stays below the threshold on a clean sine with noise (three seeds) and says nothing while learning', () => {
    for (const seed of [1, 2, 3]) {
      const s = scoreSeries(sineWithNoise(5000, seed), opts);
      assert.deepEqual(flagged(s), [], `seed ${seed}`);
      assert.ok(Array.from(s.subarray(0, 500)).every((v) => v === 0));
    }
  });

  it('flags a jump to a level never seen, once, and explains it with the band it expected', () => {
    const x = sineWithNoise(4000, 1);
    for (let i = 3000; i < 3050; i++) x[i] = 19; // a plateau far above the sine (7..13)
    const m = new ContextNoveltyModel(opts);
    const hits: number[] = [];
    for (let i = 0; i < x.length; i++) {
      const s = m.step(x[i]);
      if (s < TH) continue;
      hits.push(i);
      if (i === 3000) {
        const why = m.explanation;
        assert.equal(why?.reason, 'new-level');
        // The grid cells (2.5 wide) that followed this context: the sine's neighbourhood, not 19.
        assert.ok(why && why.expectedLow >= 5 && why.expectedHigh <= 15 && why.expectedHigh < 19, JSON.stringify(why));
      }
    }
    assert.deepEqual(hits, [3000]);
  });

  it('a rise to a magnitude never shown, inside the lowest grid cell, is flagged on the log grids; a small one is not', () => {
    // A count idling at 10 +- 3 on a 0..1000 range: all of it in the linear grid's first cell (0..125).
    const r = mulberry32(21);
    const counts = Array.from({ length: 4000 }, () => 10 + (r() - 0.5) * 6);
    counts[3000] = 60; // six times its level: a magnitude it never showed
    counts[3500] = 24; // 2.4 times: under magnitudeRise (3), an excursion, not an event
    const m = new ContextNoveltyModel({ range: { min: 0, max: 1000 }, learning: 500 });
    const hits: Array<[number, string | undefined]> = [];
    let band: number[] = [];
    for (const [i, v] of counts.entries()) {
      if (m.step(v) < TH) continue;
      hits.push([i, m.explanation?.reason]);
      band = [m.explanation?.expectedLow ?? Number.NaN, m.explanation?.expectedHigh ?? Number.NaN];
    }
    assert.deepEqual(hits, [[3000, 'new-magnitude']]);
    // The nearest magnitude it did show: the log cell holding its idle level (0..35 on the c = 10 grid).
    assert.ok(band[0] <= 7 && band[1] >= 13 && band[1] < 60, `band ${band}`);
    const off = scoreSeries(counts, { range: { min: 0, max: 1000 }, learning: 500, magnitudes: [] });
    assert.deepEqual(flagged(off), [], 'the linear grid alone cannot see it');
  });

  it('a transmitter stuck at one value is reported as stuck after max(runFraction x learning, 2 x longest run)', () => {
    const x = sineWithNoise(4000, 2);
    for (let i = 2500; i < 4000; i++) x[i] = 11.37;
    const m = new ContextNoveltyModel(opts);
    const hits: Array<[number, string | undefined]> = [];
    for (let i = 0; i < x.length; i++) if (m.step(x[i]) >= TH) hits.push([i, m.explanation?.reason]);
    const stuckAt = 2500 + DEFAULT_NOVELTY.runFraction * 500;
    assert.deepEqual(
      hits.filter(([, r]) => r === 'stuck'),
      [[stuckAt, 'stuck']],
    );
    assert.ok(
      hits.every(([i]) => i >= 2500),
      `nothing before the fault: ${hits}`,
    );
  });

  it('a missing peak in a regular cycle is a long run; the record run of a level entered at random is not', () => {
    // A square wave: 60 readings low, 40 high, noise inside the grid cells; one peak is missing.
    const r = mulberry32(11);
    const square = Array.from({ length: 6000 }, (_, i) => (i % 100 < 60 ? 1.25 : 13.75) + (r() - 0.5));
    for (let i = 4060; i < 4100; i++) square[i] = 1.25 + (r() - 0.5);
    const m = new ContextNoveltyModel({ range: { min: 0, max: 20 }, learning: 300 });
    const hits: Array<[number, string | undefined]> = [];
    for (const [i, v] of square.entries()) if (m.step(v) >= TH) hits.push([i, m.explanation?.reason]);
    // The low run reaches max(0.3 x learning, 2 x 60) + 1 readings at 4000 + 120.
    assert.deepEqual(hits, [[4000 + 2 * 60, 'long-run']]);
    // bench/nab/gas.ts found this: clean CH4 air from the simulator's physics hovers across a
    // cell edge (runs of random length, coefficient of variation ~1), sets a new record run now
    // and then, and each record was an alarm (9 in 60 six-hour runs).
    const air = cleanAir('CH4', 10_800, 7919);
    const reasons = (o: Partial<NoveltyOptions>) => {
      const model = new ContextNoveltyModel({ range: { min: 0, max: 10 }, learning: 750, ...o });
      return air.flatMap((v) => (model.step(v) >= TH && model.explanation ? [model.explanation.reason] : []));
    };
    assert.deepEqual(reasons({}), []);
    // Without the regularity condition (the code before the fix) the record is reported.
    assert.ok(reasons({ maxRunCv: Number.POSITIVE_INFINITY }).includes('long-run'));
  });

  it('one report per episode: a new level inside the silence is not reported, one after it is', () => {
    const x = sineWithNoise(5000, 3);
    const rest = DEFAULT_NOVELTY.restFraction * 500;
    // The sine covers grid cells 2..5 (2.5 wide): 19.5, 0.5 and 16 are each a cell never seen.
    x[3000] = 19.5;
    x[3000 + rest / 2] = 0.5;
    x[3000 + rest * 3] = 16;
    const hits = flagged(scoreSeries(x, opts));
    assert.deepEqual(hits, [3000, 3000 + rest * 3]);
  });

  it('learns its range from the first half of the learning period, keeping no history to replay', () => {
    // A fleet started together (bench/ingest: 1,600 sensors) replayed 750 buffered readings per
    // sensor within the same seconds, about a second of CPU at once on the alarm path. Now the
    // range needs no buffer and nothing is replayed.
    assert.equal(new ContextNoveltyModel({ learning: 750 }).bytes, new ContextNoveltyModel(opts).bytes);
    const x = sineWithNoise(3000, 4);
    x[2000] = 40;
    const s = scoreSeries(x, { learning: 500 });
    assert.deepEqual(flagged(s), [2000]);
  });

  it('is reproducible and keeps fixed memory whatever the stream length', () => {
    const r = mulberry32(9);
    const noise = Array.from({ length: 60_000 }, () => r() * 20);
    assert.deepEqual(scoreSeries(noise.slice(0, 5000), opts), scoreSeries(noise.slice(0, 5000), opts));
    const m = new ContextNoveltyModel(opts);
    const bytes = m.bytes;
    for (const v of noise) m.step(v);
    assert.equal(m.bytes, bytes);
    assert.ok(bytes < 50 * 1024, `${bytes} bytes`);
  });

  it('scores stay in [0, 1] on wild input (huge, negative, constant)', () => {
    const x = [...Array(600).fill(5), 1e12, -1e12, Number.NaN, Number.POSITIVE_INFINITY, ...Array(700).fill(0)];
    for (const v of scoreSeries(x, { learning: 300 })) assert.ok(v >= 0 && v <= 1 && Number.isFinite(v), String(v));
    assert.equal(STUCK_SCORE <= 1, true);
  });
});

describe('SuccessorTable', () => {
  it('knows recorded transitions, forgets after two generations, holds fixed memory', () => {
    const t = new SuccessorTable(16);
    assert.equal(t.check(11, 3), 0);
    t.record(11, 3);
    assert.equal(t.check(11, 3), 2);
    assert.equal(t.check(11, 4), 1);
    assert.equal(t.successors(11), 1 << 3);
    // 8 contexts fill a generation of 16 slots; 16 more push key 11 out of both generations.
    for (let k = 101; k < 101 + 16; k += 1) t.record(k * 2 + 1, 0);
    assert.equal(t.check(11, 3), 0);
    assert.equal(t.bytes, 2 * 16 * 2 * 4);
    assert.throws(() => new SuccessorTable(100), /power of two/);
  });
});
