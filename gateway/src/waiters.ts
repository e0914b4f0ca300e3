/**
 * Callers waiting for something a stream will produce (a complete keyframe for a snapshot), each
 * with its own deadline on the injected clock.
 */
import type { Clock } from './clock.js';

export class StreamWaiters<T> {
  private waiting: Array<{ settle: (v: T | undefined) => void; timer: unknown }> = [];

  constructor(
    private readonly clock: Clock,
    /** Returns the value once available. */
    private readonly ready: () => T | undefined,
  ) {}

  /** Resolves with the value as soon as `ready()` has it, or undefined after `timeoutMs`. */
  wait(timeoutMs: number): Promise<T | undefined> {
    const now = this.ready();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const entry = {
        settle: resolve,
        timer: this.clock.setTimeout(() => {
          this.waiting = this.waiting.filter((w) => w !== entry);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiting.push(entry);
    });
  }

  /** Re-checks after new data; settles every waiter when the value is there. */
  poke(): void {
    if (this.waiting.length === 0) return;
    const v = this.ready();
    if (v !== undefined) this.settleAll(v);
  }

  /** Settles everyone with undefined (the stream will not come). */
  giveUp(): void {
    this.settleAll(undefined);
  }

  private settleAll(v: T | undefined): void {
    const all = this.waiting;
    this.waiting = [];
    for (const w of all) {
      this.clock.clearTimeout(w.timer);
      w.settle(v);
    }
  }
}
