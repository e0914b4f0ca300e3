/**
 * NAB v1.1 scoring (Numenta Anomaly Benchmark), pure: no I/O. Written from the paper
 * (Lavin & Ahmad, "Evaluating Real-time Anomaly Detection Algorithms - the Numenta Anomaly
 * Benchmark", ICMLA 2015, section IV "Scoring") and the NAB whitepaper/README
 * ("Scoring", "Anomaly windows", "Probationary period", "Normalized score").
 *
 * - Each labelled anomaly is a window of timestamps. A detection inside a window is a true
 *   positive weighted by a scaled sigmoid of its relative position (earlier = more credit, paper
 *   eq. (1)); only the first detection in a window counts, later ones are neither TP nor FP.
 * - A detection outside every window is a false positive weighted by the same sigmoid of its
 *   distance after the preceding window, so a late detection near a window costs less; with no
 *   preceding window it costs the full -1 (whitepaper "Scoring", false positives).
 * - A window with no detection costs -fnWeight.
 * - The first 15 % of a file (at most 750 rows) is probationary: detections there are ignored,
 *   and a window lying wholly inside it is not scored at all (NAB v1.1 sweeper: only windows
 *   with a scorable row enter the score parts, so they are neither TP nor FN).
 * - A detector's single best threshold over the corpus is found by sweeping every distinct score
 *   (NAB v1.1 sweeper), and the raw score is normalised: 100 * (raw - null) / (perfect - null).
 */

export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

/** config/profiles.json of NAB v1.1. */
export const PROFILES: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', CostMatrix> = {
  standard: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11 },
};

/** One data file with its detector output: scores[i] belongs to timestamps[i] (ms). */
export interface ScoredFile {
  name: string;
  timestamps: readonly number[];
  scores: readonly number[];
  /** Anomaly windows [start, end] in ms, inclusive, in time order. */
  windows: ReadonlyArray<readonly [number, number]>;
}

export const PROBATION_PERCENT = 0.15;

/** Paper eq. (1): sigma(y) = 2 / (1 + e^(5y)) - 1; y >= 3 (far after a window) scores -1. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition >= 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

/** Credit of a detection at the very left edge of a window (y = -1): the TP normaliser. */
const MAX_TP = scaledSigmoid(-1.0);

/** Rows of a file that are probationary: min(floor(15 % of rows), 15 % of 5000). */
export function probationLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** A scored row after probation: its detector score, its weight if detected, its window (or -1). */
export interface ScoringRow {
  score: number;
  weight: number;
  window: number;
}

/** Row index ranges [left, right] of each window (first row at/after start, last at/before end). */
export function windowIndices(timestamps: readonly number[], windows: ScoredFile['windows']): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  for (const [start, end] of windows) {
    while (i < timestamps.length && timestamps[i] < start) i++;
    let j = i;
    while (j + 1 < timestamps.length && timestamps[j + 1] <= end) j++;
    if (i < timestamps.length && timestamps[i] <= end) out.push([i, j]);
    else out.push([-1, -1]); // a window outside the data can never be detected: a sure FN
  }
  return out;
}

/**
 * Weighs every row as NAB's sweeper does: inside window w, position y = -(right - i + 1) / width
 * (−1 at the left edge, → 0 at the right edge) gives tpWeight * sigma(y) / sigma(−1); outside,
 * y = |i − prevRight| / (prevWidth − 1) gives fpWeight * sigma(y), or −fpWeight before any window.
 */
export function scoringRows(file: ScoredFile, cost: CostMatrix): ScoringRow[] {
  const n = file.timestamps.length;
  const idx = windowIndices(file.timestamps, file.windows);
  const probation = probationLength(n);
  const rows: ScoringRow[] = [];
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (w < idx.length && idx[w][1] < i) {
      if (idx[w][0] >= 0) {
        prevRight = idx[w][1];
        prevWidth = idx[w][1] - idx[w][0] + 1;
      }
      w++;
    }
    const inWindow = w < idx.length && idx[w][0] >= 0 && idx[w][0] <= i;
    let weight: number;
    if (inWindow) {
      const [left, right] = idx[w];
      const y = -(right - i + 1) / (right - left + 1);
      weight = (scaledSigmoid(y) * cost.tpWeight) / MAX_TP;
    } else if (prevRight < 0) {
      weight = -1.0 * cost.fpWeight;
    } else {
      // A one-row window has width - 1 = 0; treat any later row as far after it.
      const y = prevWidth > 1 ? Math.abs(prevRight - i) / (prevWidth - 1) : Number.POSITIVE_INFINITY;
      weight = scaledSigmoid(y) * cost.fpWeight;
    }
    if (i >= probation) rows.push({ score: file.scores[i] ?? 0, weight, window: inWindow ? w : -1 });
  }
  return rows;
}

export interface FileScore {
  name: string;
  score: number;
  tp: number;
  fp: number;
  fn: number;
  /** Windows scored (those with a row after probation). */
  windows: number;
}

/** Score of one file at a threshold: a row is a detection when its score >= threshold. */
export function scoreFile(file: ScoredFile, threshold: number, cost: CostMatrix): FileScore {
  const rows = scoringRows(file, cost);
  const credited = new Set<number>();
  let score = 0;
  let fp = 0;
  for (const r of rows) {
    if (r.score < threshold) continue;
    if (r.window < 0) {
      score += r.weight;
      fp++;
    } else if (!credited.has(r.window)) {
      // Rows come in time order, so the first detection in a window is the one credited.
      credited.add(r.window);
      score += r.weight;
    }
  }
  const windows = scoredWindows(rows);
  const fn = windows - credited.size;
  score -= fn * cost.fnWeight;
  return { name: file.name, score, tp: credited.size, fp, fn, windows };
}

/** Windows with at least one row after probation: the only ones NAB scores. */
function scoredWindows(rows: readonly ScoringRow[]): number {
  return new Set(rows.filter((r) => r.window >= 0).map((r) => r.window)).size;
}

/** (threshold, change of the file's score when the threshold drops to it) for every row. */
function sweepEvents(rows: ScoringRow[], cost: CostMatrix): Array<[number, number]> {
  rows.sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  const out: Array<[number, number]> = [];
  for (const r of rows) {
    if (r.window < 0) {
      out.push([r.score, r.weight]);
      continue;
    }
    // The earliest detection in a window has the largest weight, so a window's credit is the
    // maximum weight among its detected rows (equivalent to "first detection counts").
    const prev = best.get(r.window);
    if (prev === undefined) {
      best.set(r.window, r.weight);
      out.push([r.score, r.weight + cost.fnWeight]);
    } else if (r.weight > prev) {
      best.set(r.window, r.weight);
      out.push([r.score, r.weight - prev]);
    }
  }
  return out;
}

/**
 * NAB v1.1 threshold optimisation: the one threshold that maximises the summed raw score over
 * all files. Sweeps every distinct score from the top; starts from "nothing detected".
 */
export function optimizeThreshold(files: readonly ScoredFile[], cost: CostMatrix): { threshold: number; raw: number } {
  const events: Array<[number, number]> = [];
  let total = 0;
  let maxScore = Number.NEGATIVE_INFINITY;
  for (const f of files) {
    const rows = scoringRows(f, cost);
    total -= scoredWindows(rows) * cost.fnWeight;
    for (const e of sweepEvents(rows, cost)) events.push(e);
  }
  for (const [s] of events) if (s > maxScore) maxScore = s;
  events.sort((a, b) => b[0] - a[0]);
  let bestRaw = total;
  let bestThreshold = Number.isFinite(maxScore) ? maxScore + 1e-9 : 1.1;
  for (let i = 0; i < events.length; ) {
    const s = events[i][0];
    while (i < events.length && events[i][0] === s) total += events[i++][1];
    if (total > bestRaw + 1e-12) {
      bestRaw = total;
      bestThreshold = s;
    }
  }
  return { threshold: bestThreshold, raw: bestRaw };
}

export interface CorpusScore {
  threshold: number;
  raw: number;
  /** Null detector (never detects): -fnWeight per scored window. */
  nullRaw: number;
  /** Perfect score as NAB's runner.normalize() takes it: tpWeight per labelled window. */
  perfectRaw: number;
  normalized: number;
  files: FileScore[];
}

export function normalizedScore(raw: number, nullRaw: number, perfectRaw: number): number {
  // A corpus without windows (e.g. artificialNoAnomaly alone) has no scale: report raw instead.
  if (perfectRaw === nullRaw) return Number.NaN;
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}

/** Scores a corpus at `threshold`, or at the optimised threshold when none is given. */
export function scoreCorpus(files: readonly ScoredFile[], cost: CostMatrix, threshold?: number): CorpusScore {
  const th = threshold ?? optimizeThreshold(files, cost).threshold;
  const perFile = files.map((f) => scoreFile(f, th, cost));
  const raw = perFile.reduce((s, f) => s + f.score, 0);
  const nullRaw = -cost.fnWeight * perFile.reduce((n, f) => n + f.windows, 0);
  // NAB v1.1 runner.normalize(): perfect = tpCount * tpWeight, tpCount being every window of the
  // label file (a window inside or across the probationary period counts in full here).
  const perfectRaw = cost.tpWeight * files.reduce((n, f) => n + f.windows.length, 0);
  return {
    threshold: th,
    raw,
    nullRaw,
    perfectRaw,
    normalized: normalizedScore(raw, nullRaw, perfectRaw),
    files: perFile,
  };
}

/** Category of a corpus file: the folder of `<category>/<file>.csv`. */
export const categoryOf = (name: string): string => name.slice(0, Math.max(0, name.indexOf('/')));

export interface HeldOutScore {
  category: string;
  /** Threshold optimised on every file outside the category. */
  threshold: number;
  normalized: number;
}

/**
 * Leave-one-category-out: each category scored at the threshold NAB's optimiser picks on all the
 * other files, i.e. as a category the detector (and its threshold) never saw would be scored.
 * Categories without labelled windows have no normalised score and are skipped.
 */
export function leaveOneCategoryOut(files: readonly ScoredFile[], cost: CostMatrix): HeldOutScore[] {
  const out: HeldOutScore[] = [];
  for (const category of [...new Set(files.map((f) => categoryOf(f.name)))]) {
    const inside = files.filter((f) => categoryOf(f.name) === category);
    const rest = files.filter((f) => categoryOf(f.name) !== category);
    if (rest.length === 0 || inside.every((f) => f.windows.length === 0)) continue;
    const threshold = optimizeThreshold(rest, cost).threshold;
    out.push({ category, threshold, normalized: scoreCorpus(inside, cost, threshold).normalized });
  }
  return out;
}
