/**
 * AnomalyDetector: the streaming anomaly model as a DetectionEngine plug-in, kept off the hot
 * path. `onReading` only samples the reading into a bounded queue (O(1)); a worker started by
 * `start()` scores the queue in per-sensor batches (one autoencoder call per batch, on the tfjs
 * wasm backend or tfjs-node), turns scores into advisory 'anomaly' conditions through the
 * detection module's MlDetector (setpoint + deadband hysteresis), and `onTick` (the engine's
 * 1 s tick) hands them over. The detector is `advisory`, so the engine keeps its alarms apart:
 * an ML verdict may raise an advisory alarm but never clears or replaces a threshold alarm
 * (issue 4).
 */
import type { Logger } from 'pino';
import { type AdvisoryDetector, MlDetector } from '../detection/detectors/ml.js';
import type { Condition, DetectionReading, SensorContext } from '../detection/types.js';
import { loadTensorflow, type Tensorflow } from './backend.js';
import { StreamingAnomalyScorer } from './scorer.js';
import type { SeriesModelOptions } from './series-model.js';

export interface AnomalyDetectorOptions {
  log: Logger;
  /** Score every n-th reading of each sensor (default 1: all). */
  sampleEvery?: number;
  /** Score at or above which a reading is anomalous (default DEFAULT_THRESHOLD). */
  threshold?: number;
  /** Readings of one sensor per model call (default 32). */
  batch?: number;
  /** Queue bound; the oldest readings are dropped (and counted) beyond it (default 50,000). */
  maxQueue?: number;
  /**
   * Worker period in ms (default 50) and CPU time per run (default 8 ms: at most ~16 % of a
   * core, in slices short enough that alarms on the same event loop keep a p99 near 20 ms);
   * what does not fit waits in the queue, whose bound then sheds the oldest readings.
   */
  flushMs?: number;
  workMs?: number;
  /** false: statistics only, no tfjs; otherwise loaded by start() (tfjs-node, else wasm). */
  tensorflow?: false | Tensorflow;
  series?: Partial<SeriesModelOptions>;
  /** Sensors with a model at once (LRU beyond). */
  maxSensors?: number;
}

/**
 * The threshold NAB's sweep picks for the default model under the standard profile
 * (bench/results/nab.json: 0.750): on NAB, flags at this level pay for their false positives.
 */
export const DEFAULT_THRESHOLD = 0.75;

interface Queued {
  reading: DetectionReading;
  ctx: SensorContext;
}

export class AnomalyDetector implements AdvisoryDetector {
  readonly advisory = true;
  readonly name = 'ml:streaming-ensemble';
  readonly stats = { sampled: 0, scored: 0, dropped: 0, conditions: 0 };
  backend = 'none';
  private queue: Queued[] = [];
  private head = 0;
  private pending: Condition[] = [];
  private readonly seen = new Map<string, number>();
  private scorer?: StreamingAnomalyScorer;
  private current: number | undefined;
  private readonly verdicts: MlDetector;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: AnomalyDetectorOptions) {
    // MlDetector debounces the precomputed score of the reading being replayed (`current`).
    this.verdicts = new MlDetector(
      { name: 'streaming-ensemble', score: () => this.current },
      { threshold: o.threshold ?? DEFAULT_THRESHOLD },
    );
  }

  /** Loads tfjs (unless `tensorflow: false`) and starts the scoring worker. */
  async start(): Promise<void> {
    let tf: Tensorflow | undefined;
    if (this.o.tensorflow !== false) {
      tf = this.o.tensorflow ?? (await loadTensorflow());
      if (tf.nodeUnavailable) this.o.log.info({ reason: tf.nodeUnavailable }, 'ml: using the wasm backend');
    }
    this.backend = tf ? tf.backend : 'none';
    this.scorer = new StreamingAnomalyScorer({ tf, series: this.o.series, maxSensors: this.o.maxSensors });
    this.timer = setInterval(() => this.runWorker(), this.o.flushMs ?? 50);
    this.o.log.info({ backend: this.backend }, 'ml: anomaly detector started');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.scorer?.dispose();
    this.scorer = undefined;
  }

  /** Hot path: sample into the queue, nothing else. Boolean sensors (flame, smoke) are skipped. */
  onReading(reading: DetectionReading, ctx: SensorContext): Condition[] {
    if (ctx.unit === 'bool' || !Number.isFinite(reading.value) || reading.quality === 'fault') return [];
    const n = (this.seen.get(ctx.sensorId) ?? 0) + 1;
    this.seen.set(ctx.sensorId, n);
    if (n % (this.o.sampleEvery ?? 1) !== 0) return [];
    this.stats.sampled++;
    this.queue.push({ reading, ctx });
    if (this.queue.length - this.head > (this.o.maxQueue ?? 50_000)) {
      this.head++;
      if (++this.stats.dropped % 10_000 === 1)
        this.o.log.warn({ dropped: this.stats.dropped }, 'ml: queue full, dropping');
    }
    return [];
  }

  /** The engine's tick: conditions the worker produced since the last tick. */
  onTick(): Condition[] {
    if (this.pending.length === 0) return [];
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /**
   * Scores up to `max` queued readings now (the worker's step; tests call it directly). Readings
   * are grouped per sensor in arrival order so each model sees its series in sequence.
   */
  process(max = Number.POSITIVE_INFINITY): number {
    const scorer = this.scorer;
    if (!scorer) throw new Error('ml: process() before start()');
    const end = Math.min(this.queue.length, this.head + max);
    const take = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const bySensor = new Map<string, Queued[]>();
    for (const q of take) {
      const list = bySensor.get(q.ctx.sensorId);
      if (list) list.push(q);
      else bySensor.set(q.ctx.sensorId, [q]);
    }
    const batch = this.o.batch ?? 32;
    for (const [sensorId, list] of bySensor) {
      for (let i = 0; i < list.length; i += batch) {
        const part = list.slice(i, i + batch);
        const scores = scorer.scoreBatch(
          sensorId,
          part.map((q) => q.reading.value),
        );
        for (let k = 0; k < part.length; k++) {
          this.current = scores[k];
          const conds = this.verdicts.onReading(part[k].reading, part[k].ctx, part[k].reading.ts);
          for (const c of conds) this.pending.push(c);
          this.stats.conditions += conds.length;
        }
      }
    }
    this.current = undefined;
    this.stats.scored += take.length;
    return take.length;
  }

  private runWorker(): void {
    try {
      const until = performance.now() + (this.o.workMs ?? 8);
      let n = 0;
      // Small slices: one slice may overrun the budget, so keep it a few model calls long.
      for (let k = 1; k > 0 && performance.now() < until; n += k) k = this.process(16);
      if (n > 0) this.o.log.debug({ scored: n, pending: this.pending.length }, 'ml: scored');
    } catch (err) {
      this.o.log.error({ err: (err as Error).stack }, 'ml: scoring failed');
    }
  }
}

/** The factory the center wires in: `detectors: [anomaly]`, `await anomaly.start()`, `anomaly.stop()`. */
export function createAnomalyDetector(o: AnomalyDetectorOptions): AnomalyDetector {
  return new AnomalyDetector(o);
}
