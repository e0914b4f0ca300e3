/**
 * MagnitudeMemory: which magnitudes a stream has shown, on logarithmic grids (pure, a few bytes).
 * The context grid is linear over the range, so everything near its floor shares one cell: a
 * count stream that idles at a tenth of its range, or a gas sensor in clean air, hides changes of
 * several times its own size there. Each grid here companded by a factor c, y = ln(1 + c u) /
 * ln(1 + c) for u in [0, 1] across the range, spends its cells on the small values (c = 10 and 100:
 * one and two decades of zoom above the floor). A value in a cell no value ever reached before, on
 * any grid, is a magnitude the stream has not shown: reported once per grid per silence.
 */
export class MagnitudeMemory {
  private readonly seen: Int32Array;
  private readonly logs: Float64Array;

  constructor(
    readonly factors: readonly number[],
    readonly levels: number,
  ) {
    if (levels > 31) throw new Error('ml: magnitude levels must fit 31 bits');
    this.seen = new Int32Array(factors.length);
    this.logs = Float64Array.from(factors, (c) => Math.log1p(c));
  }

  /** The grid cell of u (0..1 across the range) on grid g. */
  cell(g: number, u: number): number {
    const y = Math.log1p(this.factors[g] * Math.min(1, Math.max(0, u))) / this.logs[g];
    return Math.min(this.levels - 1, Math.floor(y * this.levels));
  }

  /** Learns u; returns the grids on which its cell is new, as bits (0: nothing new). */
  observe(u: number): number {
    let fresh = 0;
    for (let g = 0; g < this.factors.length; g++) {
      const bit = 1 << this.cell(g, u);
      if (!(this.seen[g] & bit)) fresh |= 1 << g;
      this.seen[g] |= bit;
    }
    return fresh;
  }

  /**
   * The seen cell of grid g nearest to u's cell (before u was learned it was new), as fractions
   * of the range [lo, hi]: the magnitude the stream has shown closest to this one.
   */
  nearestSeen(g: number, u: number, seenBefore: number): [number, number] {
    const at = this.cell(g, u);
    for (let d = 1; d < this.levels; d++) {
      for (const c of [at - d, at + d]) {
        if (c >= 0 && c < this.levels && seenBefore & (1 << c)) return [this.edge(g, c), this.edge(g, c + 1)];
      }
    }
    return [0, 1];
  }

  /** Cells seen on grid g, as bits. */
  cells(g: number): number {
    return this.seen[g];
  }

  get bytes(): number {
    return this.seen.byteLength + this.logs.byteLength;
  }

  /** The range fraction where cell c of grid g starts. */
  private edge(g: number, c: number): number {
    return Math.expm1((c / this.levels) * this.logs[g]) / this.factors[g];
  }
}
