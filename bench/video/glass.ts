/**
 * Issue 20: glass-to-glass latency of the MPEG-TS/MSE path. A source whose every frame carries its
 * own capture time: this process draws Date.now() as 44 black/white blocks into raw 640x360 frames
 * at 25 fps, x264 (ultrafast, zerolatency, GOP 1 s, no B-frames) encodes them to MPEG-TS, which is
 * pushed to a VideoGateway as an agent pushes. Chromium plays `/video/cam` with mpegts.js and the
 * console tile's low-latency settings, reads the blocks back from each presented frame
 * (requestVideoFrameCallback + canvas) and compares them with its wall clock (same machine clock).
 * Counts encode, mux, relay, WebSocket, demux, MSE decode and presentation; not the display's scan-out.
 *
 *   node --import tsx bench/video/glass.ts [seconds=20]
 *
 * Prints p50/p99 and writes bench/results/glass-to-glass.json.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { UnknownCameraError, VideoGateway } from '../../gateway/src/index.js';

const SECONDS = Number(process.argv[2] ?? 20);
const W = 640;
const H = 360;
const FPS = 25;
const BITS = 44;
const BLOCK = 14; // 44 x 14 px = 616 px: one row of blocks across the top
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** One yuv420p frame: grey, with `ms` as BITS blocks (white = 1) in rows 8..8+BLOCK. */
function frame(ms: number): Buffer {
  const f = Buffer.alloc((W * H * 3) / 2, 128);
  f.fill(60, 0, W * H);
  for (let b = 0; b < BITS; b++) {
    const on = Math.floor(ms / 2 ** (BITS - 1 - b)) % 2 === 1;
    for (let y = 8; y < 8 + BLOCK; y++) f.fill(on ? 235 : 16, y * W + 12 + b * BLOCK, y * W + 12 + (b + 1) * BLOCK);
  }
  return f;
}

const dataDir = await mkdtemp(join(tmpdir(), 'gwanje-glass-'));
const gw = new VideoGateway(
  {
    log: pino({ level: 'warn' }),
    authorizeViewer: async () => ({ user: 'bench' }),
    authorizeIngest: async (_h, id) => id === 'cam',
    startUpstream: async (id) => {
      if (id !== 'cam') throw new UnknownCameraError(id);
      startPush();
      return { kind: 'push' };
    },
    stopUpstream: async () => {},
  },
  { dataDir },
);
const player = readFileSync(
  join(createRequire(import.meta.url).resolve('mpegts.js/package.json'), '..', 'dist', 'mpegts.js'),
);
const page = `<!doctype html><video id=v muted playsinline></video><canvas id=c width=${W} height=40></canvas>
<script src="/mpegts.js"></script><script>
window.samples = [];
const v = document.getElementById('v'), ctx = document.getElementById('c').getContext('2d', { willReadFrequently: true });
const p = mpegts.createPlayer({ type: 'mpegts', isLive: true, url: 'ws://' + location.host + '/video/cam?token=x' },
  { enableWorker: false, enableStashBuffer: false, lazyLoad: false, autoCleanupSourceBuffer: true,
    liveBufferLatencyChasing: true, liveBufferLatencyMaxLatency: 1.5, liveBufferLatencyMinRemain: 0.3 });
p.attachMediaElement(v); p.load(); p.play();
const onFrame = () => {
  const now = Date.now();
  ctx.drawImage(v, 0, 0, ${W}, ${H}, 0, 0, ${W}, ${H});
  const d = ctx.getImageData(0, 0, ${W}, 40).data;
  let ms = 0;
  for (let b = 0; b < ${BITS}; b++) {
    const x = 12 + b * ${BLOCK} + ${BLOCK / 2}, y = 8 + ${BLOCK / 2};
    ms = ms * 2 + (d[(y * ${W} + x) * 4] > 128 ? 1 : 0);
  }
  if (ms > 1.7e12) window.samples.push(now - ms);
  v.requestVideoFrameCallback(onFrame);
};
v.requestVideoFrameCallback(onFrame);
</script>`;
const server = createServer((req, res) => {
  if (gw.handleHttp(req, res)) return;
  if (req.url === '/mpegts.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(player);
  else res.writeHead(200, { 'content-type': 'text/html' }).end(page);
});
gw.attach(server);
await gw.start();
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

// Like an agent: the push starts when the gateway asks for the camera (stream.start).
let enc: ReturnType<typeof spawn> | undefined;
let push: ReturnType<typeof request> | undefined;
let tick: NodeJS.Timeout | undefined;
function startPush(): void {
  if (enc) return;
  const e = spawn('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`],
    ...['-r', String(FPS), '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-g', String(FPS), '-bf', '0', '-flush_packets', '1', '-muxdelay', '0', '-f', 'mpegts', 'pipe:1'],
  ]);
  enc = e;
  const req = request(`http://127.0.0.1:${port}/video/ingest/cam`, {
    method: 'POST',
    headers: { 'content-type': 'video/mp2t', authorization: 'Basic YmVuY2g6YmVuY2g=' },
  });
  push = req;
  req.on('error', () => {});
  req.flushHeaders();
  e.stdout?.on('data', (b: Buffer) => req.write(b));
  e.stderr?.on('data', (b: Buffer) => process.stderr.write(b));
  tick = setInterval(() => e.stdin?.write(frame(Date.now())), 1000 / FPS);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
});
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${port}/`);
  await tab.waitForFunction(() => (globalThis as unknown as { samples: number[] }).samples.length > 25, null, {
    timeout: 30_000,
  });
  await tab.evaluate(() => {
    (globalThis as unknown as { samples: number[] }).samples = []; // start-up catch-up is not steady state
  });
  await tab.waitForTimeout(SECONDS * 1000);
  const samples = await tab.evaluate(() => (globalThis as unknown as { samples: number[] }).samples);
  const result = {
    when: new Date().toISOString(),
    command: `node --import tsx bench/video/glass.ts ${SECONDS}`,
    path: 'raw frames -> x264 ultrafast zerolatency (GOP 1 s) -> MPEG-TS push -> gateway -> WebSocket -> mpegts.js/MSE in Chromium (headless, software decode)',
    source: `${W}x${H} ${FPS} fps`,
    frames: samples.length,
    p50Ms: percentile(samples, 50),
    p90Ms: percentile(samples, 90),
    p99Ms: percentile(samples, 99),
    maxMs: Math.max(...samples),
    goalP50Ms: 300,
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(new URL('../results/glass-to-glass.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  clearInterval(tick);
  await browser.close();
  enc?.kill('SIGKILL');
  push?.destroy();
  await gw.stop();
  server.close();
  await rm(dataDir, { recursive: true, force: true });
}
