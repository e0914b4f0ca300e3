import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it, test } from 'node:test';
import { waitFor } from '../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../testkit/rtsp.js';
import { parseDurationMs } from '../src/clip-recorder.js';
import { GOOD_TOKEN, type Harness, openViewer, startHarness } from './support/harness.js';

function probe(file: string): { codec: string; durationS: number } {
  const r = spawnSync('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name:format=duration'],
    ...['-of', 'default=noprint_wrappers=1', file],
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  return {
    codec: /codec_name=(\w+)/.exec(out)?.[1] ?? '',
    durationS: Number(/duration=([\d.]+)/.exec(out)?.[1]),
  };
}

test("parseDurationMs reads ffmpeg's Duration line (no ffprobe on a fresh machine, issue 17)", () => {
  assert.equal(parseDurationMs('  Duration: 00:01:02.34, start: 1.4, bitrate: 512 kb/s'), 62_340);
  assert.equal(parseDurationMs('  Duration: N/A, bitrate: N/A'), 0);
  assert.equal(parseDurationMs(''), 0);
});

describe('alarm clips', () => {
  let rtsp: RtspServer;
  let h: Harness;
  before(async () => {
    rtsp = await startRtspServer({ path: 'clipcam' });
    h = await startHarness(
      { cam: { kind: 'rtsp', url: rtsp.url }, idle: { kind: 'rtsp', url: rtsp.url } },
      { graceMs: 300 },
    );
  });
  after(async () => {
    await h.close();
    await rtsp.stop();
  });

  it('writes pre-roll from the ring plus the after part into a playable MP4', async () => {
    const v = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
    await waitFor(() => v.bytes() > 0, 15_000);
    await new Promise((r) => setTimeout(r, 3500)); // let the ring fill past the 2 s pre-roll (real camera time)
    const [clip] = await h.gw.requestClip('alarm-1', ['cam'], { beforeMs: 2000, afterMs: 2000 });
    await v.close();
    assert.ok(clip, 'a clip was written');
    assert.equal(clip.cameraId, 'cam');
    // The pre-roll starts on the last keyframe at or before -2 s (GOP 1 s): 2 to 3 s of it.
    assert.ok(clip.beforeMs >= 2000 && clip.beforeMs <= 3100, `beforeMs ${clip.beforeMs}`);
    const file = await h.gw.clipFile('alarm-1', clip.clipId);
    assert.ok(file);
    const p = probe(file);
    assert.equal(p.codec, 'h264');
    const expected = (clip.beforeMs + 2000) / 1000;
    assert.ok(Math.abs(p.durationS - expected) < 0.8, `duration ${p.durationS}s, expected ~${expected}s`);
    // The recorder measures the duration with ffmpeg alone (issue 17: no ffprobe needed): ffprobe agrees.
    assert.ok(
      Math.abs(clip.durationMs - p.durationS * 1000) <= 20,
      `${clip.durationMs} ms vs ffprobe ${p.durationS} s`,
    );
    assert.deepEqual(
      (await h.gw.clips('alarm-1')).map((c) => c.clipId),
      [clip.clipId],
    );
    assert.equal(await h.gw.clipFile('alarm-1', '../../etc/passwd'), undefined);
  });

  it('starts an idle camera for a clip and lets it go afterwards', async () => {
    const [clip] = await h.gw.requestClip('alarm-2', ['idle'], { beforeMs: 10_000, afterMs: 5000 });
    assert.ok(clip);
    assert.ok(h.starts.includes('idle'));
    assert.equal(clip.beforeMs, 0, 'an idle camera has no pre-roll');
    const file = await h.gw.clipFile('alarm-2', clip.clipId);
    assert.ok(file);
    // The camera needs RTSP setup and a keyframe before the first frame: at most 5 s of video.
    const { durationS } = probe(file);
    assert.ok(durationS > 0.5 && durationS <= 5.1, `duration ${durationS}`);
    await waitFor(() => h.stops.includes('idle'), 5000);
  });

  it('stop() during a clip ends it at once and leaves no ffmpeg behind', async () => {
    const other = await startHarness({ cam: { kind: 'rtsp', url: rtsp.url } });
    const clip = other.gw.requestClip('alarm-3', ['cam'], { beforeMs: 0, afterMs: 30_000 });
    await waitFor(() => other.gw.health('cam').state === 'live', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    await other.close();
    assert.ok(Date.now() - t0 < 5000, 'stop did not wait for the 30 s after-part');
    // The clip is closed with what was recorded so far, not lost.
    const [cut] = await clip;
    assert.ok(cut && cut.durationMs > 500 && cut.durationMs < 6000, `clip ${JSON.stringify(cut)}`);
    assert.equal(other.gw.ffmpegChildren, 0);
  });
});
