/**
 * At most `limit` tasks at once, the rest wait their turn (FIFO). The embedded time-series store
 * reads old segment files through one of these (security review F14): however many chart queries
 * arrive, the disk scans they need take a bounded share of the center's CPU and I/O, and the
 * ingest and alarm paths keep theirs.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Tasks running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
