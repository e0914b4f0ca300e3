/**
 * SmokeTracker on procedural clips (train/smoke-synth.ts, design seeds; the evaluation's held-out
 * seeds are in bench/fire/smoke.ts): a rising plume is confirmed, anchored where it starts; the
 * hard negatives a street camera sees every day are not. Frame times are the clips' own seconds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SmokeTracker } from '../src/smoke.js';
import { type SmokeClipKind, smokeClip } from '../train/smoke-synth.js';

function run(kind: SmokeClipKind, seed = 1) {
  const clip = smokeClip(kind, seed);
  const tracker = new SmokeTracker();
  const steps = clip.frames.map((f, t) => tracker.observe(f, t * 1000));
  return { clip, steps, first: steps.findIndex((s) => s.smoke) };
}

describe('SmokeTracker', () => {
  for (const kind of ['smoke-white', 'smoke-black'] as const) {
    test(`${kind}: confirmed after the plume appears, with its region where it rises`, () => {
      const { clip, steps, first } = run(kind);
      const from = clip.smokeFrom as number;
      assert.ok(first > from, `confirmed at ${first} s, smoke from ${from} s`);
      assert.ok(first - from <= 12, `confirmed ${first - from} s after the plume appeared`);
      assert.equal(steps[first].started, true);
      assert.ok(steps[first].box && steps[first].box.w > 0);
      assert.ok(steps[first].score > 0 && steps[first].score <= 1);
      assert.ok(
        steps.slice(0, from).every((s) => !s.smoke),
        'nothing before the plume',
      );
    });
  }

  for (const kind of ['static', 'car', 'parking', 'fog', 'dusk', 'person'] as const) {
    test(`${kind}: never confirmed`, () => {
      const { steps } = run(kind);
      assert.ok(
        steps.every((s) => !s.smoke),
        `smoke at ${steps.findIndex((s) => s.smoke)} s`,
      );
    });
  }

  test('smoke ends after 8 frames without it', () => {
    const { clip } = run('smoke-white');
    const tracker = new SmokeTracker();
    const frames = [...clip.frames, ...Array.from({ length: 12 }, () => clip.frames[0])];
    const steps = frames.map((f, t) => tracker.observe(f, t * 1000));
    const end = steps.findIndex((s) => s.ended);
    assert.ok(end > clip.frames.length, `ended at ${end}`);
    assert.equal(steps.at(-1)?.smoke, false);
  });
});
