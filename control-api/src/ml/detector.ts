/**
 * AnomalyDetector: the streaming anomaly model as an advisory DetectionEngine plug-in. Every
 * reading of every numeric sensor is scored (issue 22: no sampling), ~1-3 us each
 * (bench/nab/throughput.ts), but not on the alarm path itself: `onReading` only appends the
 * reading to a bounded ring (no allocation) and the ring is scored in slices of at most `sliceMs`
 * between the event loop's I/O callbacks (setImmediate), so a telemetry message carrying a flame
 * or a gas-high reading never waits for the model to score the readings before it. Verdicts are
 * handed to the engine at its next tick (about a second). A backlog beyond `maxQueue` readings
 * drops the oldest, counted (`stats.dropped`).
 *
 * A score at or above the fixed, calibrated `threshold` raises an advisory `anomaly` alarm
 * (priority 4) carrying why (value, expected band, reason, score); it stays active while the
 * model's one-report-per-episode silence lasts and clears after it. The detector is `advisory`,
 * so the engine keeps its alarms apart: it may raise an advisory alarm but never clears,
 * acknowledges or replaces a threshold alarm (issue 4).
 */

import type { AdvisoryDetector, Condition, DetectionReading, SensorContext } from '@gwanje/detection';
import type { AnomalyExplanation } from '@gwanje/protocol';
import type { Logger } from 'pino';
import { DEFAULT_NOVELTY, type NoveltyExplanation, type NoveltyOptions } from './context-novelty.js';
import { StreamingAnomalyScorer } from './scorer.js';

/**
 * The one threshold used in production: the NAB v1.1 standard-profile optimum of this model on
 * the shipped corpus, and the optimum of every leave-one-category-out fold (bench/results/nab.json).
 * Scores are calibrated per stream, so it holds across sensors and sites: nothing is tuned per sensor.
 */
export const DEFAULT_THRESHOLD = DEFAULT_NOVELTY.reportAt;

/** An active advisory alarm with no new reading for this long is cleared (the sensor went quiet). */
const QUIET_CLEAR_MS = 10 * 60_000;

export interface AnomalyDetectorOptions {
  log: Logger;
  /** Score every n-th reading of each sensor (default 1: all). */
  sampleEvery?: number;
  /** Calibrated score at or above which an advisory alarm is raised (default DEFAULT_THRESHOLD). */
  threshold?: number;
  /** Model settings (learning period, grid, ...); defaults DEFAULT_NOVELTY. */
  model?: Partial<Omit<NoveltyOptions, 'range' | 'reportAt'>>;
  /** Sensors with a model at once (LRU beyond; default 5,000). */
  maxSensors?: number;
  /** Readings waiting to be scored at most; beyond, the oldest are dropped and counted (default 100,000). */
  maxQueue?: number;
  /** CPU time per scoring slice between I/O callbacks (default 1 ms). */
  sliceMs?: number;
}

interface Active {
  ctx: SensorContext;
  /** Readings left before the alarm clears. */
  left: number;
  lastTs: number;
}

export class AnomalyDetector implements AdvisoryDetector {
  readonly advisory = true;
  readonly name = 'ml:context-novelty';
  readonly stats = { scored: 0, skipped: 0, dropped: 0, raised: 0, cleared: 0 };
  private readonly scorer: StreamingAnomalyScorer;
  private readonly threshold: number;
  private readonly hold: number;
  private readonly seen = new Map<string, number>();
  private readonly active = new Map<string, Active>();
  // The ring of readings waiting to be scored: context, value and timestamp side by side.
  private readonly ring: SensorContext[];
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private head = 0;
  private size = 0;
  private pending: Condition[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly o: AnomalyDetectorOptions) {
    this.threshold = o.threshold ?? DEFAULT_THRESHOLD;
    const model = { ...DEFAULT_NOVELTY, ...o.model, reportAt: this.threshold };
    this.hold = Math.max(1, Math.round(model.learning * model.restFraction));
    this.scorer = new StreamingAnomalyScorer({ model, maxSensors: o.maxSensors });
    const capacity = o.maxQueue ?? 100_000;
    this.ring = new Array<SensorContext>(capacity);
    this.values = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Starts scoring in slices (models are created on a sensor's first reading). */
  start(): void {
    this.running = true;
    this.schedule();
    this.o.log.info({ threshold: this.threshold, sampleEvery: this.o.sampleEvery ?? 1 }, 'ml: anomaly detector on');
  }

  stop(): void {
    this.running = false;
    this.active.clear();
  }

  /** Readings waiting to be scored. */
  get backlog(): number {
    return this.size;
  }

  /** Sensors with a model, and the bytes their models hold. */
  get footprint(): { sensors: number; bytes: number } {
    return { sensors: this.scorer.sensors, bytes: this.scorer.bytes };
  }

  onReading(reading: DetectionReading, ctx: SensorContext): Condition[] {
    // Boolean detectors (flame, smoke) have their own rules; a faulty reading says nothing about the process.
    if (ctx.unit === 'bool' || !Number.isFinite(reading.value) || reading.quality === 'fault') {
      this.stats.skipped++;
      return [];
    }
    const every = this.o.sampleEvery ?? 1;
    if (every > 1) {
      const n = (this.seen.get(ctx.sensorId) ?? 0) + 1;
      this.seen.set(ctx.sensorId, n);
      if (n % every !== 0) return [];
    }
    const capacity = this.values.length;
    if (this.size === capacity) {
      // Overload: shed the oldest (the model is advisory; threshold rules saw every reading).
      this.head = (this.head + 1) % capacity;
      this.size--;
      if (++this.stats.dropped % 10_000 === 1)
        this.o.log.warn({ dropped: this.stats.dropped }, 'ml: backlog full, dropping');
    }
    const at = (this.head + this.size) % capacity;
    this.ring[at] = ctx;
    this.values[at] = reading.value;
    this.times[at] = reading.ts;
    this.size++;
    this.schedule();
    return [];
  }

  /** Scores everything waiting now, synchronously (tests, benches, shutdown); returns how many. */
  flush(): number {
    return this.drain(Number.POSITIVE_INFINITY);
  }

  /** The engine's tick: verdicts scored since the last one, and quiet sensors cleared. */
  onTick(now: number): Condition[] {
    const out = this.pending;
    this.pending = [];
    for (const [id, a] of this.active) {
      if (now - a.lastTs < QUIET_CLEAR_MS) continue;
      this.active.delete(id);
      this.stats.cleared++;
      out.push(this.condition(a.ctx, undefined, undefined, false, 0));
    }
    return out;
  }

  private schedule(): void {
    if (!this.running || this.scheduled || this.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) return;
      try {
        this.drain(performance.now() + (this.o.sliceMs ?? 1));
      } catch (err) {
        this.o.log.error({ err: (err as Error).stack }, 'ml: scoring failed');
      }
      this.schedule();
    });
  }

  /** Scores waiting readings until `until` (performance.now() ms), checking the clock every 64. */
  private drain(until: number): number {
    let n = 0;
    const capacity = this.values.length;
    while (this.size > 0 && ((n & 63) !== 0 || performance.now() < until)) {
      const i = this.head;
      const ctx = this.ring[i];
      this.ring[i] = undefined as unknown as SensorContext;
      this.head = (i + 1) % capacity;
      this.size--;
      this.score(ctx, this.values[i], this.times[i]);
      n++;
    }
    return n;
  }

  private score(ctx: SensorContext, value: number, ts: number): void {
    this.stats.scored++;
    const score = this.scorer.score(ctx, value);
    const explanation = this.scorer.explanation;
    const a = this.active.get(ctx.sensorId);
    if (explanation && score >= this.threshold) {
      this.active.set(ctx.sensorId, { ctx, left: this.hold, lastTs: ts });
      this.stats.raised++;
      this.pending.push(this.condition(ctx, value, ts, true, score, explanation));
      return;
    }
    if (!a) return;
    a.lastTs = ts;
    if (--a.left > 0) return;
    this.active.delete(ctx.sensorId);
    this.stats.cleared++;
    this.pending.push(this.condition(ctx, value, ts, false, score));
  }

  private condition(
    ctx: SensorContext,
    value: number | undefined,
    ts: number | undefined,
    active: boolean,
    score: number,
    why?: NoveltyExplanation,
  ): Condition {
    const what = ctx.gas ?? ctx.metric;
    const c: Condition = {
      sourceId: ctx.sensorId,
      sourceKind: 'sensor',
      siteId: ctx.siteId,
      type: 'anomaly',
      priority: 4,
      active,
      advisory: true,
      value: round(score),
      threshold: this.threshold,
      message: active ? `anomaly: ${what} ${value} ${ctx.unit} (${why?.reason})` : `anomaly: ${what} back to normal`,
      sensorTs: ts,
      cameras: ctx.cameras,
    };
    if (active && why && value !== undefined) c.anomaly = explanationOf(why, value, ctx.unit, score, this.threshold);
    return c;
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const tidy = (x: number): number | undefined => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : undefined);

function explanationOf(
  why: NoveltyExplanation,
  reading: number,
  unit: string,
  score: number,
  threshold: number,
): AnomalyExplanation {
  const e: AnomalyExplanation = { reason: why.reason, reading, unit, score: round(score), threshold };
  const lo = tidy(why.expectedLow);
  const hi = tidy(why.expectedHigh);
  if (lo !== undefined) e.expectedLow = lo;
  if (hi !== undefined) e.expectedHigh = hi;
  if (why.run !== undefined) e.run = why.run;
  return e;
}

/** The factory the center wires in: `detectors: [anomaly]`. */
export function createAnomalyDetector(o: AnomalyDetectorOptions): AnomalyDetector {
  return new AnomalyDetector(o);
}
