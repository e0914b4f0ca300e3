/**
 * FrameSampler: low-rate decoded frames of one camera for the fire detector (issue 23). One ffmpeg
 * per watched camera reads the relayed MPEG-TS and decodes only its keyframes (`-skip_frame
 * nokey`, one decoder thread, so each frame comes out as soon as it is complete), scaled and
 * letterboxed to a fixed small size, as raw RGB on stdout. Cameras here send a keyframe every
 * second (the edge agent's `-g` of one second), so that is ~1 frame/s for the cost of decoding one
 * picture a second: on this machine ~0.01 core for 1080p (bench/fire). Frames closer together
 * than `minIntervalMs` are dropped. The sampler is a relay consumer: the camera streams while it
 * is watched. ffmpeg is restarted with backoff if it exits while the sampler runs.
 */

import type { Segment } from '@gwanje/media';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Child, FfmpegRunner } from './ffmpeg.js';
import { kill } from './ffmpeg.js';
import { KeyframeFeed } from './keyframe-feed.js';
import type { StreamRelay, Subscriber } from './relay.js';

export interface SampledFrame {
  cameraId: string;
  width: number;
  height: number;
  /** rgb24, width * height * 3 bytes (a copy the receiver may keep or transfer). */
  data: Uint8Array;
  /** Wall clock (ms) when the frame was decoded. */
  at: number;
}

export interface FrameSamplerOptions {
  width: number;
  height: number;
  minIntervalMs: number;
}

export class FrameSampler implements Subscriber {
  readonly viewer = false;
  private child: Child | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly feed = new KeyframeFeed();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lastAt = -Infinity;
  private stopped = false;
  private restartMs = 1000;
  private restartTimer: unknown;
  frames = 0;
  dropped = 0;

  constructor(
    private readonly relay: StreamRelay,
    private readonly ffmpeg: FfmpegRunner,
    private readonly clock: Clock,
    private readonly opts: FrameSamplerOptions,
    private readonly log: Logger,
    private readonly onFrame: (f: SampledFrame) => void,
  ) {}

  start(): void {
    this.spawn();
    this.unsubscribe = this.relay.subscribe(this, true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const child = this.child;
    this.child = undefined;
    if (child) await kill(child.proc);
  }

  segment(seg: Segment, psi: Buffer | undefined): void {
    this.feed.write(this.child?.proc.stdin, seg, psi);
  }

  end(reason: string): void {
    this.log.info({ cameraId: this.relay.cameraId, reason }, 'frames: relay ended the sampler');
    void this.stop();
  }

  private spawn(): void {
    const { width: w, height: h } = this.opts;
    const child = this.ffmpeg.spawn(`frames ${this.relay.cameraId}`, [
      ...['-fflags', 'nobuffer', '-analyzeduration', '500000', '-probesize', '500000'],
      ...['-threads', '1', '-skip_frame', 'nokey', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-an'],
      ...['-vf', `scale=${w}:${h}:force_original_aspect_ratio=decrease:flags=area,pad=${w}:${h}:-1:-1,format=rgb24`],
      ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-flush_packets', '1', 'pipe:1'],
    ]);
    this.child = child;
    this.feed.reset();
    this.pending = [];
    this.pendingBytes = 0;
    child.proc.stdout?.on('data', (b: Buffer) => this.take(b));
    void child.exited.then((code) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      this.log.warn({ cameraId: this.relay.cameraId, code, err: child.stderr().slice(-300) }, 'frames: ffmpeg exited');
      this.restartTimer = this.clock.setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.stopped) this.spawn();
      }, this.restartMs);
      this.restartMs = Math.min(this.restartMs * 2, 30_000);
    });
  }

  /** Cuts stdout into whole frames. */
  private take(b: Buffer): void {
    const size = this.opts.width * this.opts.height * 3;
    this.pending.push(b);
    this.pendingBytes += b.length;
    while (this.pendingBytes >= size) {
      const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
      const frame = all.subarray(0, size);
      const rest = all.subarray(size);
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      this.restartMs = 1000;
      const now = this.clock.now();
      if (now - this.lastAt < this.opts.minIntervalMs) {
        this.dropped++;
        continue;
      }
      this.lastAt = now;
      this.frames++;
      this.onFrame({
        cameraId: this.relay.cameraId,
        width: this.opts.width,
        height: this.opts.height,
        data: new Uint8Array(frame),
        at: now,
      });
    }
  }
}
