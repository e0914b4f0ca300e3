/**
 * Per-key rate limit with a trailing value: at most one item per `intervalMs` per key (CONTRACT:
 * `reading` at most 2 per second per sensor), and the newest held-back item goes out when the
 * window ends so a console never keeps showing a stale value. Pure; the owner calls `due(now)`.
 */
export class TrailingThrottle<T> {
  private readonly lastSent = new Map<string, number>();
  private readonly held = new Map<string, T>();

  constructor(private readonly intervalMs: number) {}

  /** Returns the item if it may go out now; otherwise holds it (replacing an older held one). */
  offer(key: string, item: T, now: number): T | undefined {
    const last = this.lastSent.get(key);
    if (last === undefined || now - last >= this.intervalMs) {
      this.lastSent.set(key, now);
      this.held.delete(key);
      return item;
    }
    this.held.set(key, item);
    return undefined;
  }

  /** Held items whose window has ended. */
  due(now: number): T[] {
    const out: T[] = [];
    for (const [key, item] of this.held) {
      const last = this.lastSent.get(key) ?? 0;
      if (now - last >= this.intervalMs) {
        out.push(item);
        this.lastSent.set(key, now);
        this.held.delete(key);
      }
    }
    return out;
  }

  get heldCount(): number {
    return this.held.size;
  }
}
