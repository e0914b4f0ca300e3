/**
 * Issue 20: what the pre-alarm buffer costs per camera. The gateway runs in this process (its CPU
 * and RSS are this process's); a GStreamer RTSP server (another process, not counted) serves a
 * 1280x720 25 fps H.264 camera, GOP 2 s, 2 Mbit/s, to every RTSP session. Phase 1: gateway idle.
 * Phase 2: N cameras held for pre-roll with nobody watching (in-process RTSP pull, TS segmenting,
 * the 20 s ring; nothing decoded), measured once their rings are full.
 *
 *   node --import tsx bench/video/prealarm.ts [cameras=8] [seconds=20]
 *
 * Prints the figures and writes bench/results/prealarm.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { UnknownCameraError, VideoGateway } from '../../gateway/src/index.js';
import { startRtspServer } from '../../testkit/rtsp.js';

const N = Number(process.argv[2] ?? 8);
const SECONDS = Number(process.argv[3] ?? 20);
const LAUNCH =
  '( videotestsrc is-live=true pattern=snow ! video/x-raw,width=1280,height=720,framerate=25/1 ! ' +
  'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=50 bitrate=2000 ! ' +
  'rtph264pay name=pay0 pt=96 config-interval=1 )';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(seconds: number) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let rssMax = 0;
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const c = process.cpuUsage(c0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  return { cores: (c.user + c.system) / wallUs, rssMiB: rssMax / 2 ** 20 };
}

const rtsp = await startRtspServer({ path: 'bench', launch: LAUNCH });
const dataDir = await mkdtemp(join(tmpdir(), 'gwanje-prealarm-bench-'));
const ids = Array.from({ length: N }, (_, i) => `cam-${i}`);
const gw = new VideoGateway(
  {
    log: pino({ level: 'warn' }),
    authorizeViewer: async () => null,
    authorizeIngest: async () => false,
    startUpstream: async (id) => {
      if (!ids.includes(id)) throw new UnknownCameraError(id);
      return { kind: 'rtsp', url: rtsp.url };
    },
    stopUpstream: async () => {},
  },
  { dataDir },
);
try {
  await gw.start();
  await sleep(3000);
  const idle = await measure(SECONDS);
  gw.holdPrealarm(ids);
  // Rings fill to their 20 s bound first: the steady state is what a site pays.
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000 && !gw.health().every((h) => h.preRollMs >= 19_000)) await sleep(500);
  const held = await measure(SECONDS);
  const health = gw.health();
  const result = {
    when: new Date().toISOString(),
    command: `node --import tsx bench/video/prealarm.ts ${N} ${SECONDS}`,
    source:
      '1280x720 25 fps H.264, GOP 2 s, x264 target 2 Mbit/s (GStreamer RTSP server, other process; see meanBitrateBps for what it delivered)',
    cameras: N,
    live: health.filter((h) => h.state === 'live').length,
    preRollMsMin: Math.min(...health.map((h) => h.preRollMs)),
    meanBitrateBps: Math.round(health.reduce((n, h) => n + h.bitrateBps, 0) / N),
    idle: { cores: +idle.cores.toFixed(4), rssMiB: +idle.rssMiB.toFixed(1) },
    held: { cores: +held.cores.toFixed(4), rssMiB: +held.rssMiB.toFixed(1) },
    perCamera: {
      cores: +((held.cores - idle.cores) / N).toFixed(4),
      rssMiB: +((held.rssMiB - idle.rssMiB) / N).toFixed(2),
      ringMiB: +(gw.ringBytes / N / 2 ** 20).toFixed(2),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  await writeFile(new URL('../results/prealarm.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await gw.stop();
  await rtsp.stop();
  await rm(dataDir, { recursive: true, force: true });
}
