/**
 * Issue 20: WebRTC viewers of the gateway, with a real WebRTC peer on the other side (werift's
 * RTCPeerConnection, as the browser would be): signalling over the authenticated `/video` socket,
 * ICE and DTLS on loopback, and the camera's own H.264 arriving as RTP (no transcoding).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TS_PACKET_SIZE, TsAccessUnitReader, TsSegmenter } from '@gwanje/media';
import { WebSocket } from 'ws';
import { makeTs } from '../../media/test/support/fixture.js';
import { waitFor } from '../../testkit/index.js';
import { watchWebRtc as watch } from '../../testkit/webrtc.js';
import { AGENT_AUTH, GOOD_TOKEN, type Harness, startHarness } from './support/harness.js';
import { startPush } from './support/push.js';

describe('WebRTC viewers', () => {
  let h: Harness;
  let capture: Buffer;
  const views: string[] = [];
  before(async () => {
    capture = makeTs({ seconds: 2, fps: 25, gop: 25 });
    h = await startHarness({ cam: { kind: 'push' } }, {}, undefined, {
      onView: (cameraId, grant, kind) => {
        views.push(`start ${cameraId} ${grant.user} ${kind}`);
        return () => views.push(`end ${cameraId}`);
      },
    });
  });
  after(async () => {
    await h.close();
  });

  it("gets the camera's own H.264 over RTP from a keyframe on; the view is audited and ends with the socket", async () => {
    const viewer = await watch(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}&format=webrtc`);
    await waitFor(() => viewer.pc.connectionState === 'connected', 15_000);
    // What the camera sent, read back from its MPEG-TS the same way a TS demuxer would.
    const seg = new TsSegmenter();
    seg.push(capture);
    const reader = new TsAccessUnitReader();
    reader.usePsi(seg.psi() as Buffer);
    const sent = reader.push(capture);
    const push = startPush(h.base, 'cam', AGENT_AUTH);
    // Paced like a camera: 25 fps, looping the 2 s capture.
    const step = 40 * TS_PACKET_SIZE;
    let off = 0;
    const pace = setInterval(() => {
      push.write(capture.subarray(off, off + step));
      off = off + step >= capture.length ? 0 : off + step;
    }, 40);
    try {
      await waitFor(() => viewer.units.length >= 30, 20_000);
    } finally {
      clearInterval(pace);
      push.destroy();
    }
    assert.equal(viewer.units[0].keyframe, true, 'starts at a keyframe');
    const key = sent.find((u) => u.keyframe);
    assert.deepEqual(viewer.units[0].nals, key?.nals, 'the keyframe arrives byte for byte');
    const n = viewer.units.length;
    for (let i = 1; i < Math.min(n, 20); i++) assert.deepEqual(viewer.units[i].nals, sent[i].nals, `unit ${i}`);
    assert.deepEqual(views, ['start cam viewer live']);
    assert.equal(h.gw.health('cam').viewers, 1);
    await viewer.stop();
    await waitFor(() => views.length === 2 && h.gw.health('cam').viewers === 0, 5000);
  });

  it('refuses a WebRTC view without credentials (401) or with wrong ones (403)', async () => {
    await assert.rejects(watch(`${h.wsBase}/video/cam?format=webrtc`), /status 401/);
    await assert.rejects(watch(`${h.wsBase}/video/cam?token=bad&format=webrtc`), /status 403/);
  });

  it('a garbled answer is an error the browser can read, then close 4502; the gateway keeps serving', async () => {
    const ws = new WebSocket(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}&format=webrtc`);
    const got: string[] = [];
    ws.on('message', (d) => {
      got.push(JSON.parse(d.toString()).type);
      if (got.length === 1) ws.send('{"type":"answer","sdp":"v=0 not an sdp"}');
    });
    const close = await new Promise<number>((r) => ws.once('close', (code) => r(code)));
    assert.deepEqual(got, ['offer', 'error']);
    assert.equal(close, 4502);
    const again = await watch(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}&format=webrtc`);
    await waitFor(() => again.messages.some((m) => m.type === 'offer'), 10_000);
    await again.stop();
  });
});
