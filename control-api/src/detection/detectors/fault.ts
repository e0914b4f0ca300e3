/**
 * Instrument health: sensor-fault (the reading's quality is 'fault' or the detector sent a
 * self-diagnosed fault code, CONTRACT "field sensor -> edge agent") and over-range (the value is
 * beyond the configured measuring range: the true concentration is unknown, possibly far higher).
 */
import type { Condition, DetectionReading, Detector, SensorContext } from '../types.js';
import { CLEARED, type Debouncer, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { hasPending, type SensorRules, SensorRuleTable } from './sensor-clock.js';

export class FaultDetector implements Detector {
  readonly name = 'fault';
  private readonly table = new SensorRuleTable((r) => r.type === 'sensor-fault' || r.type === 'over-range');
  private readonly timers = new Set<SensorRules>();
  private readonly codes = new Map<string, string>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const s = this.table.enter(reading, ctx, now);
    if (s.deb.length === 0 || reading.ts < s.lastTs) return NO_CONDITIONS;
    s.lastTs = reading.ts;
    const faulty = reading.quality === 'fault' || reading.fault !== undefined;
    if (faulty) this.codes.set(ctx.sensorId, reading.fault ?? 'quality fault');
    let out: Condition[] | undefined;
    for (const d of s.deb) {
      let r: number;
      if (d.rule.type === 'sensor-fault') {
        d.value = reading.value;
        r = d.stepBool(faulty, reading.ts);
      } else {
        if (faulty || reading.quality === 'stale') continue; // a fault's value says nothing about range
        d.value = reading.value;
        const min = ctx.range?.min ?? Number.NEGATIVE_INFINITY;
        const max = d.rule.setpoint;
        const v = reading.value;
        r = d.stepBool((d.rule.strict ? v > max : v >= max) || v < min, reading.ts);
      }
      if (r === RAISED || r === CLEARED) {
        out ??= [];
        out.push(this.condition(s, d, r === RAISED, reading.ts));
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
        if (r === RAISED || r === CLEARED) out.push(this.condition(s, d, r === RAISED, s.lastTs));
      }
      this.track(s);
    }
    return out;
  }

  private condition(s: SensorRules, d: Debouncer, active: boolean, ts: number): Condition {
    const c = sensorCondition(s.ctx, d.rule, active, d.value, ts);
    if (d.rule.type === 'sensor-fault') {
      c.threshold = undefined;
      c.message = active
        ? `sensor-fault: ${s.ctx.sensorId} reports ${this.codes.get(s.ctx.sensorId) ?? 'a fault'}`
        : `sensor-fault: ${s.ctx.sensorId} healthy again`;
    } else {
      const range = `${s.ctx.range?.min ?? '-inf'}..${d.rule.setpoint} ${s.ctx.unit}`;
      c.message = active
        ? `over-range: ${s.ctx.gas ?? s.ctx.metric} ${d.value} ${s.ctx.unit} beyond range ${range}`
        : `over-range: ${s.ctx.gas ?? s.ctx.metric} back within range ${range}`;
    }
    return c;
  }

  private track(s: SensorRules): void {
    if (hasPending(s.deb)) this.timers.add(s);
    else this.timers.delete(s);
  }
}
