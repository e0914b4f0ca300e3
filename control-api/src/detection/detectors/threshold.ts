/**
 * Fixed-setpoint rules on the measured value: gas-low/gas-high (%LEL and ppm), o2-low/o2-high,
 * flame, smoke, temperature-high and any custom setpoint rule added by an override. Each rule runs
 * through a Debouncer (setpoint, deadband, on/off delay; ISA-18.2 clause 10.4).
 *
 * A reading flagged as a fault (quality 'fault' or a fault code) or 'stale' is not judged: its
 * value is not a measurement, so it neither raises nor clears (FaultDetector reports the fault).
 */
import { SPECIAL_RULE_TYPES } from '../rules.js';
import type { Condition, DetectionReading, Detector, SensorContext } from '../types.js';
import { CLEARED, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { hasPending, type SensorRules, SensorRuleTable } from './sensor-clock.js';

export class ThresholdDetector implements Detector {
  readonly name = 'threshold';
  private readonly table = new SensorRuleTable((r) => !SPECIAL_RULE_TYPES.has(r.type));
  /** Sensors with a delay running, so a tick does not walk every sensor. */
  private readonly timers = new Set<SensorRules>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    if (reading.quality !== 'good' || reading.fault !== undefined) return NO_CONDITIONS;
    const s = this.table.enter(reading, ctx, now);
    if (reading.ts < s.lastTs) return NO_CONDITIONS; // out-of-order sample: the newer one already decided
    s.lastTs = reading.ts;
    let out: Condition[] | undefined;
    for (const d of s.deb) {
      const r = d.step(reading.value, reading.ts);
      if (r === RAISED || r === CLEARED) {
        out ??= [];
        out.push(sensorCondition(ctx, d.rule, r === RAISED, reading.value, reading.ts));
      }
    }
    this.track(s);
    return out ?? NO_CONDITIONS;
  }

  onTick(now: number): Condition[] {
    const out: Condition[] = [];
    for (const s of this.timers) {
      const t = this.table.sensorTime(s, now);
      for (const d of s.deb) {
        const r = d.elapse(t);
        if (r === RAISED || r === CLEARED) out.push(sensorCondition(s.ctx, d.rule, r === RAISED, d.value, s.lastTs));
      }
      this.track(s);
    }
    return out;
  }

  private track(s: SensorRules): void {
    if (hasPending(s.deb)) this.timers.add(s);
    else this.timers.delete(s);
  }
}
