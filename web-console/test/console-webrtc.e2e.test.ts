/**
 * Issue 20 in Chromium against the real center (`control-api/src/main.ts`, 1 simulated site whose
 * virtual cameras the gateway relays): wall tiles play over WebRTC (the gateway's werift peer, RTP
 * from the relay's H.264, signalled over the ticketed `/video/{id}?format=webrtc` socket), and
 * a tile falls back to MSE when the WebRTC signalling is refused. The per-tile switch moves a tile
 * from one transport to the other. Screenshots go to .artifacts/web-console/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console');
const password = `adm-${process.pid}-${Date.now()}`;
let center: RealCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  center = await startRealCenter({ password, simulate: 1, readyTimeoutMs: 120_000 });
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await center?.stop();
});

/** The first live tile's player: how it is fed, its decoded size, and whether frames advance. */
async function playing(page: Page, transport: 'webrtc' | 'mse') {
  const tile = `.wall-grid [data-video-state=live][data-transport=${transport}]`;
  await page.waitForSelector(`${tile} video`, { timeout: 60_000 });
  const sample = () =>
    page.$eval(`${tile} video`, (v) => {
      const video = v as HTMLVideoElement;
      return {
        stream: video.srcObject instanceof MediaStream,
        width: video.videoWidth,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
      };
    });
  const first = await sample();
  await page.waitForTimeout(1500);
  const second = await sample();
  return { first, second };
}

test('issue 20: a wall tile plays over WebRTC, falls back to MSE when WebRTC is refused, and switches per tile', async () => {
  // 1. WebRTC by default: the tile's video element is fed a MediaStream that keeps decoding frames.
  const page = await openConsole(browser, contexts, { url: center.url, username: 'admin', password, locale: 'en-US' });
  const sockets: string[] = [];
  page.on('websocket', (w) => sockets.push(w.url()));
  await page.reload(); // sockets are seen from a navigation on (the session survives it)
  await page.waitForSelector('[data-conn=connected]', { timeout: 10_000 });
  await page.click('[data-nav=wall]');
  const rtc = await playing(page, 'webrtc');
  assert.equal(rtc.first.stream, true, 'WebRTC tile plays a MediaStream');
  assert.ok(rtc.first.width > 0, 'decoded picture has a size');
  assert.ok(rtc.second.frames > rtc.first.frames, `frames keep coming: ${JSON.stringify(rtc)}`);
  assert.ok(
    sockets.some((u) => /\/video\/[^?]+\?ticket=[^&]+&format=webrtc$/.test(u)),
    `signalled over the ticketed video route:\n${sockets.join('\n')}`,
  );
  await page.screenshot({ path: join(artifacts, 'wall-webrtc.png') });

  // 2. The switch on that tile moves it to MSE (kept for the camera), and back.
  const cameraId = await page.$eval('.wall-grid [data-transport=webrtc]', (t) => t.getAttribute('data-camera'));
  const switchOf = `.wall-grid [data-camera="${cameraId}"] [data-transport-switch]`;
  assert.equal(await page.textContent(switchOf), 'WebRTC');
  await page.click(switchOf);
  await page.waitForSelector(`.wall-grid [data-camera="${cameraId}"][data-transport=mse][data-video-state=live]`, {
    timeout: 30_000,
  });
  assert.equal(await page.evaluate((id) => localStorage.getItem(`gwanje.video.transport.${id}`), cameraId), 'mse');
  await page.click(switchOf);
  await page.waitForSelector(`.wall-grid [data-camera="${cameraId}"][data-transport=webrtc][data-video-state=live]`, {
    timeout: 30_000,
  });

  // 3. WebRTC refused (the signalling socket is closed on the browser's side, as a proxy or
  //    firewall that drops it would): every tile falls back to MSE and plays.
  const refused = await openConsole(browser, contexts, {
    url: center.url,
    username: 'admin',
    password,
    locale: 'ko-KR',
  });
  let refusals = 0;
  await refused.routeWebSocket(/format=webrtc/, (ws) => {
    refusals++;
    void ws.close({ code: 1008, reason: 'refused by test proxy' });
  });
  // The console may open on the wall already: reload so every tile starts behind the route.
  await refused.reload();
  await refused.waitForSelector('[data-conn=connected]', { timeout: 10_000 });
  await refused.click('[data-nav=wall]');
  const mse = await playing(refused, 'mse');
  assert.equal(mse.first.stream, false, 'MSE tile plays a MediaSource, not a MediaStream');
  assert.ok(mse.second.frames > mse.first.frames, `frames keep coming: ${JSON.stringify(mse)}`);
  assert.ok(refusals > 0, 'WebRTC was tried first');
  assert.equal(await refused.locator('.wall-grid [data-transport=webrtc][data-video-state=live]').count(), 0);
  assert.equal(await refused.textContent(`.wall-grid [data-transport=mse] [data-transport-switch]`), 'MSE');
  await refused.screenshot({ path: join(artifacts, 'wall-webrtc-refused-mse.png') });
});
