/**
 * Fixed-setpoint rules on the measured value: every rule whose type the safety table evaluates
 * as high, low or bool (gas-low, gas-high, o2-low, o2-high, flame, smoke, temperature-high).
 * Each rule runs through a Debouncer (setpoint, deadband, on/off delay; ISA-18.2 clause 10.4).
 *
 * What a reading says to a rule is protocol's `classifyReading` / `judgedValue`, shared with the
 * agent's fail-safe (issue 15): an over-range gas reading is above every high threshold (a pegged
 * detector raises gas-high), under-range below every low one (O2), and any other fault or a stale
 * reading is no evidence (neither raises nor clears: a fault never silences a standing alarm).
 */
import { classifyReading, evaluationOf, judgedValue } from '@gwanje/protocol';
import type { Condition, DetectionReading, Detector, SensorContext } from '../types.js';
import { CLEARED, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { hasPending, type SensorRules, SensorRuleTable } from './sensor-clock.js';

const SETPOINT = new Set(['high', 'low', 'bool']);

export class ThresholdDetector implements Detector {
  readonly name = 'threshold';
  private readonly table = new SensorRuleTable((r) => SETPOINT.has(evaluationOf(r.type) ?? ''));
  /** Sensors with a delay running, so a tick does not walk every sensor. */
  private readonly timers = new Set<SensorRules>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const s = this.table.enter(reading, ctx, now);
    if (s.deb.length === 0 || reading.ts < s.lastTs) return NO_CONDITIONS; // an older sample: the newer one decided
    s.lastTs = reading.ts;
    const cls = classifyReading(ctx, reading);
    s.code = cls === 'measured' ? undefined : cls;
    let out: Condition[] | undefined;
    for (const d of s.deb) {
      const v = judgedValue(d.rule, cls, reading.value);
      if (v === undefined) {
        d.unknown();
        continue;
      }
      const r = d.step(v, reading.ts);
      d.value = reading.value; // report what the transmitter said, not the verdict's infinity
      if (r === RAISED || r === CLEARED) {
        out ??= [];
        out.push(this.condition(s, d, r === RAISED, reading.ts));
      }
    }
    this.track(s);
    return out ?? NO_CONDITIONS;
  }

  /** Issue 19: the sensor's rules start from its standing alarms (SensorRuleTable.seed). */
  seed(ctx: SensorContext, active: ReadonlySet<string>): void {
    this.table.seed(ctx, active);
  }

  onTick(now: number): Condition[] {
    const out: Condition[] = [];
    for (const s of this.timers) {
      const t = this.table.sensorTime(s, now);
      for (const d of s.deb) {
        const r = d.elapse(t);
        if (r === RAISED || r === CLEARED) out.push(this.condition(s, d, r === RAISED, s.lastTs));
      }
      this.track(s);
    }
    return out;
  }

  private condition(s: SensorRules, d: SensorRules['deb'][number], active: boolean, ts: number): Condition {
    return sensorCondition(s.ctx, d.rule, active, d.value, ts, s.code ? { reason: s.code } : {});
  }

  private track(s: SensorRules): void {
    if (hasPending(s.deb)) this.timers.add(s);
    else this.timers.delete(s);
  }
}
