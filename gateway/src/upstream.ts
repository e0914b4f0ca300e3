/**
 * The RTSP pull upstream: ffmpeg copies the camera's H.264 into MPEG-TS on stdout. `-c copy`:
 * the center never re-encodes what it only relays (issue 6). The camera URL (with its
 * credentials) reaches ffmpeg on stdin as an ffconcat list, never on its command line (issue 20).
 */
import { FFCONCAT_STDIN_INPUT, rtspInputList } from '@gwanje/media';
import type { Child, FfmpegRunner } from './ffmpeg.js';

export function spawnRtspPull(
  ffmpeg: FfmpegRunner,
  cameraId: string,
  url: string,
  transport: 'tcp' | 'udp' = 'tcp',
): Child {
  const child = ffmpeg.spawn(`pull ${cameraId}`, [
    // TCP interleaving and the socket timeout are options of the list (media/src/ffconcat.ts).
    ...FFCONCAT_STDIN_INPUT,
    ...['-map', '0:v:0', '-map', '0:a?', '-c', 'copy', '-f', 'mpegts', 'pipe:1'],
  ]);
  child.proc.stdin?.end(rtspInputList(url, transport));
  return child;
}
