/**
 * `?format=mpeg1`: one ffmpeg per camera transcoding the relayed H.264 TS to low-resolution MPEG1
 * for JSMpeg players, running only while such a viewer exists. Driven directly rather than through
 * node-rtsp-stream (see README: it opens its own WebSocket server per port, spawns at construction
 * and never restarts ffmpeg).
 */

import { PacketAligner, type Segment } from '@gwanje/media';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Child, FfmpegRunner } from './ffmpeg.js';
import { kill } from './ffmpeg.js';
import { KeyframeFeed } from './keyframe-feed.js';
import type { StreamRelay, Subscriber } from './relay.js';

export interface Mpeg1Settings {
  width: number;
  bitrate: string;
  maxQueueBytes: number;
}

export class Mpeg1Transcoder implements Subscriber {
  readonly viewer = false;
  private readonly viewers = new Set<WebSocket>();
  private child: Child | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly feed = new KeyframeFeed();
  private readonly aligner = new PacketAligner();

  constructor(
    private readonly relay: StreamRelay,
    private readonly ffmpeg: FfmpegRunner,
    private readonly settings: Mpeg1Settings,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
  ) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  add(ws: WebSocket): void {
    this.viewers.add(ws);
    ws.once('close', () => this.remove(ws));
    if (!this.child) this.begin();
  }

  segment(seg: Segment, psi: Buffer | undefined): void {
    this.feed.write(this.child?.proc.stdin, seg, psi);
  }

  end(reason: string): void {
    for (const ws of this.viewers) ws.close(reason === 'unknown-camera' ? 4404 : 1001, reason);
  }

  async close(): Promise<void> {
    for (const ws of this.viewers) ws.close(1001, 'gateway stopping');
    this.viewers.clear();
    await this.finish();
  }

  private begin(): void {
    const { width, bitrate } = this.settings;
    // MPEG1 rejects 15 fps (RECIPES): force 25; -bf 0 keeps JSMpeg's decoder simple and latency low.
    const child = this.ffmpeg.spawn(`mpeg1 ${this.relay.cameraId}`, [
      ...[
        '-fflags',
        'nobuffer',
        '-analyzeduration',
        '500000',
        '-probesize',
        '500000',
        '-f',
        'mpegts',
        '-i',
        'pipe:0',
        '-map',
        '0:v:0',
        '-an',
      ],
      ...['-c:v', 'mpeg1video', '-r', '25', '-vf', `scale=${width}:-2`, '-b:v', bitrate, '-bf', '0'],
      ...['-f', 'mpegts', 'pipe:1'],
    ]);
    this.child = child;
    this.feed.reset();
    this.aligner.reset();
    child.proc.stdout?.on('data', (b: Buffer) => {
      const packets = this.aligner.push(b);
      if (packets.length) this.broadcast(packets);
    });
    void child.exited.then((code) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.log.warn({ cameraId: this.relay.cameraId, code, err: child.stderr().slice(-300) }, 'mpeg1: ffmpeg exited');
      // Restart while viewers remain (node-rtsp-stream's missing piece).
      if (this.viewers.size) this.begin();
    });
    this.unsubscribe ??= this.relay.subscribe(this, true);
  }

  private broadcast(packets: Buffer): void {
    for (const ws of this.viewers) {
      if (ws.readyState !== ws.OPEN) continue;
      // MPEG1 frames are small and JSMpeg resyncs on the next picture: drop chunks for a slow viewer.
      if (ws.bufferedAmount > this.settings.maxQueueBytes) continue;
      ws.send(packets, { binary: true });
    }
  }

  private remove(ws: WebSocket): void {
    this.viewers.delete(ws);
    if (this.viewers.size === 0) void this.finish();
  }

  private async finish(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const child = this.child;
    this.child = undefined;
    if (child) await kill(child.proc);
    this.onEmpty();
  }
}
