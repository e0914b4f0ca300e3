/** F14: disk scans of chart queries run at most N at a time, in arrival order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcurrencyGate } from '../../src/store/disk-gate.js';

test('F14: a gate of 2 runs two tasks at once; the others wait their turn, in order', async () => {
  const gate = new ConcurrencyGate(2);
  const release: Array<() => void> = [];
  const started: number[] = [];
  const done = [0, 1, 2, 3, 4].map((i) =>
    gate.run(
      () =>
        new Promise<number>((resolve) => {
          started.push(i);
          release[i] = () => resolve(i);
        }),
    ),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(gate.load, { running: 2, waiting: 3 });
  release[1]();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  for (const i of [0, 2, 3, 4]) {
    await new Promise((r) => setImmediate(r));
    release[i]?.();
  }
  for (let k = 0; k < 5 && started.length < 5; k++) await new Promise((r) => setImmediate(r));
  release[3]?.();
  release[4]?.();
  assert.deepEqual(await Promise.all(done), [0, 1, 2, 3, 4]);
  assert.deepEqual(gate.load, { running: 0, waiting: 0 });
});
