/**
 * Instrument health (safety rule types judged as `fault` and `range`):
 * - sensor-fault: the reading's quality is 'fault', the detector sent a self-diagnosed fault
 *   code (CONTRACT "field sensor -> edge agent"), or a gas reading is over/under its measuring
 *   range (issue 15: a pegged gas detector is a fault too, besides raising gas-high);
 * - over-range: a non-gas value (temperature, humidity) beyond its measuring range.
 */
import { classifyReading, evaluationOf, faultCodeOf, outOfRange, type ReadingClass } from '@gwanje/protocol';
import type { Condition, DetectionReading, Detector, SensorContext } from '../types.js';
import { CLEARED, type Debouncer, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { hasPending, type SensorRules, SensorRuleTable } from './sensor-clock.js';

const HEALTH = new Set(['fault', 'range']);

/** Whether a reading of this class on this sensor is a sensor fault. */
function isFault(cls: ReadingClass, r: DetectionReading, ctx: SensorContext): boolean {
  if (cls === 'fault' || r.fault !== undefined || r.quality === 'fault') return true;
  return ctx.metric === 'gas' && outOfRange(cls);
}

export class FaultDetector implements Detector {
  readonly name = 'fault';
  private readonly table = new SensorRuleTable((r) => HEALTH.has(evaluationOf(r.type) ?? ''));
  private readonly timers = new Set<SensorRules>();
  private readonly codes = new Map<string, string>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const s = this.table.enter(reading, ctx, now);
    if (s.deb.length === 0 || reading.ts < s.lastTs) return NO_CONDITIONS;
    s.lastTs = reading.ts;
    const cls = classifyReading(ctx, reading);
    const faulty = isFault(cls, reading, ctx);
    if (faulty) this.codes.set(ctx.sensorId, faultCodeOf(cls, reading) ?? 'quality-fault');
    let out: Condition[] | undefined;
    for (const d of s.deb) {
      let r: number;
      d.value = reading.value;
      if (evaluationOf(d.rule.type) === 'fault') {
        r = d.stepBool(faulty, reading.ts);
      } else if (outOfRange(cls) || cls === 'measured') {
        r = d.stepBool(outOfRange(cls), reading.ts);
      } else {
        d.unknown(); // a fault's value says nothing about the range
        continue;
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
    const { ctx } = s;
    if (evaluationOf(d.rule.type) === 'fault') {
      const code = this.codes.get(ctx.sensorId) ?? 'quality-fault';
      const c = sensorCondition(ctx, d.rule, active, d.value, ts, { code });
      c.threshold = undefined;
      delete c.facts?.setpoint;
      delete c.facts?.op;
      c.message = active
        ? `sensor-fault: ${ctx.sensorId} reports ${code}`
        : `sensor-fault: ${ctx.sensorId} healthy again`;
      return c;
    }
    const range = { rangeMin: ctx.range?.min, rangeMax: d.rule.setpoint };
    const c = sensorCondition(ctx, d.rule, active, d.value, ts, range);
    const span = `${ctx.range?.min ?? '-inf'}..${d.rule.setpoint} ${ctx.unit}`;
    c.message = active
      ? `over-range: ${ctx.gas ?? ctx.metric} ${d.value} ${ctx.unit} beyond range ${span}`
      : `over-range: ${ctx.gas ?? ctx.metric} back within range ${span}`;
    return c;
  }

  private track(s: SensorRules): void {
    if (hasPending(s.deb)) this.timers.add(s);
    else this.timers.delete(s);
  }
}
