/**
 * bench/video: what one relayed 1080p stream and one viewer cost the gateway, side by side with
 * node-rtsp-stream transcoding the same camera to MPEG1, and the delivery latency (a frame's
 * arrival at a viewer vs its arrival at the gateway). Writes bench/results/video.json.
 *
 *   npx tsx bench/video/video.ts   (BENCH_STREAMS=8 BENCH_VIEWERS=50 BENCH_RUNS=3
 *                                   BENCH_WARM_MS=30000 BENCH_MEASURE_MS=20000)
 *
 * Source: a pre-encoded 1080p25 H.264 file (~4 Mbit/s, GOP 1 s, 5 min) served in real time by a
 * GStreamer RTSP server (no encoding in the loop). The pushers run the edge agent's own StreamPush
 * (pusher.ts: ffmpeg RTSP in, `-c copy`, the agent POSTing the MPEG-TS chunked), as a site would.
 * Pull is measured twice: with the gateway's in-process RTSP client (the default) and with
 * `ffmpeg -c copy` per camera (GWANJE_RTSP_CLIENT=ffmpeg), whose CPU counts as the gateway's.
 *
 * Fairness: CPU is each thread's exact time on CPU (proc.ts, schedstat), measured in the steady
 * state only: after BENCH_WARM_MS (longer than the gateway's 20 s clip ring takes to fill, and JIT
 * and heap settled), over BENCH_MEASURE_MS. The whole comparison runs BENCH_RUNS times with fresh
 * processes and the results keep every run next to the median and range.
 * Issue 20: the same run also measures BENCH_WEBRTC_VIEWERS (10) WebRTC viewers of one pulled camera
 * (webrtc-viewers.ts): CPU per WebRTC viewer next to CPU per MPEG-TS viewer.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '../../testkit/index.js';
import { rtspConnections } from '../../testkit/rtsp.js';
import { makeSource, type RtspClientKind, SOURCE_DESCRIPTION, sleep, startCamera, startGateway } from './harness.js';
import { measure, type Usage } from './proc.js';
import { latencies, latencySummary as latency, openViewer, round, type Viewer } from './viewers.js';
import { webrtcViewerPhase } from './webrtc-viewers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 8);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARM_MS = Number(process.env.BENCH_WARM_MS ?? 30_000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 20_000);
const WEBRTC_VIEWERS = Number(process.env.BENCH_WEBRTC_VIEWERS ?? 10);
const LATENCY_VIEWERS = 10; // viewers whose frames are timed (parsing all 50 would load the bench process)
/** CPU per relayed stream above the idle gateway. */
const perStream = (use: Usage, idle: Usage) => (use.cpuCores - idle.cpuCores) / STREAMS;
/** A relay phase's usage, per stream above the idle gateway. */
const relayFigures = (use: Usage, idle: Usage) => ({
  ...usage(use),
  cpuCoresPerStream: round(perStream(use, idle), 5),
  rssMbPerStream: round((use.rssMb - idle.rssMb) / STREAMS, 2),
});
function usage(u: Usage) {
  return {
    cpuCores: round(u.cpuCores, 4),
    userCores: round(u.userCores, 4),
    sysCores: round(u.sysCores, 4),
    rssMb: round(u.rssMb, 1),
    processes: u.processes,
    cpuByProcess: Object.fromEntries(Object.entries(u.cpuByProcess).map(([k, v]) => [k, round(v, 4)])),
    threadsLost: u.threadsLost,
  };
}

/**
 * The gateway pulling STREAMS cameras over RTSP (1 viewer each), then (with `fanout`) VIEWERS on
 * the first one, counting the RTSP sessions the camera sees.
 */
async function pullPhase(camera: { url: string; port: number }, rtspClient: RtspClientKind, fanout: boolean) {
  const cams = Object.fromEntries(
    Array.from({ length: STREAMS }, (_, i) => [`pull-${i}`, { kind: 'rtsp', url: camera.url }]),
  );
  const gw = await startGateway(cams, 'pull-0', rtspClient);
  try {
    const idle = await measure(gw.child.pid ?? 0, 5000);
    const viewers: Viewer[] = [];
    for (let i = 0; i < STREAMS; i++)
      viewers.push(await openViewer(`ws://127.0.0.1:${gw.port}/video/pull-${i}?token=bench`, i === 0));
    await waitFor(() => viewers.every((v) => v.bytes > 100_000), 20_000);
    await sleep(WARM_MS);
    console.log(`relay: ${STREAMS} pulled 1080p streams (${rtspClient}), 1 viewer each, measuring ${MEASURE_MS} ms...`);
    const pull = await measure(gw.child.pid ?? 0, MEASURE_MS);
    if (!fanout) {
      const lat = latencies(viewers, gw.frames);
      for (const v of viewers) v.ws.terminate();
      return { idle, pull, lat };
    }
    for (let i = 1; i < VIEWERS; i++)
      viewers.push(await openViewer(`ws://127.0.0.1:${gw.port}/video/pull-0?token=bench`, i < LATENCY_VIEWERS));
    await waitFor(() => viewers.every((v) => v.bytes > 100_000), 20_000);
    await sleep(Math.min(WARM_MS, 10_000));
    console.log(`relay: ${VIEWERS} viewers on one stream, measuring ${MEASURE_MS} ms...`);
    const fan = await measure(gw.child.pid ?? 0, MEASURE_MS);
    const h = await gw.health();
    const sessions = rtspConnections(camera.port);
    const lat = latencies(viewers, gw.frames);
    for (const v of viewers) v.ws.terminate();
    return { idle, pull, fan: { use: fan, health: h, sessions }, lat };
  } finally {
    await gw.stop();
  }
}

/** STREAMS pushers running the edge agent's StreamPush (RTSP in, chunked POST out), 1 viewer each. */
async function pushPhase(cameraUrl: string) {
  const pushCams = Object.fromEntries(Array.from({ length: STREAMS }, (_, i) => [`push-${i}`, { kind: 'push' }]));
  const gw = await startGateway(pushCams, 'push-0');
  let pusher: ChildProcess | undefined;
  try {
    const viewers: Viewer[] = [];
    for (let i = 0; i < STREAMS; i++)
      viewers.push(await openViewer(`ws://127.0.0.1:${gw.port}/video/push-${i}?token=bench`, i === 0));
    pusher = fork(join(here, 'pusher.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        BENCH_RTSP_URL: cameraUrl,
        BENCH_INGEST: `http://127.0.0.1:${gw.port}`,
        BENCH_STREAMS: String(STREAMS),
      },
      stdio: 'ignore',
    });
    await waitFor(() => viewers.every((v) => v.bytes > 100_000), 30_000);
    await sleep(WARM_MS);
    console.log(`relay: ${STREAMS} pushed 1080p streams, measuring ${MEASURE_MS} ms...`);
    const push = await measure(gw.child.pid ?? 0, MEASURE_MS);
    const lat = latencies(viewers, gw.frames);
    for (const v of viewers) v.ws.terminate();
    return { push, lat };
  } finally {
    pusher?.kill('SIGTERM');
    await gw.stop();
  }
}

/** The peer: node-rtsp-stream, one 1080p camera transcoded to MPEG1, 1 viewer. */
async function peerPhase(cameraUrl: string) {
  const wsPort = await freePort();
  const peer = fork(join(here, 'peer-node-rtsp-stream.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_RTSP_URL: cameraUrl, BENCH_STREAMS: '1', BENCH_WS_PORT: String(wsPort) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let peerErr = '';
  peer.stderr?.on('data', (b: Buffer) => {
    peerErr = (peerErr + b.toString()).slice(-4000);
  });
  try {
    await new Promise((r) => peer.once('message', r));
    await sleep(500);
    const pv = await openViewer(`ws://127.0.0.1:${wsPort}`, false);
    await waitFor(() => pv.bytes > 50_000, 30_000);
    await sleep(Math.min(WARM_MS, 10_000));
    console.log(`peer: node-rtsp-stream 1080p -> MPEG1, measuring ${MEASURE_MS} ms...`);
    const use = await measure(peer.pid ?? 0, MEASURE_MS);
    pv.ws.terminate();
    return {
      use,
      fps: Number([...peerErr.matchAll(/fps=\s*([\d.]+)/g)].pop()?.[1] ?? Number.NaN),
      speed: [...peerErr.matchAll(/speed=\s*([\d.]+)x/g)].pop()?.[1],
    };
  } finally {
    peer.kill('SIGTERM');
    await new Promise((r) => peer.once('exit', r));
  }
}

async function runOnce(camera: { url: string; port: number }) {
  const rtc = await webrtcViewerPhase(camera.url, { viewers: WEBRTC_VIEWERS, warmMs: WARM_MS, measureMs: MEASURE_MS });
  const p = await pullPhase(camera, 'native', true);
  const f = await pullPhase(camera, 'ffmpeg', false);
  const s = await pushPhase(camera.url);
  const peer = await peerPhase(camera.url);
  const fan = p.fan as NonNullable<typeof p.fan>;
  const relayPull = relayFigures(p.pull, p.idle);
  const relayPullFfmpeg = relayFigures(f.pull, f.idle);
  const relayPush = relayFigures(s.push, p.idle);
  const peerPerStream = peer.use.cpuCores;
  const pull0 = fan.health.health.find((x) => x.cameraId === 'pull-0');
  return {
    gatewayIdle: usage(p.idle),
    relayPull,
    relayPullFfmpeg,
    relayPush,
    viewers: {
      ...usage(fan.use),
      cpuCoresPerViewer: round((fan.use.cpuCores - p.pull.cpuCores) / (VIEWERS - 1), 5),
      rssMbPerViewer: round((fan.use.rssMb - p.pull.rssMb) / (VIEWERS - 1), 3),
      oneUpstream: {
        viewersOnStream: pull0?.viewers,
        rtspSessionsAtCamera: fan.sessions,
        ffmpegChildren: fan.health.ffmpeg,
        cameras: STREAMS,
      },
    },
    webrtcViewers: {
      viewers: WEBRTC_VIEWERS,
      base: usage(rtc.base),
      with: usage(rtc.rtc),
      cpuCoresPerViewer: round(rtc.cpuCoresPerViewer, 5),
      rssMbPerViewer: round(rtc.rssMbPerViewer, 3),
      framesPerViewerInWindow: round(rtc.unitsPerViewer, 0),
      failedConnections: rtc.failedConnections,
    },
    latencyMs: { pull: latency(p.lat), pullFfmpeg: latency(f.lat), push: latency(s.lat) },
    peer: {
      tool: 'node-rtsp-stream 0.0.9 (ffmpeg mpeg1video, -r 25, 1080p)',
      ...usage(peer.use),
      cpuCoresPerStream: round(peerPerStream, 4),
      ffmpegFps: peer.fps,
      ffmpegSpeed: peer.speed,
    },
    ratio: {
      pull: round(peerPerStream / perStream(p.pull, p.idle), 1),
      pullFfmpeg: round(peerPerStream / perStream(f.pull, f.idle), 1),
      push: round(peerPerStream / perStream(s.push, p.idle), 1),
    },
    oneUpstreamFor50Viewers: pull0?.viewers === VIEWERS && fan.sessions === STREAMS,
  };
}

type Run = Awaited<ReturnType<typeof runOnce>>;

function spread(runs: Run[], pick: (r: Run) => number, d = 4) {
  const xs = runs.map(pick).sort((a, b) => a - b);
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median: round(median, d), min: round(xs[0], d), max: round(xs[xs.length - 1], d) };
}

async function main() {
  makeSource();
  const camera = await startCamera();
  const runs: Run[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      console.log(`--- run ${i + 1} of ${RUNS}`);
      runs.push(await runOnce(camera));
      const r = runs.at(-1) as Run;
      console.log(
        `run ${i + 1}: push ${r.relayPush.cpuCoresPerStream} (1/${r.ratio.push}), pull ${r.relayPull.cpuCoresPerStream} (1/${r.ratio.pull}), pull with ffmpeg ${r.relayPullFfmpeg.cpuCoresPerStream} (1/${r.ratio.pullFfmpeg}), peer ${r.peer.cpuCoresPerStream}; per viewer MSE ${r.viewers.cpuCoresPerViewer}, WebRTC ${r.webrtcViewers.cpuCoresPerViewer}; latency pull p50/p99 ${r.latencyMs.pull.p50}/${r.latencyMs.pull.p99} ms, push ${r.latencyMs.push.p50}/${r.latencyMs.push.p99} ms`,
      );
    }
  } finally {
    await camera.stop();
  }
  const pushRatio = spread(runs, (r) => r.ratio.push, 1);
  const pullRatio = spread(runs, (r) => r.ratio.pull, 1);
  const push = spread(runs, (r) => r.relayPush.cpuCoresPerStream, 5);
  const pull = spread(runs, (r) => r.relayPull.cpuCoresPerStream, 5);
  const pullFfmpeg = spread(runs, (r) => r.relayPullFfmpeg.cpuCoresPerStream, 5);
  const pullFfmpegRatio = spread(runs, (r) => r.ratio.pullFfmpeg, 1);
  const results = {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model },
    source: SOURCE_DESCRIPTION,
    pusher: 'edge-agent StreamPush (ffmpeg RTSP -c copy -> MPEG-TS on stdout, POSTed chunked by the agent)',
    method: 'per-thread schedstat CPU of the process tree; steady state after warm-up; median and range of runs',
    streams: STREAMS,
    viewersOnOneStream: VIEWERS,
    runs: RUNS,
    warmMs: WARM_MS,
    measureMs: MEASURE_MS,
    summary: {
      cpuCoresPerStream: { push, pull, pullFfmpeg, peer: spread(runs, (r) => r.peer.cpuCoresPerStream) },
      cpuCoresPerViewer: spread(runs, (r) => r.viewers.cpuCoresPerViewer, 5),
      cpuCoresPerWebrtcViewer: spread(runs, (r) => r.webrtcViewers.cpuCoresPerViewer, 5),
      latencyMs: {
        pull: { p50: spread(runs, (r) => r.latencyMs.pull.p50, 2), p99: spread(runs, (r) => r.latencyMs.pull.p99, 2) },
        pullFfmpeg: {
          p50: spread(runs, (r) => r.latencyMs.pullFfmpeg.p50, 2),
          p99: spread(runs, (r) => r.latencyMs.pullFfmpeg.p99, 2),
        },
        push: { p50: spread(runs, (r) => r.latencyMs.push.p50, 2), p99: spread(runs, (r) => r.latencyMs.push.p99, 2) },
      },
    },
    goals: {
      cpuVsPeer: {
        goal: '<= 1/40 of the peer per stream (ratio >= 40), median of runs',
        pushRatio,
        pullRatio,
        pullFfmpegRatio,
        metPush: pushRatio.median >= 40,
        metPull: pullRatio.median >= 40,
      },
      streamsPerCore: {
        goal: '>= 32',
        push: round(1 / push.median, 1),
        pull: round(1 / pull.median, 1),
        met: 1 / push.median >= 32 && 1 / pull.median >= 32,
      },
      oneUpstreamFor50Viewers: {
        goal: 'one upstream (RTSP session at the camera) per camera, 50 viewers on one',
        met: runs.every((r) => r.oneUpstreamFor50Viewers),
      },
    },
    perRun: runs,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'video.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify({ summary: results.summary, goals: results.goals }, null, 2));
}

await main();
