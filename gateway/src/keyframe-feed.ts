/**
 * Relay segments into an ffmpeg's stdin for a decoder (MPEG1 transcoder, frame sampler): the first
 * thing written is PAT+PMT and a keyframe, and when ffmpeg falls behind (more than `maxBacklog`
 * bytes queued on its stdin) input skips to the next keyframe, so memory stays bounded and the
 * decoder never starts mid-GOP.
 */
import type { Writable } from 'node:stream';
import type { Segment } from '@gwanje/media';

export class KeyframeFeed {
  private needKeyframe = true;

  constructor(private readonly maxBacklog = 4 * 1024 * 1024) {}

  /** A new ffmpeg: start again from a keyframe. */
  reset(): void {
    this.needKeyframe = true;
  }

  write(stdin: Writable | null | undefined, seg: Segment, psi: Buffer | undefined): void {
    if (!stdin || stdin.destroyed) return;
    if (stdin.writableLength > this.maxBacklog) this.needKeyframe = true;
    if (this.needKeyframe) {
      if (!seg.keyframe || !psi) return;
      this.needKeyframe = false;
      stdin.write(psi);
    }
    stdin.write(seg.data);
  }
}
