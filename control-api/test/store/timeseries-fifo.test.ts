/** The outage FIFO: order, whole-chunk batches, bound with oldest-first drop, in-flight reserve. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedFifo } from '../../src/store/timeseries-fifo.js';

const chunk = (id: string, count: number) => ({ id, count });

test('take returns whole chunks in order up to the batch size (at least one)', () => {
  const f = new BoundedFifo<{ id: string; count: number }>(100);
  f.push(chunk('a', 3));
  f.push(chunk('b', 4));
  f.push(chunk('c', 9));
  assert.equal(f.size, 16);
  assert.deepEqual(
    f.take(7).map((c) => c.id),
    ['a', 'b'],
  );
  assert.deepEqual(
    f.take(5).map((c) => c.id),
    ['c'],
    'a chunk bigger than the batch still goes',
  );
  assert.equal(f.size, 0);
  assert.deepEqual(f.take(5), []);
});

test('a failed batch goes back to the front, before newer chunks', () => {
  const f = new BoundedFifo<{ id: string; count: number }>(100);
  f.push(chunk('a', 1));
  f.push(chunk('b', 1));
  const taken = f.take(1);
  f.push(chunk('c', 1));
  f.unshift(taken);
  assert.deepEqual(
    f.take(10).map((c) => c.id),
    ['a', 'b', 'c'],
  );
});

test('over the bound the oldest chunks are dropped and counted; in-flight points count too', () => {
  const f = new BoundedFifo<{ id: string; count: number }>(10);
  assert.equal(f.push(chunk('a', 4)), 0);
  assert.equal(f.push(chunk('b', 4)), 0);
  assert.equal(f.push(chunk('c', 4)), 4);
  assert.equal(f.size, 8);
  assert.equal(f.dropped, 4);
  assert.equal(f.push(chunk('d', 1), 5), 4, 'with 5 in flight only 5 fit');
  assert.deepEqual(
    f.take(10).map((c) => c.id),
    ['c', 'd'],
  );
  // The newest chunk is kept even when it alone exceeds the bound.
  assert.equal(f.push(chunk('huge', 50)), 0);
  assert.equal(f.size, 50);
});
