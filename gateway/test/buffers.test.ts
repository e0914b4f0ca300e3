/**
 * SegmentRing (clip pre-roll in reused blocks): bounds by age and bytes, keyframe-aligned reads,
 * intact bytes after many block reuses and for segments larger than a block, copies handed out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Segment } from '@gwanje/media';
import { RingBudget, SegmentRing } from '../src/buffers.js';

/** A segment whose bytes encode its number, so any mix-up between segments shows. */
function seg(n: number, bytes: number, keyframe: boolean): Segment {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) data.writeUInt32LE(n, i);
  return { data, keyframe, frames: [] };
}

const numberOf = (s: Segment) => s.data.readUInt32LE(0);
const intact = (s: Segment) => {
  const n = numberOf(s);
  for (let i = 0; i < s.data.length; i += 4) if (s.data.readUInt32LE(i) !== n) return false;
  return true;
};

describe('SegmentRing', () => {
  it('keeps maxMs of segments and reads from the last keyframe at or before `since`', () => {
    const ring = new SegmentRing(2000, 1 << 30);
    // 25 segments a second, a keyframe every 25th (GOP 1 s), 10 s.
    for (let n = 0; n < 250; n++) ring.push(n * 40, seg(n, 20_000, n % 25 === 0));
    const now = 249 * 40;
    const all = ring.since(0);
    // The ring holds ~2 s; the oldest keyframe in it starts what it can give.
    assert.equal(all[0].seg.keyframe, true);
    assert.ok(now - all[0].at <= 2000, `oldest ${now - all[0].at} ms`);
    assert.equal(numberOf(all.at(-1)?.seg as Segment), 249);
    assert.ok(
      all.every((t) => intact(t.seg)),
      'bytes intact after block reuse',
    );
    // 1 s back: the keyframe at or before it (n = 200 at 8000 ms), then every segment to now.
    const back = ring.since(now - 1000);
    assert.deepEqual(
      back.map((t) => numberOf(t.seg)),
      Array.from({ length: 50 }, (_, k) => 200 + k),
    );
    assert.equal(back[0].at, 8000);
  });

  it('is bounded by bytes too, and copes with segments larger than a block', () => {
    const ring = new SegmentRing(60_000, 3_000_000);
    for (let n = 0; n < 40; n++) ring.push(n * 100, seg(n, n % 5 === 0 ? 600_000 : 50_000, n % 5 === 0));
    assert.ok(ring.size <= 3_000_000, `size ${ring.size}`);
    const items = ring.since(0);
    assert.ok(items.length > 5);
    assert.equal(numberOf(items.at(-1)?.seg as Segment), 39);
    assert.ok(items.every((t) => intact(t.seg)));
    assert.equal(items[0].seg.data.length, 600_000);
  });

  it('hands out copies that later pushes do not overwrite; empty without a keyframe; clear()', () => {
    const ring = new SegmentRing(1000, 1 << 30);
    assert.deepEqual(ring.since(0), []);
    ring.push(0, seg(1, 1000, false));
    assert.deepEqual(ring.since(0), [], 'no keyframe, no pre-roll');
    ring.push(40, seg(2, 100_000, true));
    const held = ring.since(0);
    for (let n = 3; n < 200; n++) ring.push(n * 40, seg(n, 100_000, n % 25 === 0));
    assert.equal(numberOf(held[0].seg), 2);
    assert.ok(intact(held[0].seg));
    ring.clear();
    assert.equal(ring.size, 0);
    assert.deepEqual(ring.since(0), []);
    ring.push(0, seg(7, 500, true));
    assert.deepEqual(
      ring.since(0).map((t) => numberOf(t.seg)),
      [7],
    );
  });
});

describe('RingBudget', () => {
  it('F21: the rings of all cameras together stay within one budget, the largest shedding first', () => {
    const budget = new RingBudget(3_000_000);
    // Each ring alone may hold 2 MB; ten cameras would hold 20 MB without the budget.
    const rings = Array.from({ length: 10 }, () => new SegmentRing(60_000, 2_000_000, budget));
    for (let n = 0; n < 400; n++) rings[n % 10].push(n * 10, seg(n, 20_000, n % 20 < 10));
    assert.ok(budget.bytes <= 3_000_000, `${budget.bytes} bytes held`);
    assert.equal(
      rings.reduce((t, r) => t + r.size, 0),
      budget.bytes,
    );
    // Fair shares: no camera is left with nothing, none holds much more than its share.
    for (const r of rings) assert.ok(r.size >= 200_000 && r.size <= 400_000, `ring holds ${r.size}`);
    for (const r of rings) r.clear();
    assert.equal(budget.bytes, 0);
  });
});
