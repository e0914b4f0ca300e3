/**
 * Chattering (ISA-18.2 clause 16.6 / EEMUA 191: an alarm that activates and returns repeatedly
 * in a short time). A source+type that activates more than `count` times within `windowMs` is
 * flagged; its later toggles are recorded but not re-announced until it has been quiet for a
 * whole window.
 */
export interface ChatterOptions {
  /** Activations allowed in the window before the source counts as chattering (default 3). */
  count: number;
  windowMs: number;
}

export class ChatterTracker {
  private readonly activations = new Map<string, number[]>();
  private readonly flagged = new Set<string>();

  constructor(readonly opts: ChatterOptions) {}

  /** Records an activation; returns whether the key is chattering now (including from this one). */
  activate(key: string, now: number): boolean {
    let list = this.activations.get(key);
    if (!list) {
      list = [];
      this.activations.set(key, list);
    }
    list.push(now);
    const from = now - this.opts.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop] <= from) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length > this.opts.count) this.flagged.add(key);
    return this.flagged.has(key);
  }

  isChattering(key: string): boolean {
    return this.flagged.has(key);
  }

  /** Keys that have been quiet for a whole window: no longer chattering. Forgets idle keys. */
  settle(now: number): string[] {
    const settled: string[] = [];
    for (const [key, list] of this.activations) {
      const last = list.length > 0 ? list[list.length - 1] : Number.NEGATIVE_INFINITY;
      if (now - last < this.opts.windowMs) continue;
      this.activations.delete(key);
      if (this.flagged.delete(key)) settled.push(key);
    }
    return settled;
  }
}
