/**
 * Issue 20 "a frozen or black stream raises camera-loss family alarms": a push that keeps flowing
 * but whose picture is black (a real ffmpeg `color=black` source, as a covered lens encodes) is
 * reported black through `onStreamCondition` after two probes of its keyframe, health says so, and
 * a real picture clears it; a moving test pattern never raises it. The thumbnail statistics are
 * checked on their own against fixed pixel tables.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTs } from '../../media/test/support/fixture.js';
import { waitFor } from '../../testkit/index.js';
import { isBlackPicture, lumaStats } from '../src/black-picture.js';
import { AGENT_AUTH, type Harness, startHarness } from './support/harness.js';
import { pacedWrite, startPush } from './support/push.js';

describe('black picture statistics', () => {
  const cases: Array<[string, number[], boolean]> = [
    ['all zero', new Array(256).fill(0), true],
    ['TV black (16) as ffmpeg grays it', new Array(256).fill(4), true],
    ['dark grey, flat', new Array(256).fill(40), false],
    ['black with one lit lamp', [...new Array(240).fill(2), ...new Array(16).fill(250)], false],
    ['noisy dark scene', Array.from({ length: 256 }, (_, i) => (i * 37) % 60), false],
  ];
  for (const [name, pixels, black] of cases) {
    it(`${name}: ${black ? 'black' : 'not black'}`, () => {
      assert.equal(isBlackPicture(lumaStats(Uint8Array.from(pixels))), black);
    });
  }
  it('an empty thumbnail is an error, not a verdict', () => {
    assert.throws(() => lumaStats(new Uint8Array(0)), /black-picture: empty thumbnail/);
  });
});

describe('black picture on a live push', () => {
  let h: Harness;
  const conditions: Array<[string, string, boolean]> = [];
  before(async () => {
    h = await startHarness({ cam: { kind: 'push' } }, { blackCheckMs: 1000, frozenMs: 0, stallMs: 4000 }, undefined, {
      onStreamCondition: (cameraId, condition, active) => conditions.push([cameraId, condition, active]),
    });
  });
  after(async () => {
    await h.close();
  });

  it('raises black for a covered lens and clears it when the picture returns', async () => {
    const scene = makeTs({ seconds: 4, fps: 15, gop: 15 });
    const black = makeTs({ seconds: 8, fps: 15, gop: 15, source: 'color=black' });
    const back = makeTs({ seconds: 4, fps: 15, gop: 15 });
    h.gw.holdPrealarm(['cam']);
    const push = startPush(h.base, 'cam', AGENT_AUTH);
    const paced = (data: Buffer, seconds: number) => pacedWrite(push, data, seconds, 188 * 20);
    await paced(scene, 4);
    assert.deepEqual(conditions, [], 'a moving test pattern is not black');
    assert.equal(h.gw.health('cam').black, false);
    await paced(black, 8);
    assert.deepEqual(conditions, [['cam', 'black', true]]);
    assert.equal(h.gw.health('cam').black, true);
    assert.equal(h.gw.health('cam').state, 'live', 'data flows: not lost');
    await paced(back, 4);
    await waitFor(() => conditions.length === 2, 5000);
    assert.deepEqual(conditions[1], ['cam', 'black', false]);
    assert.equal(h.gw.health('cam').black, false);
    push.destroy();
    h.gw.holdPrealarm([]);
  });
});
