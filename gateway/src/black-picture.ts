/**
 * Black picture (issue 20: a covered lens or a dead sensor still streams, but shows nothing).
 * Cheap by design: for a camera that already streams (a viewer, a clip, pre-roll), one cached
 * keyframe every `everyMs` (gateway default 15 s) is decoded by the ffmpeg used for snapshots to a 16x16 gray thumbnail
 * (256 bytes); a picture whose mean luma is near black and whose spread is near zero is black.
 * Two black probes in a row raise the condition (a camera switching to night mode may show one dark
 * frame); the first picture that is not black clears it. Nothing is decoded for an idle camera.
 */
import type { Logger } from 'pino';
import type { FfmpegRunner } from './ffmpeg.js';
import type { StreamRelay } from './relay.js';
import { decodeFirstFrame } from './snapshot.js';

/** Thumbnail side in pixels: enough to tell a uniform picture from a scene, 256 bytes to look at. */
export const THUMB_SIDE = 16;

/**
 * One decoder thread and keyframes only: the probe's cost is mostly ffmpeg's own start-up
 * (bench/video/black-probe.ts), no need to spin up a thread per core for one frame.
 */
export const PROBE_INPUT = ['-threads', '1', '-skip_frame', 'nokey'];
export const PROBE_OUTPUT = ['-vf', `scale=${THUMB_SIDE}:${THUMB_SIDE},format=gray`, '-f', 'rawvideo', 'pipe:1'];

export interface LumaStats {
  mean: number;
  stddev: number;
}

/** Limits on full-range 0..255 luma: a covered lens reads 0..16 with almost no spread. */
export interface BlackLimits {
  maxMean: number;
  maxStddev: number;
}

export const DEFAULT_BLACK_LIMITS: BlackLimits = { maxMean: 24, maxStddev: 6 };

/** Mean and standard deviation of 8-bit gray pixels. Pure. */
export function lumaStats(gray: Uint8Array): LumaStats {
  if (gray.length === 0) throw new Error('black-picture: empty thumbnail');
  let sum = 0;
  let sq = 0;
  for (const v of gray) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / gray.length;
  return { mean, stddev: Math.sqrt(Math.max(0, sq / gray.length - mean * mean)) };
}

export function isBlackPicture(s: LumaStats, limits: BlackLimits = DEFAULT_BLACK_LIMITS): boolean {
  return s.mean <= limits.maxMean && s.stddev <= limits.maxStddev;
}

interface CameraProbe {
  lastAt: number;
  busy: boolean;
  blackRuns: number;
}

export class BlackPictureWatch {
  private readonly cameras = new Map<string, CameraProbe>();

  constructor(
    private readonly ffmpeg: FfmpegRunner,
    private readonly everyMs: number,
    private readonly log: Logger,
    private readonly limits: BlackLimits = DEFAULT_BLACK_LIMITS,
  ) {}

  /** Called from the gateway's tick for every relay; probes live ones at most once per `everyMs`. */
  tick(relay: StreamRelay, now: number, live: boolean): void {
    if (this.everyMs <= 0) return;
    if (!live) {
      this.cameras.delete(relay.cameraId);
      return;
    }
    let p = this.cameras.get(relay.cameraId);
    if (!p) {
      p = { lastAt: now, busy: false, blackRuns: 0 };
      this.cameras.set(relay.cameraId, p);
      return; // first look one period after the stream went live: its first GOP may be a fade-in
    }
    if (p.busy || now - p.lastAt < this.everyMs) return;
    const ts = relay.keyframeTs();
    if (!ts) return;
    p.busy = true;
    p.lastAt = now;
    const probe = p;
    this.probe(ts)
      .then((stats) => {
        if (this.cameras.get(relay.cameraId) !== probe) return; // stopped meanwhile
        const black = isBlackPicture(stats, this.limits);
        probe.blackRuns = black ? probe.blackRuns + 1 : 0;
        if (black && probe.blackRuns >= 2) relay.setCondition('black', true);
        else if (!black) relay.setCondition('black', false);
        this.log.debug({ cameraId: relay.cameraId, ...stats, black }, 'black-picture: probed');
      })
      .catch((err: Error) =>
        this.log.warn({ cameraId: relay.cameraId, err: err.message }, 'black-picture: probe failed'),
      )
      .finally(() => {
        probe.busy = false;
      });
  }

  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
  }

  private async probe(ts: Buffer): Promise<LumaStats> {
    const side = THUMB_SIDE;
    const gray = await decodeFirstFrame(this.ffmpeg, 'black-probe', ts, PROBE_OUTPUT, PROBE_INPUT);
    if (gray.length !== side * side)
      throw new Error(`black-picture: thumbnail of ${gray.length} bytes, expected ${side * side}`);
    return lumaStats(gray);
  }
}
