/**
 * One WebSocket viewer of a relay. Sends whole-packet MPEG-TS messages (mpegts.js needs 188-byte
 * alignment); a viewer that cannot keep up is skipped forward to the next keyframe, and dropped
 * when it stays stalled, so a slow client costs at most `maxQueueBytes` of memory.
 *
 * Video frames are written pre-framed (ws-frame.ts) to the upgraded socket itself; `ws` keeps the
 * handshake, control frames and close. Both write whole frames synchronously (no permessage-deflate),
 * so frames never interleave, and `ws.bufferedAmount` still counts what waits in the socket.
 */
import type { Duplex } from 'node:stream';
import type { Segment } from '@gwanje/media';
import type { WebSocket } from 'ws';
import type { Clock } from './clock.js';
import type { Subscriber } from './relay.js';
import { binaryFrame, type FrameCache } from './ws-frame.js';

export interface ViewerPolicy {
  maxQueueBytes: number;
  dropAfterMs: number;
  clock: Clock;
  /** Shared by the viewers of a gateway: a segment is framed once for all of them. */
  frames: FrameCache;
  onSkip(): void;
  onDrop(): void;
}

export class TsViewer implements Subscriber {
  readonly viewer = true;
  private needKeyframe = true;
  private stalledSince: number | undefined;

  constructor(
    private readonly ws: WebSocket,
    /** The socket `ws` was upgraded on. */
    private readonly socket: Duplex,
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
      this.socket.write(binaryFrame(psi, seg.data));
      return;
    }
    this.socket.write(this.policy.frames.of(seg.data));
  }

  end(reason: string): void {
    const code = reason === 'unknown-camera' ? 4404 : 1001;
    this.ws.close(code, reason);
  }

  queuedBytes(): number {
    return this.ws.bufferedAmount;
  }
}
