/**
 * bench/video harness shared by the video benches: the 1080p source file, the GStreamer RTSP
 * camera that serves it in real time, and the gateway under test in its own process.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnServer, waitFor } from '../../testkit/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Each phase opens new RTSP sessions that play the file from its start. */
export const SOURCE_S = 300;
const work = '/tmp/gwanje-bench';
const source = join(work, `src1080-${SOURCE_S}s.mp4`);
export const SOURCE_DESCRIPTION = `1920x1080 25 fps H.264 ~4 Mbit/s, GOP 1 s, ${SOURCE_S} s file, RTSP (GStreamer, no encoding)`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Encodes the source once (to a temporary name, so an interrupted encode is not taken for it). */
export function makeSource(): void {
  if (existsSync(source)) return;
  mkdirSync(work, { recursive: true });
  console.log(`encoding a ${SOURCE_S} s 1080p25 H.264 source (once)...`);
  const partial = join(work, `tmp-src1080-${SOURCE_S}s.mp4`);
  const r = spawnSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25'],
    ...['-t', String(SOURCE_S), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '4M'],
    ...['-maxrate', '4M', '-bufsize', '2M', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', partial],
  ]);
  if (r.status !== 0) throw new Error(`bench: encoding failed: ${r.stderr}`);
  renameSync(partial, source);
}

/** One RTSP camera (its own GStreamer server process) serving the source in real time. */
export async function startCamera() {
  const port = await freePort();
  const srv = spawnServer('/usr/bin/python3', [join(here, 'rtsp-file-server.py'), String(port), 'cam', source]);
  await waitFor(() => srv.output().includes('READY'), 15_000);
  return { url: `rtsp://127.0.0.1:${port}/cam`, port, stop: () => srv.stop() };
}

export interface GatewayProc {
  child: ChildProcess;
  port: number;
  frames: Map<number, number>;
  health(): Promise<{ health: Array<{ cameraId: string; viewers: number; fps: number }>; ffmpeg: number }>;
  stop(): Promise<void>;
}

export type RtspClientKind = 'native' | 'ffmpeg';

/** The gateway (gateway-server.ts) with these cameras, in its own process. */
export async function startGateway(
  cameras: Record<string, unknown>,
  latencyCamera?: string,
  rtspClient: RtspClientKind = 'native',
): Promise<GatewayProc> {
  const child = fork(join(here, 'gateway-server.ts'), [], {
    // BENCH_GATEWAY_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    env: {
      ...process.env,
      BENCH_CAMERAS: JSON.stringify(cameras),
      BENCH_LATENCY_CAMERA: latencyCamera ?? '',
      BENCH_RTSP_CLIENT: rtspClient,
    },
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
