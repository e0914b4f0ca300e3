import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  NAL_AUD,
  NAL_IDR,
  NAL_SLICE,
  NAL_SPS,
  PacketAligner,
  STREAM_TYPE_MPEG1_VIDEO,
  STREAM_TYPE_MPEG2_VIDEO,
  TsSegmenter,
} from '@gwanje/media';
import { inspectTs } from '../../media/test/support/ts-check.js';
import { waitFor } from '../../testkit/index.js';
import { type RtspServer, rtspConnections, startRtspServer } from '../../testkit/rtsp.js';
import { ManualClock } from './support/clock.js';
import { ffmpegChildrenOfThisProcess, GOOD_TOKEN, type Harness, openViewer, startHarness } from './support/harness.js';

let rtsp: RtspServer;
before(async () => {
  rtsp = await startRtspServer({ path: 'cam' });
});
after(async () => {
  await rtsp.stop();
});

// Both RTSP clients: the in-process one (the default) and ffmpeg -c copy (GWANJE_RTSP_CLIENT=ffmpeg,
// and the fallback for cameras without H.264).
for (const rtspClient of ['native', 'ffmpeg'] as const) {
  describe(`StreamRelay over RTSP (GStreamer camera, ${rtspClient} client)`, () => {
    let h: Harness;
    /** ffmpeg processes the pull itself runs: one per camera with ffmpeg, none in process. */
    const pullers = rtspClient === 'ffmpeg' ? 1 : 0;
    before(async () => {
      h = await startHarness({ cam: { kind: 'rtsp', url: rtsp.url } }, { rtspClient });
    });
    after(async () => {
      await h.close();
    });

    it('a viewer gets 188-aligned MPEG-TS with H.264 NAL units, starting PAT, PMT, keyframe', async () => {
      const v = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
      await waitFor(() => v.messages.length > 20 && v.bytes() > 30_000, 15_000);
      for (const m of v.messages) assert.equal(m.length % 188, 0, 'every message is whole packets');
      const ts = inspectTs(v.all());
      assert.ok(ts.synced, 'every packet starts with 0x47');
      assert.deepEqual(ts.pids.slice(0, 3), [0x0000, 0x1000, 0x100], 'PAT, PMT, then video');
      // Both muxers lead each access unit with an AUD (9); the first NAL after it must open a keyframe.
      const firstNal = ts.nalTypes.find((t) => t !== NAL_AUD);
      assert.ok(firstNal === NAL_SPS || firstNal === NAL_IDR, `first NAL ${firstNal} opens a keyframe`);
      assert.ok(ts.nalTypes.includes(NAL_IDR) && ts.nalTypes.includes(NAL_SLICE));

      // Health as the console shows it: the test camera runs 15 fps with a keyframe every second.
      // fps is averaged over 5 s, so ffmpeg's start-up burst washes out within a few seconds.
      await waitFor(() => Math.abs(h.gw.health('cam').fps - 15) <= 3, 12_000).catch(() => {
        assert.fail(`fps ${h.gw.health('cam').fps} never settled near 15`);
      });
      const health = h.gw.health('cam');
      assert.equal(health.state, 'live');
      assert.ok(health.bitrateBps > 50_000, `bitrate ${health.bitrateBps}`);
      assert.ok(Date.now() - (health.lastKeyframeAt ?? 0) < 2500);

      // A late joiner starts on the cached GOP at once, not at the next keyframe.
      const joinedAt = Date.now();
      const late = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
      await waitFor(() => late.messages.length > 0, 2000);
      assert.ok(Date.now() - joinedAt < 1000);
      const first = inspectTs(late.messages[0]);
      assert.deepEqual(first.pids.slice(0, 3), [0x0000, 0x1000, 0x100]);
      assert.ok(first.nalTypes.includes(NAL_IDR), 'first message holds the IDR');
      await Promise.all([v.close(), late.close()]);
    });

    it('20 viewers share one upstream: one RTSP session at the camera, one startUpstream', async () => {
      const startsBefore = h.starts.length;
      const viewers = await Promise.all(
        Array.from({ length: 20 }, () => openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`)),
      );
      await waitFor(() => viewers.every((v) => v.bytes() > 5000), 15_000);
      assert.equal(rtspConnections(rtsp.port), 1, 'one connection at the camera');
      assert.equal(ffmpegChildrenOfThisProcess(), pullers);
      await waitFor(() => h.gw.health('cam')?.viewers === 20, 2000);
      assert.ok(h.starts.length - startsBefore <= 1);
      await Promise.all(viewers.map((v) => v.close()));
    });

    it('refuses viewers without a token (401) or with a bad one (403); closes 4404 for an unknown camera', async () => {
      await assert.rejects(openViewer(`${h.wsBase}/video/cam`), /status 401/);
      await assert.rejects(openViewer(`${h.wsBase}/video/cam?token=nope`), /status 403/);
      const ghost = await openViewer(`${h.wsBase}/video/ghost?token=${GOOD_TOKEN}`);
      const code = await new Promise<number>((r) => ghost.ws.once('close', (c) => r(c)));
      assert.equal(code, 4404);
    });

    it('?format=mpeg1 transcodes once per camera while such a viewer exists', async () => {
      const a = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}&format=mpeg1`);
      const b = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}&format=mpeg1`);
      await waitFor(() => a.bytes() > 20_000 && b.bytes() > 20_000, 15_000);
      // The PMT of what JSMpeg receives names MPEG video (ffmpeg's muxer writes stream_type 0x02 for
      // MPEG-1 too), not H.264.
      const seg = new TsSegmenter();
      seg.push(new PacketAligner().push(a.all()));
      assert.ok(seg.videoStreamType === STREAM_TYPE_MPEG1_VIDEO || seg.videoStreamType === STREAM_TYPE_MPEG2_VIDEO);
      // MPEG-1 sequence header start code 00 00 01 B3 reaches JSMpeg.
      assert.ok(a.all().includes(Buffer.from([0, 0, 1, 0xb3])));
      assert.equal(ffmpegChildrenOfThisProcess(), pullers + 1, 'one transcoder for two mpeg1 viewers');
      await Promise.all([a.close(), b.close()]);
      await waitFor(() => ffmpegChildrenOfThisProcess() === pullers, 5000);
    });
  });
}

describe('on demand upstream', () => {
  it('stops graceMs after the last viewer leaves (injected clock), then restarts for a new one', async () => {
    const clock = new ManualClock();
    const h = await startHarness(
      { cam: { kind: 'rtsp', url: rtsp.url } },
      { clock, graceMs: 10_000, stallMs: 600_000 },
    );
    try {
      const v = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
      await waitFor(() => v.bytes() > 2000, 15_000);
      assert.deepEqual(h.starts, ['cam']);
      await v.close();
      await waitFor(() => h.gw.health('cam')?.consumers === 0);
      clock.advance(9_000);
      assert.deepEqual(h.stops, [], 'still inside the grace period');
      assert.equal(rtspConnections(rtsp.port), 1);
      clock.advance(1_001);
      await waitFor(() => h.stops.length === 1 && rtspConnections(rtsp.port) === 0, 5000);
      assert.equal(h.gw.health('cam')?.state, 'idle');
      assert.deepEqual(
        h.states.map(([, s]) => s),
        ['live', 'idle'],
      );
      const again = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
      await waitFor(() => again.bytes() > 2000, 15_000);
      assert.deepEqual(h.starts, ['cam', 'cam']);
      await again.close();
    } finally {
      await h.close();
    }
  });

  it('an upstream that dies is reported lost, retried, and live again', async () => {
    const cam2 = await startRtspServer({ path: 'cam2' });
    const h = await startHarness({ cam2: { kind: 'rtsp', url: cam2.url } }, { retryMs: 200 });
    try {
      const v = await openViewer(`${h.wsBase}/video/cam2?token=${GOOD_TOKEN}`);
      await waitFor(() => v.bytes() > 2000, 15_000);
      await cam2.stop();
      await waitFor(() => h.states.some(([, s]) => s === 'lost'), 10_000);
      assert.equal(h.gw.health('cam2')?.state, 'lost');
      assert.ok((h.gw.health('cam2')?.restarts ?? 0) >= 0);
      const revived = await startRtspServer({ path: 'cam2', port: cam2.port });
      try {
        await waitFor(() => h.gw.health('cam2')?.state === 'live', 20_000);
        assert.deepEqual(h.states.map(([, s]) => s).slice(0, 3), ['live', 'lost', 'live']);
      } finally {
        await v.close();
        await revived.stop();
      }
    } finally {
      await h.close();
    }
  });

  it('a camera password never reaches the log when the pull fails, with either client', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const url = `rtsp://viewer:pw-s3cret@127.0.0.1:${closedPort}/cam`;
    for (const rtspClient of ['native', 'ffmpeg'] as const) {
      const h = await startHarness({ cam: { kind: 'rtsp', url } }, { rtspClient, retryMs: 60_000 });
      try {
        const v = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
        await waitFor(() => h.logs.some((l) => l.includes('upstream lost')), 10_000);
        const lost = h.logs.find((l) => l.includes('upstream lost')) ?? '';
        assert.match(lost, rtspClient === 'ffmpeg' ? /ffmpeg exited/ : /ECONNREFUSED/);
        assert.ok(!h.logs.join('').includes('pw-s3cret'), `${rtspClient}: the password was logged`);
        await v.close();
      } finally {
        await h.close();
      }
    }
  });
});
