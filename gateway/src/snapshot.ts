/**
 * Snapshots: the latest keyframe (from the relay's GOP cache; the upstream is started and awaited
 * when idle) decoded to JPEG by ffmpeg, cached per camera for a couple of seconds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from './clock.js';
import type { FfmpegRunner } from './ffmpeg.js';
import type { StreamRelay } from './relay.js';
import { socketInput } from './socket-input.js';
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
 * `pipe:1`; `input`: decoder options before `-i`); resolves with what it wrote, rejects naming
 * `role` when ffmpeg fails. Snapshots and the black-picture probe share it. Issue 18: ffmpeg is
 * started by the launcher helper (never forked from the center, whose event loop a fork stopped
 * for hundreds of ms on a loaded host), reads the TS from a Unix socket and writes its `pipe:1`
 * output to a file in the same private directory, read back here.
 */
export async function decodeFirstFrame(
  ffmpeg: FfmpegRunner,
  role: string,
  ts: Buffer,
  output: string[],
  input: string[] = [],
): Promise<Buffer> {
  const src = await socketInput();
  try {
    const file = join(src.dir, 'out');
    const child = ffmpeg.launch(role, [
      ...input,
      ...['-f', 'mpegts', '-i', `unix:${src.path}`, '-map', '0:v:0', '-frames:v', '1'],
      ...output.map((a) => (a === 'pipe:1' ? file : a)),
    ]);
    src.write(ts);
    src.end();
    const code = await child.exited;
    if (code !== 0) throw new Error(`${role}: ffmpeg failed (${code}): ${child.stderr().slice(-300)}`);
    return await readFile(file);
  } finally {
    await src.close();
  }
}
