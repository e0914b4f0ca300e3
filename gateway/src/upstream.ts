/**
 * The RTSP pull upstream: ffmpeg copies the camera's H.264 into MPEG-TS on stdout. `-c copy`:
 * the center never re-encodes what it only relays (issue 6).
 */
import type { Child, FfmpegRunner } from './ffmpeg.js';

export function spawnRtspPull(ffmpeg: FfmpegRunner, cameraId: string, url: string): Child {
  return ffmpeg.spawn(`pull ${cameraId}`, [
    // TCP interleaving survives NAT and loss better than UDP for a relay; -timeout (µs) makes a
    // dead camera end ffmpeg instead of hanging on the socket (RFC 2326 §10.12 interleaved data).
    ...['-rtsp_transport', 'tcp', '-timeout', '5000000', '-i', url],
    ...['-map', '0:v:0', '-map', '0:a?', '-c', 'copy', '-f', 'mpegts', 'pipe:1'],
  ]);
}
