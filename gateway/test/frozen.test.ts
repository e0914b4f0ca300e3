/**
 * Issue 20 "a frozen stream raises camera-loss family alarms": a push whose bytes keep coming but
 * whose last keyframe is older than `frozenMs` (a hung encoder still sending P-frames) is reported
 * frozen through `onStreamCondition`, health says so, and the next keyframe clears it. Real
 * x264 video (ffmpeg fixture), pushed as an agent pushes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTs } from '../../media/test/support/fixture.js';
import { waitFor } from '../../testkit/index.js';
import { AGENT_AUTH, type Harness, startHarness } from './support/harness.js';
import { pacedWrite, startPush } from './support/push.js';

describe('frozen picture', () => {
  let h: Harness;
  const conditions: Array<[string, string, boolean]> = [];
  before(async () => {
    h = await startHarness({ cam: { kind: 'push' } }, { frozenMs: 2000, stallMs: 3000 }, undefined, {
      onStreamCondition: (cameraId, condition, active) => conditions.push([cameraId, condition, active]),
    });
  });
  after(async () => {
    await h.close();
  });

  it('flags a stream without keyframes while data flows, and clears it on the next keyframe', async () => {
    // 8 s at 15 fps with a single keyframe at the start: after it only P-frames arrive.
    const oneKeyframe = makeTs({ seconds: 8, fps: 15, gop: 1000 });
    const withKeyframes = makeTs({ seconds: 2, fps: 15, gop: 15 });
    h.gw.holdPrealarm(['cam']); // someone needs the camera, so a push is relayed and watched
    const push = startPush(h.base, 'cam', AGENT_AUTH);
    const paced = (data: Buffer, seconds: number) => pacedWrite(push, data, seconds, 188 * 40);
    await paced(oneKeyframe, 8);
    assert.deepEqual(conditions, [['cam', 'frozen', true]]);
    assert.equal(h.gw.health('cam').frozen, true);
    assert.equal(h.gw.health('cam').state, 'live', 'data flows: not lost');
    await paced(withKeyframes, 1);
    await waitFor(() => conditions.length === 2, 5000);
    assert.deepEqual(conditions[1], ['cam', 'frozen', false]);
    assert.equal(h.gw.health('cam').frozen, false);
    push.destroy();
    h.gw.holdPrealarm([]);
  });
});
