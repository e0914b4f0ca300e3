import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RtspServer, startRtspServer } from '../../testkit/rtsp.js';
import { ffmpegChildrenOfThisProcess, GOOD_TOKEN, type Harness, startHarness } from './support/harness.js';

describe('GET /video/{cameraId}/snapshot.jpg', () => {
  let rtsp: RtspServer;
  let h: Harness;
  before(async () => {
    rtsp = await startRtspServer({ path: 'snap' });
    h = await startHarness(
      { cam: { kind: 'rtsp', url: rtsp.url }, dead: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/none' } },
      { snapshotTimeoutMs: 5000, graceMs: 200 },
    );
  });
  after(async () => {
    await h.close();
    await rtsp.stop();
  });

  it('starts an idle camera and answers a JPEG of its keyframe, cached', async () => {
    const res = await fetch(`${h.base}/video/cam/snapshot.jpg?token=${GOOD_TOKEN}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'JPEG SOI');
    assert.deepEqual([...jpeg.subarray(-2)], [0xff, 0xd9], 'JPEG EOI');
    const again = Buffer.from(
      await (await fetch(`${h.base}/video/cam/snapshot.jpg?token=${GOOD_TOKEN}`)).arrayBuffer(),
    );
    assert.ok(again.equals(jpeg), 'served from the 2 s cache');
  });

  it('answers 401, 403, 404 and 503 as a client needs them', async () => {
    assert.equal((await fetch(`${h.base}/video/cam/snapshot.jpg`)).status, 401);
    assert.equal((await fetch(`${h.base}/video/cam/snapshot.jpg?token=bad`)).status, 403);
    assert.equal((await fetch(`${h.base}/video/ghost/snapshot.jpg?token=${GOOD_TOKEN}`)).status, 404);
    const dead = await fetch(`${h.base}/video/dead/snapshot.jpg?token=${GOOD_TOKEN}`);
    assert.equal(dead.status, 503);
    assert.equal(dead.headers.get('retry-after'), '5');
  });

  it('lets the upstream go after the grace period', async () => {
    const deadline = Date.now() + 5000;
    while (ffmpegChildrenOfThisProcess() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ffmpegChildrenOfThisProcess(), 0);
    assert.ok(h.stops.includes('cam'));
  });
});
