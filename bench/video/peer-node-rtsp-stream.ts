/**
 * The peer: node-rtsp-stream transcoding an RTSP camera to MPEG1 for JSMpeg, configured as its
 * README shows. Env: BENCH_RTSP_URL, BENCH_STREAMS, BENCH_WS_PORT (first port; one per stream).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Stream = require('node-rtsp-stream') as new (o: Record<string, unknown>) => { stop(): void };

const n = Number(process.env.BENCH_STREAMS ?? 1);
const port = Number(process.env.BENCH_WS_PORT);
const streams = Array.from(
  { length: n },
  (_, i) =>
    new Stream({
      name: `cam${i}`,
      streamUrl: process.env.BENCH_RTSP_URL,
      wsPort: port + i,
      width: 1920,
      height: 1080,
      ffmpegOptions: { '-stats': '', '-r': 25 },
    }),
);
process.send?.({ type: 'ready' });
process.on('SIGTERM', () => {
  for (const s of streams) s.stop();
  setTimeout(() => process.exit(0), 300);
});
