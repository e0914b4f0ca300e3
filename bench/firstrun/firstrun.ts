/**
 * First-run figures (issue 17), on a machine without ffmpeg on PATH (the npm-shipped build):
 * 1. CPU per virtual camera: the looped test clip (`-stream_loop -1 -c copy`, what the simulator
 *    runs now) against a live x264 encoder per camera (what it ran before), STREAMS pushes each
 *    to a local HTTP sink, per-thread schedstat CPU of the ffmpeg children (bench/video/proc.ts),
 *    RUNS runs, median and range.
 * 2. `npm start` with 31 simulated sites on a fresh data directory: time to the printed banner,
 *    and until all 31 cameras deliver video to a viewer.
 *
 *   node --import tsx bench/firstrun/firstrun.ts     (~3 min; writes bench/results/firstrun.json)
 * The machine is shared: the load average is recorded beside the figures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ffmpegArgs } from '../../edge-agent/src/cameras/stream.js';
import { testClip } from '../../edge-agent/src/cameras/test-clip.js';
import { freePort, waitFor } from '../../testkit/index.js';
import { measure } from '../video/proc.js';

const root = new URL('../..', import.meta.url).pathname;
const STREAMS = Number(process.env.BENCH_STREAMS ?? 6);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARM_MS = 5000;
const MEASURE_MS = 15_000;
const ffmpeg = join(root, 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const stats = (xs: number[]) => ({
  median: round(median(xs)),
  min: round(Math.min(...xs)),
  max: round(Math.max(...xs)),
});

async function virtualCameraCpu(mode: 'clip' | 'live', clip: string, sinkPort: number): Promise<number> {
  const src = mode === 'clip' ? { clip } : { testPattern: true };
  const procs: ChildProcess[] = [];
  for (let i = 0; i < STREAMS; i++) {
    // MPEG-TS on stdout, as the agent reads it; the agent's POST itself is not what is measured.
    const p = spawn(ffmpeg, ffmpegArgs(src), { stdio: ['ignore', 'pipe', 'ignore'] });
    p.stdout?.pipe(request(`http://127.0.0.1:${sinkPort}/video/ingest/v${i}`, { method: 'POST' }));
    procs.push(p);
  }
  await new Promise((r) => setTimeout(r, WARM_MS));
  const u = await measure(process.pid, MEASURE_MS);
  for (const p of procs) p.kill('SIGKILL');
  return (u.cpuByProcess.ffmpeg ?? 0) / STREAMS;
}

async function startWith31(): Promise<{ bannerS: number; all31LiveS: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-bench-firstrun-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const [http, mq] = [await freePort(), await freePort()];
  const t0 = performance.now();
  const center = spawn(process.execPath, [join(root, 'scripts/launch.mjs')], {
    cwd: root,
    env: {
      PATH: bin,
      HOME: process.env.HOME,
      GWANJE_DATA_DIR: join(dir, 'data'),
      GWANJE_HTTP_PORT: String(http),
      GWANJE_MQTT_PORT: String(mq),
      GWANJE_HOST: '127.0.0.1',
      GWANJE_SIMULATE: '31',
      GWANJE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  center.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const sockets: WebSocket[] = [];
  try {
    await waitFor(() => /password: (\S+)/.test(out), 180_000, 100);
    const bannerS = (performance.now() - t0) / 1000;
    const password = /password: (\S+)/.exec(out)?.[1];
    const base = `http://127.0.0.1:${http}`;
    const { token } = (await (
      await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      })
    ).json()) as { token: string };
    let cams: Array<{ cameraId: string }> = [];
    await waitFor(async () => {
      cams = (await (
        await fetch(`${base}/api/v1/cameras`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as [];
      return cams.length === 31;
    }, 60_000);
    const bytes = new Map<string, number>();
    for (const c of cams) {
      const ws = new WebSocket(`ws://127.0.0.1:${http}/video/${c.cameraId}?token=${token}`);
      bytes.set(c.cameraId, 0);
      ws.on('message', (d: Buffer) => bytes.set(c.cameraId, (bytes.get(c.cameraId) ?? 0) + d.length));
      sockets.push(ws);
    }
    await waitFor(() => [...bytes.values()].every((n) => n > 50_000), 180_000, 250);
    return { bannerS: round(bannerS, 1), all31LiveS: round((performance.now() - t0) / 1000, 1) };
  } finally {
    for (const ws of sockets) ws.close();
    center.kill('SIGTERM');
    await new Promise((r) => center.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const sinkPort = await freePort();
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end());
}).listen(sinkPort, '127.0.0.1');
const clip = await testClip(ffmpeg, mkdtempSync(join(tmpdir(), 'gwanje-bench-clip-')));
const load = [loadavg()[0]];
const perRun: Array<{ clip: number; live: number }> = [];
for (let i = 0; i < RUNS; i++) {
  const c = await virtualCameraCpu('clip', clip, sinkPort);
  const l = await virtualCameraCpu('live', clip, sinkPort);
  perRun.push({ clip: round(c), live: round(l) });
  console.log(`run ${i + 1}: cores per virtual camera: looped clip ${round(c)}, live x264 ${round(l)}`);
}
sink.close();
load.push(loadavg()[0]);
const start = await startWith31();
load.push(loadavg()[0]);
const result = {
  bench: 'firstrun',
  at: new Date().toISOString(),
  machine: '2 cores, shared with other engineers (load average beside the figures)',
  loadAverage1m: load.map((x) => round(x, 1)),
  ffmpeg: 'static build from @ffmpeg-installer/linux-x64 (no ffmpeg on PATH)',
  virtualCamera: {
    streams: STREAMS,
    runs: RUNS,
    measureMs: MEASURE_MS,
    cpuCoresPerCamera: {
      loopedClip: stats(perRun.map((r) => r.clip)),
      liveX264: stats(perRun.map((r) => r.live)),
    },
    perRun,
  },
  npmStart31Sites: start,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/firstrun.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ ...result, virtualCamera: { ...result.virtualCamera, perRun: undefined } }, null, 2));
process.exit(0);
