/**
 * The gateway under test, in its own process so its CPU and RSS are measured alone.
 * Env: BENCH_CAMERAS = JSON {cameraId: {kind:'rtsp',url}|{kind:'push'}}, BENCH_LATENCY_CAMERA,
 * BENCH_RTSP_CLIENT = native (default) | ffmpeg.
 * Sends {type:'ready', port} and batches of {type:'frames', frames:[[pts, arrivedAtMs]]} over IPC.
 */
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { UnknownCameraError, type Upstream, VideoGateway } from '../../gateway/src/index.js';

const cameras = JSON.parse(process.env.BENCH_CAMERAS ?? '{}') as Record<string, Upstream>;
const latencyCamera = process.env.BENCH_LATENCY_CAMERA;
let frames: Array<[number, number]> = [];

const gw = new VideoGateway(
  {
    log: pino({ level: 'warn' }),
    authorizeViewer: async () => ({ user: 'bench' }),
    authorizeIngest: async (_h, cameraId) => cameraId in cameras,
    startUpstream: async (cameraId) => {
      const up = cameras[cameraId];
      if (!up) throw new UnknownCameraError(cameraId);
      return up;
    },
    stopUpstream: async () => {},
  },
  {
    dataDir: join(tmpdir(), 'gwanje-bench-gw'),
    // One bench user watches everything (50 viewers on one stream): no per-user cap in the way.
    maxViewersPerUser: 10_000,
    ...(process.env.GW_EXP ? { startTimeoutMs: 3_600_000, stallMs: 3_600_000 } : {}),
    rtspClient: process.env.BENCH_RTSP_CLIENT === 'ffmpeg' ? 'ffmpeg' : 'native',
    onFrame: (cameraId, pts) => {
      // CLOCK_MONOTONIC (ms): one clock for every process on the machine, unlike performance.now(),
      // whose per-process timeOrigin put the two ends up to a few tenths of a millisecond apart.
      if (cameraId === latencyCamera && pts !== undefined) frames.push([pts, Number(process.hrtime.bigint()) / 1e6]);
    },
  },
);
const server = createServer((req, res) => {
  if (!gw.handleHttp(req, res)) res.writeHead(404).end();
});
gw.attach(server);
await gw.start();
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.send?.({ type: 'ready', port: typeof addr === 'object' && addr ? addr.port : 0 });
});
setInterval(() => {
  if (frames.length) process.send?.({ type: 'frames', frames });
  frames = [];
}, 200).unref();
process.on('message', (m: { type?: string; cameraId?: string }) => {
  if (m.type === 'health') process.send?.({ type: 'health', health: gw.health(), ffmpeg: gw.ffmpegChildren });
});
process.on('SIGTERM', () => {
  void gw.stop().then(() => process.exit(0));
});
