/**
 * Records one alarm clip from one camera: the relay's ring from the last keyframe before
 * `requestedAt - beforeMs` (whatever the ring holds), then live segments until
 * `requestedAt + afterMs`, remuxed (-c copy, +faststart) into MP4 by ffmpeg. Memory stays bounded:
 * segments are written to ffmpeg as they arrive.
 *
 * Issue 18: ffmpeg is started by the launcher helper (launcher.ts), not forked from the center at
 * the moment of the alarm, and reads the segments from a Unix socket in a private directory
 * (ffmpeg's `unix:` protocol); what arrives before it connects waits in memory (a fraction of a
 * second of video).
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Segment } from '@gwanje/media';
import type { Clock } from './clock.js';
import type { FfmpegRunner } from './ffmpeg.js';
import type { StreamRelay, Subscriber } from './relay.js';
import { socketInput } from './socket-input.js';
import type { ClipInfo } from './types.js';

export interface ClipJob {
  alarmId: string;
  relay: StreamRelay;
  dir: string;
  beforeMs: number;
  afterMs: number;
  requestedAt: number;
}

export async function recordClip(job: ClipJob, ffmpeg: FfmpegRunner, clock: Clock): Promise<ClipInfo> {
  const cameraId = job.relay.cameraId;
  const clipId = `${cameraId.replace(/[^A-Za-z0-9_-]/g, '_')}-${job.requestedAt}`;
  const file = join(job.dir, `${clipId}.mp4`);
  const part = `${file}.part`;
  const input = await socketInput();
  const child = ffmpeg.launch(`clip ${cameraId}`, [
    ...['-f', 'mpegts', '-i', `unix:${input.path}`, '-map', '0:v:0', '-map', '0:a?', '-c', 'copy'],
    ...['-movflags', '+faststart', '-f', 'mp4', '-y', part],
  ]);
  let firstAt: number | undefined;
  let wrote = false;
  const write = (seg: Segment, psi: Buffer | undefined, at: number) => {
    if (!wrote) {
      if (!seg.keyframe || !psi) return;
      input.write(psi);
      wrote = true;
      firstAt = at;
    }
    input.write(seg.data);
  };
  let finish: () => void = () => {};
  const sub: Subscriber = {
    viewer: false,
    segment: (seg, psi) => write(seg, psi, clock.now()),
    // The relay gives up (gateway stopping, unknown camera): close the clip with what it has.
    end: () => finish(),
  };
  // Ring first, then live segments: both happen in this tick, so nothing is lost or doubled.
  const { psi, items } = job.relay.ringSince(job.requestedAt - job.beforeMs);
  for (const it of items) write(it.seg, psi, it.at);
  const unsubscribe = job.relay.subscribe(sub, false);
  const endAt = job.requestedAt + job.afterMs;
  await new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, Math.max(0, endAt - clock.now()));
    finish = () => {
      clock.clearTimeout(timer);
      resolve();
    };
  });
  unsubscribe();
  input.end();
  const code = await child.exited;
  await input.close();
  if (code !== 0 || !wrote) {
    await rm(part, { force: true });
    throw new Error(
      `clips: ${cameraId}: ${wrote ? `ffmpeg failed (${code}): ${child.stderr()}` : 'no keyframe received'}`,
    );
  }
  await rename(part, file);
  const durationMs = await probeDurationMs(ffmpeg, file);
  return {
    clipId,
    alarmId: job.alarmId,
    cameraId,
    fileName: `${clipId}.mp4`,
    contentType: 'video/mp4',
    bytes: (await stat(file)).size,
    durationMs,
    requestedAt: new Date(job.requestedAt).toISOString(),
    beforeMs: Math.max(0, job.requestedAt - (firstAt ?? job.requestedAt)),
    afterMs: job.afterMs,
    createdAt: new Date(clock.now()).toISOString(),
  };
}

/**
 * The clip's duration as ffmpeg reads it (`Duration: HH:MM:SS.cc` at -loglevel info), so clips
 * need no ffprobe: the npm-shipped ffmpeg a fresh machine may use has none (issue 17).
 */
export async function probeDurationMs(ffmpeg: FfmpegRunner, file: string): Promise<number> {
  // No output file: ffmpeg prints the input's header and exits 1, which is expected here.
  const child = ffmpeg.launch('probe', ['-loglevel', 'info', '-i', file]);
  await child.exited;
  return parseDurationMs(child.stderr());
}

/** `Duration: 00:00:12.34,` -> 12340 (pure); 0 when absent or `N/A`. */
export function parseDurationMs(text: string): number {
  const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  if (!m) return 0;
  return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000);
}
