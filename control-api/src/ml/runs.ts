/**
 * RunMemory: how long a stream holds one exact value and one grid cell (pure, fixed memory).
 *  - stuck: one exact value repeated for longer than max(minRun, 2 x the longest exact run before).
 *    Real transmitters carry noise in their last digits; a frozen output repeats itself.
 *  - long-run: one cell held longer than max(minRun, 2 x the longest run in that cell before),
 *    but only where that cell's runs are regular (>= 3 of them, coefficient of variation <=
 *    maxCv): a missing daily peak, a cycle that stopped. A cell entered and left at random (noise
 *    across a cell edge) has geometric run lengths (CV ~ 1), and a record there means nothing
 *    (bench/nab/gas.ts found such records raising false alarms in clean air).
 * Each fires once per run.
 */
export type RunEvent = 'stuck' | 'long-run';

export class RunMemory {
  private prevValue = Number.NaN;
  private exact = 0;
  private longestExact = 0;
  private exactFired = false;
  private prevCell = -1;
  private cellRun = 0;
  private cellFired = false;
  /** Per cell: longest run, completed runs, their mean length, sum of squared deviations (Welford). */
  private readonly stats: Float64Array;

  constructor(
    cells: number,
    private readonly minRun: number,
    private readonly maxCv: number,
  ) {
    this.stats = new Float64Array(cells * 4);
  }

  /** Learns one reading (its value and grid cell); returns the run that just became overlong, if any. */
  observe(value: number, cell: number): RunEvent | undefined {
    let event: RunEvent | undefined;
    if (value === this.prevValue) this.exact++;
    else {
      this.longestExact = Math.max(this.longestExact, this.exact);
      this.exact = 1;
      this.exactFired = false;
      this.prevValue = value;
    }
    if (!this.exactFired && this.longestExact > 0 && this.exact > Math.max(this.minRun, 2 * this.longestExact)) {
      this.exactFired = true;
      event = 'stuck';
    }
    if (cell === this.prevCell) this.cellRun++;
    else {
      if (this.prevCell >= 0) this.endRun(this.prevCell, this.cellRun);
      this.cellRun = 1;
      this.cellFired = false;
      this.prevCell = cell;
    }
    const longest = this.stats[cell * 4];
    if (!this.cellFired && longest > 0 && this.cellRun > Math.max(this.minRun, 2 * longest) && this.regular(cell)) {
      this.cellFired = true;
      event ??= 'long-run';
    }
    return event;
  }

  /** Readings in the current run of that kind. */
  length(event: RunEvent): number {
    return event === 'stuck' ? this.exact : this.cellRun;
  }

  get bytes(): number {
    return this.stats.byteLength;
  }

  private endRun(cell: number, run: number): void {
    const i = cell * 4;
    this.stats[i] = Math.max(this.stats[i], run);
    const n = ++this.stats[i + 1];
    const d = run - this.stats[i + 2];
    this.stats[i + 2] += d / n;
    this.stats[i + 3] += d * (run - this.stats[i + 2]);
  }

  private regular(cell: number): boolean {
    const i = cell * 4;
    const n = this.stats[i + 1];
    if (n < 3) return false;
    return Math.sqrt(this.stats[i + 3] / (n - 1)) <= this.maxCv * this.stats[i + 2];
  }
}
