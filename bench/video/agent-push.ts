/**
 * bench/video/agent-push: what the edge agent spends per pushed camera, relaying 8 cameras of
 * 1080p to the center in process (@gwanje/media, the default since issue 20) and with
 * `relay: "ffmpeg"` (one `ffmpeg -c copy` child per camera), side by side in one run. Writes
 * bench/results/agent-push.json.
 *
 *   npx tsx bench/video/agent-push.ts   (BENCH_CAMERAS=8 BENCH_RUNS=2 BENCH_WARM_MS=15000
 *                                        BENCH_MEASURE_MS=30000)
 *
 * Cameras: BENCH_CAMERAS GStreamer RTSP servers (one process each, rtsp-file-server.py), each
 * serving the pre-encoded 1080p25 H.264 file (~4 Mbit/s, GOP 1 s) in real time, no encoding in the
 * loop. Agent: the edge agent's own StreamPush (pusher.ts) for every camera, in a process of its
 * own, relay native or ffmpeg. Center: the real gateway (gateway-server.ts: VideoGateway's push
 * ingest) with one WebSocket viewer per camera, whose bytes are what the center delivered.
 *
 * Measured per phase, in the steady state (after BENCH_WARM_MS), over BENCH_MEASURE_MS: CPU of the
 * agent's process tree (the node process and, with relay ffmpeg, its ffmpeg children) from each
 * thread's schedstat (proc.ts), PSS and plain RSS of the tree, bytes per camera per second at the
 * viewers, and the machine's load average. The two phases alternate inside each run with fresh
 * agent and gateway processes.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../testkit/index.js';
import { makeSource, SOURCE_DESCRIPTION, sleep, startCamera, startGateway } from './harness.js';
import { measure, type Usage } from './proc.js';
import { openViewer, round, type Viewer } from './viewers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const WARM_MS = Number(process.env.BENCH_WARM_MS ?? 15_000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 30_000);
type Relay = 'native' | 'ffmpeg';
/** tsx's esbuild service, a child of the bench's agent process that a shipped agent does not have. */
const TSX_LOADER = 'esbuild';

function version(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0]?.trim() ?? '';
}

/** The agent pushing every camera with `relay`, the gateway receiving, one viewer per camera. */
async function phase(urls: string[], relay: Relay) {
  const ids = urls.map((_, i) => `push-${i}`);
  const gw = await startGateway(Object.fromEntries(ids.map((id) => [id, { kind: 'push' }])));
  let agent: ChildProcess | undefined;
  const viewers: Viewer[] = [];
  try {
    for (const id of ids) viewers.push(await openViewer(`ws://127.0.0.1:${gw.port}/video/${id}?token=bench`, false));
    agent = fork(join(here, 'pusher.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        BENCH_RTSP_URLS: urls.join(','),
        BENCH_INGEST: `http://127.0.0.1:${gw.port}`,
        BENCH_STREAMS: String(urls.length),
        BENCH_RELAY: relay,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await waitFor(() => viewers.every((v) => v.bytes > 100_000), 60_000);
    await sleep(WARM_MS);
    console.log(`agent: ${urls.length} cameras pushed, relay ${relay}, measuring ${MEASURE_MS} ms...`);
    const loads: number[] = [];
    const sampler = setInterval(() => loads.push(loadavg()[0]), 1000);
    const bytes0 = viewers.map((v) => v.bytes);
    const t0 = performance.now();
    const use = await measure(agent.pid ?? 0, MEASURE_MS, [TSX_LOADER]);
    const dt = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const kbit = viewers.map((v, i) => ((v.bytes - (bytes0[i] ?? 0)) * 8) / 1000 / dt);
    const h = await gw.health();
    return { use, kbit, loads, fps: h.health.map((c) => c.fps) };
  } finally {
    for (const v of viewers) v.ws.terminate();
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent?.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await gw.stop();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function figures(p: Awaited<ReturnType<typeof phase>>, relay: Relay) {
  const u: Usage = p.use;
  return {
    relay,
    cpuCores: round(u.cpuCores, 4),
    cpuCoresPerCamera: round(u.cpuCores / CAMERAS, 5),
    cpuByProcess: Object.fromEntries(Object.entries(u.cpuByProcess).map(([k, v]) => [k, round(v, 4)])),
    userCores: round(u.userCores, 4),
    sysCores: round(u.sysCores, 4),
    pssMb: round(u.rssMb, 1),
    pssMbPerCamera: round(u.rssMb / CAMERAS, 2),
    rssMb: round(u.rssPlainMb, 1),
    rssMbPerCamera: round(u.rssPlainMb / CAMERAS, 2),
    processes: u.processes,
    threadsLost: u.threadsLost,
    deliveredKbitPerSPerCamera: {
      mean: round(mean(p.kbit), 0),
      min: round(Math.min(...p.kbit), 0),
      max: round(Math.max(...p.kbit), 0),
    },
    gatewayFps: { min: round(Math.min(...p.fps), 1), max: round(Math.max(...p.fps), 1) },
    loadAvg1m: {
      mean: round(mean(p.loads), 2),
      min: round(Math.min(...p.loads), 2),
      max: round(Math.max(...p.loads), 2),
    },
  };
}

async function main() {
  makeSource();
  const cameras = await Promise.all(Array.from({ length: CAMERAS }, () => startCamera()));
  const urls = cameras.map((c) => c.url);
  const runs: Array<{ native: ReturnType<typeof figures>; ffmpeg: ReturnType<typeof figures>; ratio: object }> = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      console.log(`--- run ${i + 1} of ${RUNS}`);
      const native = figures(await phase(urls, 'native'), 'native');
      const ffmpeg = figures(await phase(urls, 'ffmpeg'), 'ffmpeg');
      const ratio = {
        cpuFfmpegOverNative: round(ffmpeg.cpuCores / native.cpuCores, 2),
        pssFfmpegOverNative: round(ffmpeg.pssMb / native.pssMb, 2),
        rssFfmpegOverNative: round(ffmpeg.rssMb / native.rssMb, 2),
      };
      runs.push({ native, ffmpeg, ratio });
      console.log(
        `run ${i + 1}: per camera native ${native.cpuCoresPerCamera} cores / ${native.pssMbPerCamera} MB PSS, ffmpeg ${ffmpeg.cpuCoresPerCamera} cores / ${ffmpeg.pssMbPerCamera} MB PSS; delivered ${native.deliveredKbitPerSPerCamera.mean} vs ${ffmpeg.deliveredKbitPerSPerCamera.mean} kbit/s per camera; load ${native.loadAvg1m.mean} / ${ffmpeg.loadAvg1m.mean}`,
      );
    }
  } finally {
    await Promise.all(cameras.map((c) => c.stop()));
  }
  const results = {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model },
    versions: { node: process.version, ffmpeg: version('ffmpeg', ['-version']) },
    source: `${CAMERAS} cameras (one GStreamer RTSP server each), ${SOURCE_DESCRIPTION}`,
    agent:
      'edge-agent StreamPush per camera (bench/video/pusher.ts, one node process run with tsx), POSTing MPEG-TS chunked to the ingest',
    center: 'real gateway push ingest (bench/video/gateway-server.ts, VideoGateway), one WebSocket viewer per camera',
    method:
      'agent process tree (less the esbuild child of the tsx loader, which a shipped agent does not have): CPU from per-thread schedstat, PSS and plain RSS from smaps_rollup, steady state after warm-up; native and ffmpeg phases alternate in each run with fresh processes',
    cameras: CAMERAS,
    runs: RUNS,
    warmMs: WARM_MS,
    measureMs: MEASURE_MS,
    perRun: runs,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'agent-push.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

await main();
