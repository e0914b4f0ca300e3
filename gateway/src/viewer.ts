/**
 * One WebSocket viewer of a relay. Sends whole-packet MPEG-TS messages (mpegts.js needs 188-byte
 * alignment); a viewer that cannot keep up is skipped forward to the next keyframe, and dropped
 * when it stays stalled, so a slow client costs at most `maxQueueBytes` of memory.
 */
import type { WebSocket } from 'ws';
import type { Clock } from './clock.js';
import type { Subscriber } from './relay.js';
import type { Segment } from './ts/segmenter.js';

export interface ViewerPolicy {
  maxQueueBytes: number;
  dropAfterMs: number;
  clock: Clock;
  onSkip(): void;
  onDrop(): void;
}

export class TsViewer implements Subscriber {
  readonly viewer = true;
  private needKeyframe = true;
  private stalledSince: number | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly policy: ViewerPolicy,
  ) {}

  segment(seg: Segment, psi: Buffer | undefined): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.policy.maxQueueBytes) {
      const now = this.policy.clock.now();
      this.stalledSince ??= now;
      if (!this.needKeyframe) this.policy.onSkip();
      this.needKeyframe = true;
      if (now - this.stalledSince > this.policy.dropAfterMs) {
        this.policy.onDrop();
        this.ws.terminate();
      }
      return;
    }
    this.stalledSince = undefined;
    if (this.needKeyframe) {
      if (!seg.keyframe || !psi) return;
      this.needKeyframe = false;
      // PAT and PMT first so the demuxer knows the video PID before the keyframe arrives.
      this.ws.send(Buffer.concat([psi, seg.data]), { binary: true });
      return;
    }
    this.ws.send(seg.data, { binary: true });
  }

  end(reason: string): void {
    const code = reason === 'unknown-camera' ? 4404 : 1001;
    this.ws.close(code, reason);
  }

  queuedBytes(): number {
    return this.ws.bufferedAmount;
  }
}
