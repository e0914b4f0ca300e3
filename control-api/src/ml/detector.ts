/**
 * AnomalyDetector: the streaming anomaly model as an advisory DetectionEngine plug-in. Every
 * reading of every numeric sensor is scored where it arrives, synchronously (~1 us a reading,
 * bench/nab/throughput.ts), so the verdict is part of the same engine step as the threshold
 * rules and no queue, thread or sampling stands between a reading and its score (issue 22).
 *
 * A score at or above the fixed, calibrated `threshold` raises an advisory `anomaly` alarm
 * (priority 4) carrying why (value, expected band, reason, score); it stays active while the
 * model's one-report-per-episode silence lasts and clears after it. The detector is `advisory`,
 * so the engine keeps its alarms apart: it may raise an advisory alarm but never clears,
 * acknowledges or replaces a threshold alarm (issue 4).
 */
import type { AnomalyExplanation } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { AdvisoryDetector } from '../detection/detectors/ml.js';
import type { Condition, DetectionReading, SensorContext } from '../detection/types.js';
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
  readonly stats = { scored: 0, skipped: 0, raised: 0, cleared: 0 };
  private readonly scorer: StreamingAnomalyScorer;
  private readonly threshold: number;
  private readonly hold: number;
  private readonly seen = new Map<string, number>();
  private readonly active = new Map<string, Active>();

  constructor(private readonly o: AnomalyDetectorOptions) {
    this.threshold = o.threshold ?? DEFAULT_THRESHOLD;
    const model = { ...DEFAULT_NOVELTY, ...o.model, reportAt: this.threshold };
    this.hold = Math.max(1, Math.round(model.learning * model.restFraction));
    this.scorer = new StreamingAnomalyScorer({ model, maxSensors: o.maxSensors });
  }

  /** Nothing to start: models are created on a sensor's first reading. */
  start(): void {
    this.o.log.info({ threshold: this.threshold, sampleEvery: this.o.sampleEvery ?? 1 }, 'ml: anomaly detector on');
  }

  stop(): void {
    this.active.clear();
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
    this.stats.scored++;
    const score = this.scorer.score(ctx, reading.value);
    const explanation = this.scorer.explanation;
    const a = this.active.get(ctx.sensorId);
    if (explanation && score >= this.threshold) {
      this.active.set(ctx.sensorId, { ctx, left: this.hold, lastTs: reading.ts });
      this.stats.raised++;
      return [this.condition(ctx, reading, true, score, explanation)];
    }
    if (!a) return [];
    a.lastTs = reading.ts;
    if (--a.left > 0) return [];
    this.active.delete(ctx.sensorId);
    this.stats.cleared++;
    return [this.condition(ctx, reading, false, score)];
  }

  /** A sensor that went quiet while its advisory alarm was active: clear it rather than leave it standing. */
  onTick(now: number): Condition[] {
    const out: Condition[] = [];
    for (const [id, a] of this.active) {
      if (now - a.lastTs < QUIET_CLEAR_MS) continue;
      this.active.delete(id);
      this.stats.cleared++;
      out.push(this.condition(a.ctx, undefined, false, 0));
    }
    return out;
  }

  private condition(
    ctx: SensorContext,
    r: DetectionReading | undefined,
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
      message: active ? `anomaly: ${what} ${r?.value} ${ctx.unit} (${why?.reason})` : `anomaly: ${what} back to normal`,
      sensorTs: r?.ts,
      cameras: ctx.cameras,
    };
    if (active && why && r) c.anomaly = explanationOf(why, r.value, ctx.unit, score, this.threshold);
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
