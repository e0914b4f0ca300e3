/**
 * StreamingAnomalyScorer: one ContextNoveltyModel per sensor, at most `maxSensors` of them (the
 * least recently scored is evicted), so memory is bounded whatever the fleet size. A sensor's
 * grid spans its operating range (operating-range.ts); a change of its rules that moves the
 * range starts a new model, as the old grid no longer means anything.
 */
import type { SensorContext } from '@gwanje/detection';
import { ContextNoveltyModel, type NoveltyExplanation, type NoveltyOptions } from './context-novelty.js';
import { operatingRange } from './operating-range.js';

export interface ScorerOptions {
  /** Model settings shared by every sensor (range comes from each sensor). */
  model?: Partial<Omit<NoveltyOptions, 'range'>>;
  /** Sensors with a model at once (LRU beyond; default 5,000). */
  maxSensors?: number;
}

interface Entry {
  model: ContextNoveltyModel;
  /** The rules the range was taken from (a reconfigured sensor gets a new array, SensorRegistry.reload). */
  rules: SensorContext['rules'];
  rangeKey: string;
  used: number;
}

export class StreamingAnomalyScorer {
  private readonly models = new Map<string, Entry>();
  private clock = 0;

  constructor(private readonly o: ScorerOptions = {}) {}

  /** Why the last scored reading reached the model's reportAt (undefined otherwise). */
  explanation?: NoveltyExplanation;

  /** Scores one reading of a sensor and learns it (no allocation: this is every reading's path). */
  score(ctx: Pick<SensorContext, 'sensorId' | 'unit' | 'rules' | 'range'>, value: number): number {
    let e = this.models.get(ctx.sensorId);
    if (!e || e.rules !== ctx.rules) e = this.renew(ctx, e);
    e.used = ++this.clock;
    const score = e.model.step(value);
    this.explanation = e.model.explanation;
    return score;
  }

  /** A new sensor, or new rules: keep the model unless its grid moved. */
  private renew(ctx: Pick<SensorContext, 'sensorId' | 'unit' | 'rules' | 'range'>, old?: Entry): Entry {
    const range = operatingRange(ctx);
    const rangeKey = range ? `${range.min}:${range.max}` : 'learned';
    const model = old && old.rangeKey === rangeKey ? old.model : new ContextNoveltyModel({ ...this.o.model, range });
    const e: Entry = { model, rules: ctx.rules, rangeKey, used: ++this.clock };
    this.models.set(ctx.sensorId, e);
    if (this.models.size > (this.o.maxSensors ?? 5000)) this.evictLeastRecent();
    return e;
  }

  private evictLeastRecent(): void {
    let oldest: string | undefined;
    let used = Number.POSITIVE_INFINITY;
    for (const [id, e] of this.models) {
      if (e.used < used) {
        used = e.used;
        oldest = id;
      }
    }
    if (oldest !== undefined) this.models.delete(oldest);
  }

  get sensors(): number {
    return this.models.size;
  }

  /** Bytes of model memory held (typed arrays; bench/nab reports it per sensor). */
  get bytes(): number {
    let n = 0;
    for (const e of this.models.values()) n += e.model.bytes;
    return n;
  }
}

/**
 * Scores a whole series offline, as NAB runs a detector: the grid spans `range` (NAB hands
 * every detector its file's min and max) and the first `learning` readings only teach.
 */
export function scoreSeries(values: ArrayLike<number>, o: Partial<NoveltyOptions> = {}): Float64Array {
  const m = new ContextNoveltyModel(o);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = m.step(values[i]);
  return out;
}
