/**
 * bench/video: what one relayed 1080p stream and one viewer cost the gateway, side by side with
 * node-rtsp-stream transcoding the same camera to MPEG1, and the delivery latency (a frame's
 * arrival at a viewer vs its arrival at the gateway). Writes bench/results/video.json.
 *
 *   npx tsx bench/video/video.ts            (BENCH_STREAMS=8 BENCH_VIEWERS=50 BENCH_MEASURE_MS=10000)
 *
 * Source: a pre-encoded 1080p25 H.264 file (~4 Mbit/s, GOP 1 s) served in real time by a
 * GStreamer RTSP server (no encoding in the loop). Phases run one after another in one run.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { TsSegmenter } from '../../gateway/src/ts/index.js';
import { freePort, spawnServer, waitFor } from '../../testkit/index.js';
import { measure, type Usage } from './proc.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 8);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 50);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10_000);
const LATENCY_VIEWERS = 10; // viewers whose frames are timed (parsing all 50 would load the bench process)
const work = '/tmp/gwanje-bench';
const source = join(work, 'src1080.mp4');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

function makeSource(): void {
  if (existsSync(source)) return;
  mkdirSync(work, { recursive: true });
  console.log('encoding a 40 s 1080p25 H.264 source (once)...');
  const r = spawnSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25'],
    ...['-t', '40', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '4M'],
    ...['-maxrate', '4M', '-bufsize', '2M', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', source],
  ]);
  if (r.status !== 0) throw new Error(`bench: encoding failed: ${r.stderr}`);
}

async function startCamera() {
  const port = await freePort();
  const srv = spawnServer('/usr/bin/python3', [join(here, 'rtsp-file-server.py'), String(port), 'cam', source]);
  await waitFor(() => srv.output().includes('READY'), 15_000);
  return { url: `rtsp://127.0.0.1:${port}/cam`, stop: () => srv.stop() };
}

interface GatewayProc {
  child: ChildProcess;
  port: number;
  frames: Map<number, number>;
  health(): Promise<{ health: Array<{ cameraId: string; viewers: number; fps: number }>; ffmpeg: number }>;
  stop(): Promise<void>;
}

async function startGateway(cameras: Record<string, unknown>, latencyCamera?: string): Promise<GatewayProc> {
  const child = fork(join(here, 'gateway-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_CAMERAS: JSON.stringify(cameras), BENCH_LATENCY_CAMERA: latencyCamera ?? '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const frames = new Map<number, number>();
  let healthWaiter: ((v: never) => void) | undefined;
  const port = await new Promise<number>((resolve) => {
    child.on('message', (m: { type: string; port?: number; frames?: Array<[number, number]> }) => {
      if (m.type === 'ready') resolve(m.port ?? 0);
      if (m.type === 'frames') for (const [pts, at] of m.frames ?? []) if (!frames.has(pts)) frames.set(pts, at);
      if (m.type === 'health') healthWaiter?.(m as never);
    });
  });
  return {
    child,
    port,
    frames,
    health: () =>
      new Promise((resolve) => {
        healthWaiter = resolve;
        child.send({ type: 'health' });
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

interface Viewer {
  ws: WebSocket;
  /** Wall clock when the viewer connected: frames the gateway had before are GOP-cache priming. */
  openedAt: number;
  bytes: number;
  samples: Array<[number, number]>;
}

function openViewer(url: string, timed: boolean): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const v: Viewer = { ws, openedAt: now(), bytes: 0, samples: [] };
    const seg = timed ? new TsSegmenter() : undefined;
    ws.on('message', (d: Buffer) => {
      const at = now();
      v.bytes += d.length;
      if (seg)
        for (const s of seg.push(d)) for (const f of s.frames) if (f.pts !== undefined) v.samples.push([f.pts, at]);
    });
    ws.once('open', () => resolve(v));
    ws.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const usage = (u: Usage) => ({ cpuCores: round(u.cpuCores, 4), rssMb: round(u.rssMb, 1), processes: u.processes });

async function main() {
  makeSource();
  const cores = cpus().length;
  const camera = await startCamera();
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    machine: { cores, cpu: cpus()[0]?.model },
    source: '1920x1080 25 fps H.264 ~4 Mbit/s, GOP 1 s, RTSP (GStreamer, file, no encoding)',
    streams: STREAMS,
    viewersOnOneStream: VIEWERS,
    measureMs: MEASURE_MS,
  };
  try {
    // --- Gateway, RTSP pull (-c copy), STREAMS cameras with 1 viewer each.
    const cams = Object.fromEntries(
      Array.from({ length: STREAMS }, (_, i) => [`pull-${i}`, { kind: 'rtsp', url: camera.url }]),
    );
    const gw = await startGateway(cams, 'pull-0');
    const idle = await measure(gw.child.pid ?? 0, 1000);
    const viewers: Viewer[] = [];
    for (let i = 0; i < STREAMS; i++)
      viewers.push(await openViewer(`ws://127.0.0.1:${gw.port}/video/pull-${i}`, i === 0));
    await waitFor(() => viewers.every((v) => v.bytes > 100_000), 20_000);
    await sleep(2000);
    console.log(`relay: ${STREAMS} pulled 1080p streams, 1 viewer each, measuring ${MEASURE_MS} ms...`);
    const pull = await measure(gw.child.pid ?? 0, MEASURE_MS);
    // --- Same gateway: VIEWERS on pull-0 (one upstream shared).
    for (let i = 1; i < VIEWERS; i++) {
      viewers.push(await openViewer(`ws://127.0.0.1:${gw.port}/video/pull-0`, i < LATENCY_VIEWERS));
    }
    await waitFor(() => viewers.every((v) => v.bytes > 100_000), 20_000);
    await sleep(1000);
    console.log(`relay: ${VIEWERS} viewers on one stream, measuring ${MEASURE_MS} ms...`);
    const fan = await measure(gw.child.pid ?? 0, MEASURE_MS);
    const h = await gw.health();
    const pull0 = h.health.find((x) => x.cameraId === 'pull-0');
    const lat: number[] = [];
    for (const v of viewers)
      for (const [pts, at] of v.samples) {
        const g = gw.frames.get(pts);
        // Frames replayed from the GOP cache to a new viewer are a join-time burst, not delivery latency.
        if (g !== undefined && g >= v.openedAt) lat.push(at - g);
      }
    lat.sort((a, b) => a - b);
    for (const v of viewers) v.ws.terminate();
    await gw.stop();

    // --- Gateway, agent push (no ffmpeg in the gateway at all): STREAMS pushers, 1 viewer each.
    const pushCams = Object.fromEntries(Array.from({ length: STREAMS }, (_, i) => [`push-${i}`, { kind: 'push' }]));
    const gw2 = await startGateway(pushCams);
    const pushViewers: Viewer[] = [];
    for (let i = 0; i < STREAMS; i++)
      pushViewers.push(await openViewer(`ws://127.0.0.1:${gw2.port}/video/push-${i}`, false));
    const pushers = Array.from({ length: STREAMS }, (_, i) =>
      spawn(
        'ffmpeg',
        [
          ...['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', source, '-c', 'copy'],
          ...['-f', 'mpegts', '-method', 'POST', `http://127.0.0.1:${gw2.port}/video/ingest/push-${i}`],
        ],
        { stdio: 'ignore' },
      ),
    );
    await waitFor(() => pushViewers.every((v) => v.bytes > 100_000), 20_000);
    await sleep(2000);
    console.log(`relay: ${STREAMS} pushed 1080p streams, measuring ${MEASURE_MS} ms...`);
    const push = await measure(gw2.child.pid ?? 0, MEASURE_MS);
    for (const p of pushers) p.kill('SIGKILL');
    for (const v of pushViewers) v.ws.terminate();
    await gw2.stop();

    // --- Peer: node-rtsp-stream, one 1080p camera transcoded to MPEG1, 1 viewer.
    const wsPort = await freePort();
    const peer = fork(join(here, 'peer-node-rtsp-stream.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_RTSP_URL: camera.url, BENCH_STREAMS: '1', BENCH_WS_PORT: String(wsPort) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let peerErr = '';
    peer.stderr?.on('data', (b: Buffer) => {
      peerErr = (peerErr + b.toString()).slice(-4000);
    });
    await new Promise((r) => peer.once('message', r));
    await sleep(500);
    const pv = await openViewer(`ws://127.0.0.1:${wsPort}`, false);
    await waitFor(() => pv.bytes > 50_000, 30_000);
    await sleep(2000);
    console.log(`peer: node-rtsp-stream 1080p -> MPEG1, measuring ${MEASURE_MS} ms...`);
    const peerUse = await measure(peer.pid ?? 0, MEASURE_MS);
    const peerFps = Number([...peerErr.matchAll(/fps=\s*([\d.]+)/g)].pop()?.[1] ?? Number.NaN);
    const peerSpeed = [...peerErr.matchAll(/speed=\s*([\d.]+)x/g)].pop()?.[1];
    pv.ws.terminate();
    peer.kill('SIGTERM');
    await new Promise((r) => peer.once('exit', r));

    const perStreamPull = (pull.cpuCores - idle.cpuCores) / STREAMS;
    const perStreamPush = (push.cpuCores - idle.cpuCores) / STREAMS;
    const perViewer = (fan.cpuCores - pull.cpuCores) / (VIEWERS - 1);
    const peerPerStream = peerUse.cpuCores;
    Object.assign(results, {
      gatewayIdle: usage(idle),
      relayPull: {
        ...usage(pull),
        cpuCoresPerStream: round(perStreamPull, 4),
        rssMbPerStream: round((pull.rssMb - idle.rssMb) / STREAMS, 2),
      },
      relayPush: {
        ...usage(push),
        cpuCoresPerStream: round(perStreamPush, 4),
        rssMbPerStream: round((push.rssMb - idle.rssMb) / STREAMS, 2),
      },
      viewers: {
        ...usage(fan),
        cpuCoresPerViewer: round(perViewer, 5),
        rssMbPerViewer: round((fan.rssMb - pull.rssMb) / (VIEWERS - 1), 3),
        oneUpstream: { viewersOnStream: pull0?.viewers, ffmpegChildren: h.ffmpeg, cameras: STREAMS },
      },
      latencyMs: { p50: round(percentile(lat, 50), 2), p99: round(percentile(lat, 99), 2), samples: lat.length },
      peer: {
        tool: 'node-rtsp-stream 0.0.9 (ffmpeg mpeg1video, -r 25, 1080p)',
        ...usage(peerUse),
        cpuCoresPerStream: round(peerPerStream, 4),
        ffmpegFps: peerFps,
        ffmpegSpeed: peerSpeed,
      },
    });
    const ratioPull = peerPerStream / perStreamPull;
    const ratioPush = peerPerStream / perStreamPush;
    results.goals = {
      cpuVsPeer: {
        goal: '<= 1/40 of the peer per stream',
        pullRatio: round(ratioPull, 1),
        pushRatio: round(ratioPush, 1),
        metPull: ratioPull >= 40,
        metPush: ratioPush >= 40,
      },
      streamsPerCore: {
        goal: '>= 32',
        pull: round(1 / perStreamPull, 1),
        push: round(1 / perStreamPush, 1),
        metPull: 1 / perStreamPull >= 32,
        metPush: 1 / perStreamPush >= 32,
      },
      oneUpstreamFor50Viewers: {
        goal: 'one upstream (ffmpeg) per camera',
        met: pull0?.viewers === VIEWERS && h.ffmpeg === STREAMS,
      },
    };
  } finally {
    await camera.stop();
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'video.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

await main();
