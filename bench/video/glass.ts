/**
 * Issue 20: glass-to-glass latency of the MPEG-TS/MSE and WebRTC paths, in one run on one source
 * (glass-page.js plays each in turn: MSE with the console's settings before tuning, MSE tuned, WebRTC).
 * A source whose every frame carries its
 * own capture time: this process draws Date.now() as 44 black/white blocks into raw 640x360 frames
 * at 25 fps, x264 (ultrafast, zerolatency, GOP 1 s, no B-frames) encodes them to MPEG-TS, which is
 * pushed to a VideoGateway as an agent pushes. Chromium plays `/video/cam`, reads the blocks back from each presented frame
 * (requestVideoFrameCallback + canvas) and compares them with its wall clock (same machine clock).
 * Counts encode, mux, relay, transport, demux, decode and presentation; not the display's scan-out.
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
const pageJs = readFileSync(new URL('./glass-page.js', import.meta.url));
const page = `<!doctype html><video id=v muted playsinline autoplay></video><canvas id=c width=${W} height=40></canvas>
<script src="/mpegts.js"></script><script src="/glass-page.js"></script>`;

/** mpegts.js as the console tile had it before issue 20's tuning (glass-to-glass p50 958 ms). */
const MSE_BEFORE = {
  ...{ enableWorker: false, enableStashBuffer: false, lazyLoad: false, autoCleanupSourceBuffer: true },
  ...{ liveBufferLatencyChasing: true, liveBufferLatencyMaxLatency: 1.5, liveBufferLatencyMinRemain: 0.3 },
};
/** The tuned settings of web-console/src/wall/mse-player.ts (kept equal by hand: same numbers). */
const MSE_TUNED = {
  ...MSE_BEFORE,
  ...{ stashInitialSize: 1, liveSync: true, liveSyncMaxLatency: 0.3, liveSyncTargetLatency: 0.15 },
  liveSyncPlaybackRate: 1.2,
};
const variants: Array<{ name: string; query: Record<string, string> }> = [
  { name: 'mse-before', query: { mode: 'mse', config: JSON.stringify(MSE_BEFORE) } },
  { name: 'mse-tuned', query: { mode: 'mse', config: JSON.stringify(MSE_TUNED) } },
  { name: 'webrtc', query: { mode: 'webrtc' } },
];
const server = createServer((req, res) => {
  if (gw.handleHttp(req, res)) return;
  if (req.url === '/mpegts.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(player);
  else if (req.url === '/glass-page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(pageJs);
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
  args: ['--headless', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking'],
});
type Samples = { samples: number[] };
async function measure(v: (typeof variants)[number]) {
  const tab = await browser.newPage();
  const q = new URLSearchParams({ ...v.query, w: String(W), h: String(H), bits: String(BITS), block: String(BLOCK) });
  await tab.goto(`http://127.0.0.1:${port}/?${q}`);
  await tab.waitForFunction(() => (globalThis as unknown as Samples).samples.length > 25, null, { timeout: 30_000 });
  await tab.evaluate(() => {
    (globalThis as unknown as Samples).samples = []; // start-up catch-up is not steady state
  });
  await tab.waitForTimeout(SECONDS * 1000);
  const samples = await tab.evaluate(() => (globalThis as unknown as Samples).samples);
  await tab.close();
  return {
    frames: samples.length,
    p50Ms: percentile(samples, 50),
    p90Ms: percentile(samples, 90),
    p99Ms: percentile(samples, 99),
    maxMs: Math.max(...samples),
  };
}

try {
  const paths: Record<string, Awaited<ReturnType<typeof measure>> & { player: unknown }> = {};
  for (const v of variants) {
    paths[v.name] = { player: v.query, ...(await measure(v)) };
    console.log(v.name, JSON.stringify(paths[v.name]));
  }
  const result = {
    when: new Date().toISOString(),
    command: `node --import tsx bench/video/glass.ts ${SECONDS}`,
    note: 'measured on a 2-core machine shared with other engineers running builds and tests (loaded)',
    path: 'raw frames -> x264 ultrafast zerolatency (GOP 1 s) -> MPEG-TS push -> gateway -> WebSocket (MSE: mpegts.js) or WebRTC (werift, RTP from the same access units, no transcoding) -> Chromium (headless, software decode)',
    source: `${W}x${H} ${FPS} fps`,
    secondsPerPath: SECONDS,
    goalP50Ms: 300,
    paths,
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
