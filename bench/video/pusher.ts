/**
 * The pushing side of bench/video, as a site runs it: the edge agent's own StreamPush (RTSP copied
 * into MPEG-TS in process by @gwanje/media, or by ffmpeg `-c copy` with BENCH_RELAY=ffmpeg; the
 * agent POSTing it chunked with its Basic credentials), one per camera, in a process of its own so
 * its CPU is not the bench's. Camera i pulls BENCH_RTSP_URLS[i % n] (comma-separated; default
 * BENCH_RTSP_URL for all).
 *   BENCH_RTSP_URL=rtsp://... BENCH_INGEST=http://127.0.0.1:<port> BENCH_STREAMS=8 tsx pusher.ts
 */
import pino from 'pino';
import { StreamPush } from '../../edge-agent/src/cameras/stream.js';

const urls = (process.env.BENCH_RTSP_URLS ?? process.env.BENCH_RTSP_URL ?? '').split(',');
const relay = process.env.BENCH_RELAY === 'ffmpeg' ? 'ffmpeg' : 'native';
const ingest = process.env.BENCH_INGEST ?? '';
const n = Number(process.env.BENCH_STREAMS ?? 1);
const authorization = `Basic ${Buffer.from('bench-agent:bench').toString('base64')}`;
const log = pino({ level: process.env.BENCH_LOG ?? 'warn' });
const pushes = Array.from(
  { length: n },
  (_, i) =>
    new StreamPush(
      `push-${i}`,
      `${ingest}/video/ingest/push-${i}`,
      { rtsp: urls[i % urls.length], relay },
      { authorization, redact: (t) => t },
      { log, onState: () => undefined },
    ),
);
for (const p of pushes) p.start();
const stop = async () => {
  await Promise.all(pushes.map((p) => p.stop()));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
