/**
 * StreamingAnomalyScorer: one SeriesModel (statistics + optional tfjs autoencoder) per sensor,
 * at most `maxSensors` of them (least recently used evicted, its tensors freed), so memory is
 * bounded whatever the fleet size. Implements the detection module's `AnomalyScorer`.
 */
import type { AnomalyScorer } from '../detection/detectors/ml.js';
import type { DetectionReading, SensorContext } from '../detection/types.js';
import { Autoencoder } from './autoencoder.js';
import type { Tensorflow } from './backend.js';
import { DEFAULT_SERIES_OPTIONS, SeriesModel, type SeriesModelOptions } from './series-model.js';

export interface ScorerOptions {
  /** Loaded tfjs (backend.ts); without it the model is statistics only. */
  tf?: Tensorflow;
  series?: Partial<SeriesModelOptions>;
  maxSensors?: number;
  /** Seed of every autoencoder's initial weights (reproducible runs). */
  seed?: number;
}

interface Entry {
  model: SeriesModel;
  dispose(): void;
}

export class StreamingAnomalyScorer implements AnomalyScorer {
  readonly name = 'streaming-ensemble';
  private readonly models = new Map<string, Entry>();
  private readonly series: SeriesModelOptions;

  constructor(private readonly o: ScorerOptions = {}) {
    this.series = { ...DEFAULT_SERIES_OPTIONS, ...o.series };
  }

  /** Scores one reading right away (the AnomalyScorer contract); prefer scoreBatch off the hot path. */
  score(reading: DetectionReading, ctx: SensorContext): number | undefined {
    return this.scoreBatch(ctx.sensorId, [reading.value])[0];
  }

  /** Scores consecutive readings of one sensor; the autoencoder runs once for the whole batch. */
  scoreBatch(sensorId: string, values: readonly number[]): number[] {
    return this.entry(sensorId).model.scoreBatch(values);
  }

  get sensors(): number {
    return this.models.size;
  }

  dispose(): void {
    for (const e of this.models.values()) e.dispose();
    this.models.clear();
  }

  private entry(sensorId: string): Entry {
    let e = this.models.get(sensorId);
    if (e) {
      // Map keeps insertion order: re-insert to mark as most recently used.
      this.models.delete(sensorId);
      this.models.set(sensorId, e);
      return e;
    }
    const ae = this.o.tf
      ? new Autoencoder(this.o.tf.tf, { dim: this.series.window, seed: this.o.seed ?? 7 })
      : undefined;
    e = { model: new SeriesModel(this.series, ae), dispose: () => ae?.dispose() };
    this.models.set(sensorId, e);
    const max = this.o.maxSensors ?? 5000;
    if (this.models.size > max) {
      const [oldest, old] = this.models.entries().next().value as [string, Entry];
      old.dispose();
      this.models.delete(oldest);
    }
    return e;
  }
}

/**
 * Scores groups of consecutive readings, one group per sensor, in model calls of at most `batch`
 * readings. NaN stands for "no opinion". The one scoring step of both the in-thread detector and
 * its worker thread (detector.ts, worker.ts).
 */
export function scoreGroups(
  scorer: StreamingAnomalyScorer,
  sensorIds: readonly string[],
  values: readonly ArrayLike<number>[],
  batch: number,
): Float64Array[] {
  return sensorIds.map((sensorId, g) => {
    const xs = Array.from(values[g]);
    const out = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i += batch) {
      const scores = scorer.scoreBatch(sensorId, xs.slice(i, i + batch));
      for (let k = 0; k < scores.length; k++) out[i + k] = scores[k] ?? Number.NaN;
    }
    return out;
  });
}

/** Scores a whole series offline in batches of `batch` (the benchmark's path). */
export function scoreSeries(values: readonly number[], o: ScorerOptions & { batch?: number } = {}): number[] {
  const scorer = new StreamingAnomalyScorer(o);
  const batch = o.batch ?? 32;
  const out: number[] = [];
  for (let i = 0; i < values.length; i += batch) {
    for (const s of scorer.scoreBatch('series', values.slice(i, i + batch))) out.push(s);
  }
  scorer.dispose();
  return out;
}
