import type { Clock } from '../../src/index.js';

/**
 * A clock for timer tests: time follows the wall clock (ffmpeg runs in real time) plus an offset
 * that `advance()` moves, firing the timers that fall due. Nothing fires on its own.
 */
export class ManualClock implements Clock {
  private offset = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now() + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    this.offset += ms;
    const now = this.now();
    const due = [...this.timers.entries()].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at);
    for (const [id, t] of due) {
      this.timers.delete(id);
      t.fn();
    }
  }

  pending(): number {
    return this.timers.size;
  }
}
