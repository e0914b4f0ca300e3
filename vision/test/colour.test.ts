import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { colourStats, fireMask, fireRegions, isFireColour } from '../src/colour.js';
import { frameOf, resample, squareAround } from '../src/frame.js';
import { proposals } from '../src/proposals.js';

/** A w x h frame of one colour with a rectangle of another. */
function frame(
  w: number,
  h: number,
  bg: number[],
  rect?: { x: number; y: number; w: number; h: number; rgb: number[] },
) {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = rect && x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
      d.set(inside ? rect.rgb : bg, (y * w + x) * 3);
    }
  }
  return frameOf(w, h, d);
}

describe('fire colour (Chen 2004 / Celik 2009, widened to the core)', () => {
  test('flame colours pass, sky, grass, grey and blue do not', () => {
    for (const rgb of [
      [255, 140, 20], // orange body
      [250, 90, 10], // red-orange
      [255, 220, 120], // yellow
      [255, 245, 200], // near-white core
    ])
      assert.ok(isFireColour(rgb[0], rgb[1], rgb[2]), `flame ${rgb}`);
    for (const rgb of [
      [120, 160, 230], // sky
      [60, 140, 50], // grass
      [128, 128, 128], // grey
      [255, 255, 255], // white: no warm gap
      [20, 20, 200], // blue
      [100, 40, 30], // dark brick: too dark
    ])
      assert.ok(!isFireColour(rgb[0], rgb[1], rgb[2]), `not flame ${rgb}`);
  });

  test('one orange rectangle on grey is one region with its box', () => {
    const f = frame(64, 48, [90, 90, 90], { x: 10, y: 12, w: 20, h: 8, rgb: [255, 140, 20] });
    const regions = fireRegions(fireMask(f), 64, 48);
    assert.equal(regions.length, 1);
    assert.deepEqual(regions[0], { box: { x: 10, y: 12, w: 20, h: 8 }, pixels: 160 });
    const stats = colourStats(f, regions[0].box);
    assert.equal(stats[0], 1, 'all flame-coloured');
    assert.ok(stats[2] > 0.99 && stats[4] < 0.1, 'mean R high, B low');
  });

  test('a frame with no flame colour proposes only the whole frame', () => {
    const f = frame(448, 252, [60, 140, 50]);
    assert.deepEqual(
      proposals(f).map((p) => p.kind),
      ['frame'],
    );
  });

  test('resample averages areas; squareAround stays inside the frame', () => {
    const f = frame(4, 2, [0, 0, 0], { x: 0, y: 0, w: 2, h: 2, rgb: [200, 100, 50] });
    assert.deepEqual([...resample(f, 2, 1)], [200, 100, 50, 0, 0, 0]);
    assert.deepEqual(squareAround({ x: 90, y: 40, w: 10, h: 10 }, 30, 100, 50), { x: 70, y: 20, w: 30, h: 30 });
  });
});
