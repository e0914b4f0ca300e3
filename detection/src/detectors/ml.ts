/**
 * Plug point for machine-learning detectors (issue 4: "an ML result may raise an advisory alarm
 * but can never suppress a threshold alarm").
 *
 * A model is wrapped as an `AnomalyScorer` (e.g. a tfjs autoencoder's reconstruction error per
 * reading). MlDetector turns the score into an advisory 'anomaly' condition with its own
 * setpoint and deadband. The engine marks every condition of an advisory detector `advisory`
 * and keeps advisory alarms in their own slot, so an ML verdict can neither clear, acknowledge
 * nor replace a threshold alarm, whatever type it names. Asynchronous models (a batch on the
 * wasm backend) report through `DetectionEngine.advise()` instead, with the same guarantee.
 */
import type { Priority } from '@gwanje/protocol';
import type { Condition, DetectionReading, Detector, RuleSpec, SensorContext } from '../types.js';
import { CLEARED, Debouncer, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';

export interface AnomalyScorer {
  readonly name: string;
  /** Anomaly score of this reading; undefined while the model has no opinion (warming up). */
  score(reading: DetectionReading, ctx: SensorContext, now: number): number | undefined;
}

export interface MlDetectorOptions {
  /** Score at or above which the reading is anomalous. */
  threshold: number;
  /** Hysteresis: clears below threshold - deadband (default 10 % of threshold). */
  deadband?: number;
  onDelayMs?: number;
  offDelayMs?: number;
  /** Advisory alarms default to priority 4 (low). */
  priority?: Priority;
  type?: string;
}

/** Marker the engine looks for: conditions from such a detector are always advisory. */
export interface AdvisoryDetector extends Detector {
  readonly advisory: true;
}

export class MlDetector implements AdvisoryDetector {
  readonly advisory = true;
  readonly name: string;
  private readonly rule: RuleSpec;
  private readonly state = new Map<string, Debouncer>();

  constructor(
    private readonly scorer: AnomalyScorer,
    opts: MlDetectorOptions,
  ) {
    this.name = `ml:${scorer.name}`;
    this.rule = {
      type: opts.type ?? 'anomaly',
      priority: opts.priority ?? 4,
      direction: 'high',
      setpoint: opts.threshold,
      deadband: opts.deadband ?? opts.threshold * 0.1,
      onDelayMs: opts.onDelayMs ?? 0,
      offDelayMs: opts.offDelayMs ?? 0,
      latched: false,
      enabled: true,
    };
  }

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const score = this.scorer.score(reading, ctx, now);
    if (score === undefined || !Number.isFinite(score)) return NO_CONDITIONS;
    let d = this.state.get(ctx.sensorId);
    if (!d) {
      d = new Debouncer(this.rule);
      this.state.set(ctx.sensorId, d);
    }
    const r = d.step(score, reading.ts);
    if (r !== RAISED && r !== CLEARED) return NO_CONDITIONS;
    const c = sensorCondition(ctx, this.rule, r === RAISED, score, reading.ts, { unit: 'score', reason: this.name });
    c.advisory = true;
    c.message =
      r === RAISED ? `${this.rule.type}: ${this.name} flags ${ctx.sensorId} (score ${score.toFixed(3)})` : c.message;
    return [c];
  }
}
