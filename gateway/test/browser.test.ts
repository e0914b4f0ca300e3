import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { type RtspServer, startRtspServer } from '../../testkit/rtsp.js';
import { GOOD_TOKEN, type Harness, startHarness } from './support/harness.js';

const require = createRequire(import.meta.url);
const MPEGTS_JS = readFileSync(require.resolve('mpegts.js/dist/mpegts.js'));

const PAGE = `<!doctype html><video id="v" muted autoplay playsinline></video>
<script src="/mpegts.js"></script>
<script>
  const p = mpegts.createPlayer({ type: 'mpegts', isLive: true, url: location.hash.slice(1) },
    { enableWorker: false, liveBufferLatencyChasing: true });
  p.attachMediaElement(document.getElementById('v'));
  p.load();
  p.play().catch(() => {});
  window.player = p;
</script>`;

describe('a real browser plays the relay with mpegts.js (MSE)', () => {
  let rtsp: RtspServer;
  let h: Harness;
  let page: Server;
  let browser: Browser;
  before(async () => {
    rtsp = await startRtspServer({ path: 'browser' });
    h = await startHarness({ cam: { kind: 'rtsp', url: rtsp.url } });
    page = createServer((req, res) => {
      if (req.url === '/mpegts.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(MPEGTS_JS);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--autoplay-policy=no-user-gesture-required'],
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => page.close(() => r()));
    await h.close();
    await rtsp.stop();
  });

  it('decodes frames and advances playback time', async () => {
    const addr = page.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${port}/#${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
    // Page-side expressions as strings: this package compiles without DOM types.
    const video = "document.getElementById('v')";
    await tab.waitForFunction(
      `${video}.currentTime > 1 && ${video}.getVideoPlaybackQuality().totalVideoFrames > 15`,
      undefined,
      { timeout: 20_000 },
    );
    const size = await tab.evaluate(`[${video}.videoWidth, ${video}.videoHeight]`);
    assert.deepEqual(size, [640, 360], 'the camera picture size reaches the viewer');
    await tab.close();
  });
});
