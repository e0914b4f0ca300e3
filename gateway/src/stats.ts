/** Per-camera stream figures for health: fps and bitrate over the last tick, last keyframe, bytes. */
export class StreamStats {
  lastDataAt: number | null = null;
  lastKeyframeAt: number | null = null;
  bytesIn = 0;
  frames = 0;
  fps = 0;
  bitrateBps = 0;
  private mark = { at: 0, bytes: 0, frames: 0 };

  data(now: number, bytes: number): void {
    this.lastDataAt = now;
    this.bytesIn += bytes;
  }

  video(now: number, frames: number, keyframe: boolean): void {
    this.frames += frames;
    if (keyframe) this.lastKeyframeAt = now;
  }

  /** Recomputes rates from the counts since the previous call (at least 0.5 s apart). */
  tick(now: number): void {
    const dt = now - this.mark.at;
    if (dt < 500) return;
    this.fps = this.mark.at ? Math.round(((this.frames - this.mark.frames) * 10_000) / dt) / 10 : 0;
    this.bitrateBps = this.mark.at ? Math.round(((this.bytesIn - this.mark.bytes) * 8000) / dt) : 0;
    this.mark = { at: now, bytes: this.bytesIn, frames: this.frames };
  }
}
