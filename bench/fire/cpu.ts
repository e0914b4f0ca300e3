/**
 * Cost of watching a camera for fire (issue 23: goal <= 0.05 core per watched camera, bounded
 * memory), measured the way the product runs it: a GStreamer RTSP camera pulled by the gateway
 * (in-process RTSP client), gateway.watchFrames() decoding keyframes in one ffmpeg per camera, and
 * each frame scored by the detector (proposals, backbone, head, fire tracker, smoke tracker) as the worker does, here
 * on the bench's own thread so its CPU can be timed per call.
 *
 *   node --import tsx bench/fire/cpu.ts        (FIRE_CPU_MS=30000 per scene)
 *
 * Scenes: 640x360 15 fps (the simulator's cameras) and 1920x1080 25 fps 4 Mbit/s, each with a
 * flame composited in (the detector's busiest case: crops to score every frame) and without.
 * Per camera: ffmpeg decoder CPU (from /proc), scoring CPU per frame x frames per second, ffmpeg
 * PSS, and the heap the scorer holds. Writes bench/results/fire-cpu.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VideoGateway } from '@gwanje/gateway';
import { FireTracker, frameOf, SmokeTracker } from '@gwanje/vision';
import { loadFireScorer } from '@gwanje/vision/node';
import pino from 'pino';
import { writeFlamePngs } from '../../testkit/flame.js';
import { startRtspServer } from '../../testkit/rtsp.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const SHARED_FIRE = process.env.FIRE_SHARED ?? join(here, '../../../shared/fire');
const MEASURE_MS = Number(process.env.FIRE_CPU_MS ?? 30_000);
const TICKS = 100; // USER_HZ

function procCpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}
function pssKb(pid: number): number {
  const m = /Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
/** ffmpeg children of this process decoding frames (-skip_frame nokey). */
function decoders(): number[] {
  const out: number[] = [];
  for (const line of readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/)) {
    const pid = Number(line);
    if (!pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nokey')) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

async function scene(name: string, launch: string | undefined, scorer: Awaited<ReturnType<typeof loadFireScorer>>) {
  const cam = await startRtspServer({ path: name, launch });
  const gw = new VideoGateway(
    {
      log: pino({ level: 'warn' }),
      authorizeViewer: async () => ({ user: 'bench' }),
      authorizeIngest: async () => false,
      startUpstream: async () => ({ kind: 'rtsp', url: cam.url }),
      stopUpstream: async () => {},
    },
    { dataDir: join(tmpdir(), 'gwanje-fire-cpu') },
  );
  await gw.start();
  const tracker = new FireTracker();
  const smoke = new SmokeTracker();
  let frames = 0;
  let scoreMs = 0;
  let flagged = 0;
  let modelRuns = 0;
  let measuring = false;
  const stop = gw.watchFrames(name, (f) => {
    const t0 = process.cpuUsage();
    const frame = frameOf(f.width, f.height, f.data);
    const step = tracker.observe(frame, scorer, f.at);
    smoke.observe(frame, f.at);
    const c = process.cpuUsage(t0);
    if (!measuring) return;
    frames++;
    scoreMs += (c.user + c.system) / 1000;
    if (step.flagged) flagged++;
    if (step.scored) modelRuns++;
  });
  try {
    await new Promise((r) => setTimeout(r, 8000)); // camera up, first frames, JIT warm
    const [dec] = decoders();
    if (!dec) throw new Error('bench: no frame decoder running');
    const c0 = procCpu(dec);
    const heap0 = process.memoryUsage().heapUsed;
    measuring = true;
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    measuring = false;
    const secs = (Date.now() - t0) / 1000;
    const decoderCores = (procCpu(dec) - c0) / secs;
    const fps = frames / secs;
    const scoreCores = scoreMs / 1000 / secs;
    const r = {
      scene: name,
      framesPerSecond: +fps.toFixed(2),
      flaggedFrames: flagged,
      modelRunsPerFrame: +(modelRuns / Math.max(1, frames)).toFixed(2),
      decoderCores: +decoderCores.toFixed(4),
      scoreMsPerFrame: +(scoreMs / Math.max(1, frames)).toFixed(1),
      scoreCores: +scoreCores.toFixed(4),
      coresPerCamera: +(decoderCores + scoreCores).toFixed(4),
      decoderPssMb: +(pssKb(dec) / 1024).toFixed(1),
      heapDeltaMb: +((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toFixed(1),
    };
    console.log(JSON.stringify(r));
    return r;
  } finally {
    await stop();
    await gw.stop();
    await cam.stop();
  }
}

const rss0 = process.memoryUsage().rss;
const scorer = await loadFireScorer();
const scorerRssMb = +((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(1);
const pattern = await writeFlamePngs(SHARED_FIRE, join(tmpdir(), 'gwanje-fire-cpu-png'), 120, 160, 60, 15);
const enc = (kbps: number, gop: number) =>
  `x264enc tune=zerolatency speed-preset=ultrafast key-int-max=${gop} bitrate=${kbps} ! rtph264pay name=pay0 pt=96 config-interval=1`;
const src = (w: number, h: number, fps: number) =>
  `videotestsrc is-live=true pattern=ball background-color=0xff383830 ! video/x-raw,width=${w},height=${h},framerate=${fps}/1`;
const withFlame = (w: number, h: number, fps: number, kbps: number) =>
  `( ${src(w, h, fps)} ! compositor name=mix sink_1::xpos=${Math.round(w * 0.4)} sink_1::ypos=${Math.round(h * 0.4)} ` +
  `! videoconvert ! ${enc(kbps, fps)} multifilesrc location=${pattern} loop=true caps=image/png,framerate=${fps}/1 ! pngdec ! videoconvert ! mix. )`;
const quiet = (w: number, h: number, fps: number, kbps: number) => `( ${src(w, h, fps)} ! ${enc(kbps, fps)} )`;
const load = loadavg();
const scenes: Array<[string, string]> = [
  ['sd-flame', withFlame(640, 360, 15, 400)],
  ['sd-quiet', quiet(640, 360, 15, 400)],
  ['hd-flame', withFlame(1920, 1080, 25, 4000)],
  ['hd-quiet', quiet(1920, 1080, 25, 4000)],
];
// FIRE_CPU_SCENES=sd-flame,sd-quiet measures only those (the 1080p camera cannot be encoded in real time on a loaded 2-core machine).
const only = process.env.FIRE_CPU_SCENES?.split(',');
const results = [];
for (const [name, launch] of scenes) if (!only || only.includes(name)) results.push(await scene(name, launch, scorer));
const out = {
  at: new Date().toISOString(),
  loadavgBefore: load,
  loadavgAfter: loadavg(),
  measureMs: MEASURE_MS,
  scorerRssMb,
  results,
};
writeFileSync(join(here, '../results/fire-cpu.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`scorer resident ${scorerRssMb} MB; load before ${load.map((x) => x.toFixed(2)).join(' ')}`);
