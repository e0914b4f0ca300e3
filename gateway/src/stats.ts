/** Per-camera stream figures for health: fps and bitrate over the last ~5 s, last keyframe, bytes. */
const WINDOW_MS = 5000;

export class StreamStats {
  lastDataAt: number | null = null;
  lastKeyframeAt: number | null = null;
  bytesIn = 0;
  frames = 0;
  fps = 0;
  bitrateBps = 0;
  /** Counter snapshots, one per tick; rates span the oldest one still inside the window. */
  private marks: Array<{ at: number; bytes: number; frames: number }> = [];

  data(now: number, bytes: number): void {
    this.lastDataAt = now;
    this.bytesIn += bytes;
  }

  video(now: number, frames: number, keyframe: boolean): void {
    this.frames += frames;
    if (keyframe) this.lastKeyframeAt = now;
  }

  /** Recomputes rates; a window smooths ffmpeg's start-up burst (probe data flushed at once). */
  tick(now: number): void {
    this.marks.push({ at: now, bytes: this.bytesIn, frames: this.frames });
    while (this.marks.length > 2 && now - this.marks[1].at >= WINDOW_MS) this.marks.shift();
    const first = this.marks[0];
    const dt = now - first.at;
    if (dt < 500) return;
    this.fps = Math.round(((this.frames - first.frames) * 10_000) / dt) / 10;
    this.bitrateBps = Math.round(((this.bytesIn - first.bytes) * 8000) / dt);
  }

  /** Upstream stopped: rates drop to zero and the window restarts. */
  reset(): void {
    this.marks = [];
    this.fps = 0;
    this.bitrateBps = 0;
  }
}
