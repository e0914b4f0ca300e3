/**
 * rate-of-rise: the value climbs faster than `setpoint` units per minute (%LEL/min or ppm/min).
 * The slope is taken between the newest sample and the oldest one still inside `windowMs`
 * (default 60 s), in the sensors' own timestamps, so irregular spacing is handled; it is judged
 * only once the samples span at least a quarter of the window, so two close noisy samples
 * cannot fake a steep slope. Only rises alarm: a falling value is recovery.
 */
import { classifyReading, evaluationOf, ROR_WINDOW_MS } from '@gwanje/protocol';
import type { Condition, DetectionReading, Detector, RuleSpec, SensorContext } from '../types.js';
import { CLEARED, NO_CONDITIONS, RAISED, sensorCondition } from './debounce.js';
import { hasPending, type SensorRules, SensorRuleTable } from './sensor-clock.js';

/** Ring buffer of (ts, value) samples inside the slope window. */
class SampleWindow {
  ts = new Float64Array(16);
  v = new Float64Array(16);
  head = 0;
  len = 0;

  push(t: number, value: number, windowMs: number): void {
    let cap = this.ts.length;
    while (this.len > 0 && this.ts[this.head] < t - windowMs) {
      this.head = (this.head + 1) % cap;
      this.len--;
    }
    if (this.len === cap) {
      const ts = new Float64Array(cap * 2);
      const v = new Float64Array(cap * 2);
      for (let k = 0; k < this.len; k++) {
        ts[k] = this.ts[(this.head + k) % cap];
        v[k] = this.v[(this.head + k) % cap];
      }
      this.ts = ts;
      this.v = v;
      this.head = 0;
      cap *= 2;
    }
    const i = (this.head + this.len) % cap;
    this.ts[i] = t;
    this.v[i] = value;
    this.len++;
  }

  /** Units per minute from the oldest to the newest sample, or NaN when they span too little. */
  slope(minSpanMs: number): number {
    if (this.len < 2) return Number.NaN;
    const last = (this.head + this.len - 1) % this.ts.length;
    const span = this.ts[last] - this.ts[this.head];
    if (span < minSpanMs || span <= 0) return Number.NaN;
    return ((this.v[last] - this.v[this.head]) / span) * 60_000;
  }
}

/** The slope is reported in the sensor's unit per minute (facts.windowMs = 60,000 says "per minute"). */
const riseCondition = (ctx: SensorContext, rule: RuleSpec, active: boolean, slope: number, ts: number): Condition =>
  sensorCondition(ctx, rule, active, slope, ts, { unit: `${ctx.unit}/min`, windowMs: 60_000 });

export class RateOfRiseDetector implements Detector {
  readonly name = 'rise';
  private readonly table = new SensorRuleTable((r) => evaluationOf(r.type) === 'rate');
  private readonly samples = new Map<SensorRules, SampleWindow>();
  private readonly timers = new Set<SensorRules>();

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const s = this.table.enter(reading, ctx, now);
    if (s.deb.length === 0 || reading.ts <= s.lastTs) return NO_CONDITIONS;
    // Only a measurement has a slope (an over-range value is clipped by the transmitter).
    if (classifyReading(ctx, reading) !== 'measured') return NO_CONDITIONS;
    s.lastTs = reading.ts;
    const d = s.deb[0];
    const windowMs = d.rule.windowMs ?? ROR_WINDOW_MS;
    let w = this.samples.get(s);
    if (!w) {
      w = new SampleWindow();
      this.samples.set(s, w);
    }
    w.push(reading.ts, reading.value, windowMs);
    const slope = w.slope(windowMs / 4);
    if (Number.isNaN(slope)) return NO_CONDITIONS;
    const r = d.step(Math.round(slope * 1000) / 1000, reading.ts);
    this.track(s);
    if (r !== RAISED && r !== CLEARED) return NO_CONDITIONS;
    return [riseCondition(ctx, d.rule, r === RAISED, d.value, reading.ts)];
  }

  /** Issue 19: the sensor's rules start from its standing alarms (SensorRuleTable.seed). */
  seed(ctx: SensorContext, active: ReadonlySet<string>): void {
    this.table.seed(ctx, active);
  }

  onTick(now: number): Condition[] {
    const out: Condition[] = [];
    for (const s of this.timers) {
      const d = s.deb[0];
      const r = d.elapse(this.table.sensorTime(s, now));
      if (r === RAISED || r === CLEARED) out.push(riseCondition(s.ctx, d.rule, r === RAISED, d.value, s.lastTs));
      this.track(s);
    }
    return out;
  }

  private track(s: SensorRules): void {
    if (hasPending(s.deb)) this.timers.add(s);
    else this.timers.delete(s);
  }
}
