/**
 * Shared query rules of both time-series backends, so a chart looks the same on either:
 * buckets are aligned to the epoch (InfluxQL GROUP BY time() semantics), empty buckets are
 * omitted (fill(none)), and 1-minute rollups answer long ranges at whole-minute steps.
 */
import type { ReadingPoint } from './types.js';

export const MINUTE_MS = 60_000;
/** Longest range answered from raw points when a rollup would do (6 h). */
export const RAW_MAX_RANGE_MS = 6 * 3600_000;
export const DEFAULT_RAW_RETENTION_MS = 30 * 24 * 3600_000;
export const DEFAULT_ROLLUP_RETENTION_MS = 400 * 24 * 3600_000;
/** The most buckets a query may ask for (keeps a bad `step` from building a huge answer). */
export const MAX_BUCKETS = 20_000;

export function checkQuery(fromMs: number, toMs: number, stepMs: number): void {
  if (![fromMs, toMs, stepMs].every(Number.isFinite)) throw new Error('timeseries: from, to and step must be numbers');
  if (toMs <= fromMs) throw new Error('timeseries: to must be after from');
  if (stepMs < 1) throw new Error('timeseries: step must be at least 1 ms');
  if ((toMs - fromMs) / stepMs > MAX_BUCKETS) throw new Error(`timeseries: more than ${MAX_BUCKETS} steps asked`);
}

/**
 * How a readings query is answered: from minute rollups whenever the range is long (over 6 h) or
 * older than raw retention, whatever step was asked, with the step rounded up to whole minutes;
 * from raw points otherwise (short ranges keep full detail). Security review F14: a step that was
 * not a whole minute used to send a week-long query through every raw hour file of the province.
 */
export function queryPlan(
  fromMs: number,
  toMs: number,
  stepMs: number,
  now: number,
  rawRetentionMs: number,
): { rollup: boolean; stepMs: number } {
  const rollup = toMs - fromMs > RAW_MAX_RANGE_MS || fromMs < now - rawRetentionMs;
  return { rollup, stepMs: rollup ? Math.ceil(stepMs / MINUTE_MS) * MINUTE_MS : stepMs };
}

export const bucketOf = (ts: number, stepMs: number): number => Math.floor(ts / stepMs) * stepMs;

/** Mergeable aggregate: min/max/sum/count combine exactly; mean = sum/count at the end. */
export interface Agg {
  min: number;
  max: number;
  sum: number;
  count: number;
}

export class BucketAggregator {
  private readonly buckets = new Map<number, Agg>();

  constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
    private readonly stepMs: number,
  ) {}

  addValue(ts: number, value: number): void {
    if (ts < this.fromMs || ts >= this.toMs) return;
    this.addAgg(ts, value, value, value, 1);
  }

  addAgg(ts: number, min: number, max: number, sum: number, count: number): void {
    if (ts < this.fromMs || ts >= this.toMs || count === 0) return;
    const b = bucketOf(ts, this.stepMs);
    const a = this.buckets.get(b);
    if (!a) this.buckets.set(b, { min, max, sum, count });
    else {
      if (min < a.min) a.min = min;
      if (max > a.max) a.max = max;
      a.sum += sum;
      a.count += count;
    }
  }

  points(): ReadingPoint[] {
    return [...this.buckets.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([ts, a]) => [ts, a.min, a.sum / a.count, a.max]);
  }
}
