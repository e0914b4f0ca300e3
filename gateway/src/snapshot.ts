/**
 * Snapshots: the latest keyframe (from the relay's GOP cache; the upstream is started and awaited
 * when idle) decoded to JPEG by ffmpeg, cached per camera for a couple of seconds.
 */
import type { Clock } from './clock.js';
import type { FfmpegRunner } from './ffmpeg.js';
import type { StreamRelay } from './relay.js';
import { UnknownCameraError } from './types.js';

export class SnapshotUnavailableError extends Error {
  readonly code = 'snapshot-unavailable';
}

interface Cached {
  at: number;
  jpeg: Buffer;
}

export class SnapshotService {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly ffmpeg: FfmpegRunner,
    private readonly clock: Clock,
    private readonly cacheMs: number,
    private readonly timeoutMs: number,
  ) {}

  snapshot(relay: StreamRelay): Promise<Buffer> {
    const id = relay.cameraId;
    const hit = this.cache.get(id);
    if (hit && this.clock.now() - hit.at < this.cacheMs) return Promise.resolve(hit.jpeg);
    let p = this.inFlight.get(id);
    if (!p) {
      p = this.take(relay).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, p);
    }
    return p;
  }

  private async take(relay: StreamRelay): Promise<Buffer> {
    const release = relay.acquire();
    let ts: Buffer | undefined;
    try {
      ts = await relay.waitForKeyframe(this.timeoutMs);
    } finally {
      release();
    }
    if (!ts && relay.unknownCamera) throw new UnknownCameraError(relay.cameraId);
    if (!ts)
      throw new SnapshotUnavailableError(`snapshot: no keyframe from ${relay.cameraId} within ${this.timeoutMs} ms`);
    const jpeg = await this.decode(ts);
    this.cache.set(relay.cameraId, { at: this.clock.now(), jpeg });
    return jpeg;
  }

  private async decode(ts: Buffer): Promise<Buffer> {
    const jpeg = await decodeFirstFrame(this.ffmpeg, 'snapshot', ts, [
      ...['-c:v', 'mjpeg', '-q:v', '4', '-f', 'image2', '-update', '1', 'pipe:1'],
    ]);
    if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('snapshot: ffmpeg gave no JPEG');
    return jpeg;
  }
}

/**
 * ffmpeg decodes the first frame of PAT+PMT+GOP (the keyframe) into `output` (codec, format and
 * `pipe:1`; `input`: decoder options before `-i`); resolves with stdout, rejects naming `role` when
 * ffmpeg fails. Snapshots and the black-picture probe share it.
 */
export async function decodeFirstFrame(
  ffmpeg: FfmpegRunner,
  role: string,
  ts: Buffer,
  output: string[],
  input: string[] = [],
): Promise<Buffer> {
  const child = ffmpeg.spawn(role, [
    ...input,
    ...['-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-frames:v', '1'],
    ...output,
  ]);
  const out: Buffer[] = [];
  child.proc.stdout?.on('data', (b: Buffer) => out.push(b));
  child.proc.stdin?.end(ts);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${role}: ffmpeg failed (${code}): ${child.stderr().slice(-300)}`);
  return Buffer.concat(out);
}
