/**
 * Issue 20 "every gas/flame alarm has evidence": a camera held for alarm pre-roll streams from a
 * real RTSP camera (GStreamer) with nobody watching, so a clip asked for at the raise starts at least
 * 10 s before it (ffprobe: the clip is longer than its after-part by >= 10 s) and a snapshot of the
 * raise is stored beside it. A camera not held has no pre-roll. Released, the upstream stops.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../testkit/rtsp.js';
import { type Harness, startHarness } from './support/harness.js';

function ffprobeDurationS(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  assert.equal(r.status, 0, r.stderr.toString());
  return Number(r.stdout.toString().trim());
}

describe('pre-alarm buffer of linked cameras', () => {
  let rtsp: RtspServer;
  let h: Harness;
  before(async () => {
    rtsp = await startRtspServer({ path: 'prealarm' });
    h = await startHarness(
      { linked: { kind: 'rtsp', url: rtsp.url }, other: { kind: 'rtsp', url: rtsp.url } },
      { graceMs: 300 },
    );
  });
  after(async () => {
    await h.close();
    await rtsp.stop();
  });

  it('keeps >= 10 s of an unwatched camera, so the clip at the raise has that pre-roll, and a snapshot', async () => {
    h.gw.holdPrealarm(['linked']);
    assert.deepEqual(h.gw.prealarmCameras, ['linked']);
    await waitFor(() => h.gw.health('linked').preRollMs >= 11_500, 40_000);
    const health = h.gw.health('linked');
    assert.equal(health.viewers, 0, 'nobody watches');
    assert.equal(health.prealarm, true);
    assert.equal(health.state, 'live');

    const afterMs = 2000;
    const [clips, snaps] = await Promise.all([
      h.gw.requestClip('alarm-pre', ['linked', 'other'], { beforeMs: 10_000, afterMs }),
      h.gw.recordSnapshot('alarm-pre', ['linked']),
    ]);
    const clip = clips.find((c) => c.cameraId === 'linked');
    assert.ok(clip, 'the linked camera has a clip');
    assert.ok(clip.beforeMs >= 10_000, `pre-roll ${clip.beforeMs} ms`);
    const file = await h.gw.clipFile('alarm-pre', clip.clipId);
    assert.ok(file);
    // The after-part ends at raise + afterMs: whatever the file holds beyond it lies before the raise.
    const seconds = ffprobeDurationS(file);
    assert.ok(seconds - afterMs / 1000 >= 9.9, `clip of ${seconds} s starts ${seconds - afterMs / 1000} s before`);

    // The camera nobody held was idle at the raise: its clip has no pre-roll at all.
    const other = clips.find((c) => c.cameraId === 'other');
    assert.equal(other?.beforeMs ?? 0, 0);

    assert.equal(snaps.length, 1);
    assert.equal(snaps[0].contentType, 'image/jpeg');
    const listed = await h.gw.clips('alarm-pre');
    assert.ok(listed.some((c) => c.contentType === 'image/jpeg' && c.cameraId === 'linked'));
    assert.ok(listed.some((c) => c.clipId === clip.clipId));
  });

  it('releases a camera no longer linked: its upstream stops after the grace period', async () => {
    const stopsBefore = h.stops.filter((c) => c === 'linked').length;
    h.gw.holdPrealarm([]);
    assert.deepEqual(h.gw.prealarmCameras, []);
    await waitFor(() => h.stops.filter((c) => c === 'linked').length > stopsBefore, 10_000);
    assert.equal(h.gw.health('linked').state, 'idle');
    assert.equal(h.gw.health('linked').prealarm, false);
  });
});
