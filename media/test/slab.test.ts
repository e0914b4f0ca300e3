import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Slab } from '../src/slab.js';

describe('Slab', () => {
  it('never hands out a byte twice, across slabs, so callers may keep what they get', () => {
    const slab = new Slab();
    const got: Buffer[] = [];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % 40_000);
      const b = slab.alloc(n);
      assert.equal(b.length, n);
      b.fill(i & 0xff);
      got.push(b);
    }
    // Every buffer still holds what was written into it: no later allocation overlapped it.
    for (const [i, b] of got.entries()) {
      assert.ok(
        b.every((x) => x === (i & 0xff)),
        `allocation ${i} was overwritten`,
      );
    }
  });

  it('gives reads at least the room asked for and takes back only what they used', () => {
    const slab = new Slab();
    const region = slab.next();
    assert.ok(region.length >= 64 * 1024);
    region.fill(1, 0, 100);
    const kept = slab.take(region, 100);
    const after = slab.next();
    assert.equal(after.byteOffset, region.byteOffset + 100, 'the next region starts right after the used bytes');
    after.fill(2);
    assert.ok(kept.every((x) => x === 1));
  });

  it('gives a large request its own buffer without disturbing the slab', () => {
    const slab = new Slab();
    const small = slab.alloc(10);
    const big = slab.alloc(200 * 1024);
    assert.notEqual(big.buffer, small.buffer);
    assert.equal(slab.alloc(10).byteOffset, small.byteOffset + 10);
  });
});
