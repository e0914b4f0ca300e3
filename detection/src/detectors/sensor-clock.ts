/**
 * Per-sensor state shared by the rule detectors: which rules of the sensor a detector handles,
 * their debouncers, and the sensor's clock offset.
 *
 * Delays run on the sensor's timestamps (a blip is judged by when it was measured, not when it
 * arrived, so a store-and-forward backlog replays with its real timing). Between readings, a tick
 * at center time `now` is mapped onto the sensor's time base with the offset seen at the last
 * reading: sensorTime = now - (arrival - ts). Clock skew and transport delay cancel out.
 */

import type { DetectionReading, RuleSpec, SensorContext } from '../types.js';
import { Debouncer } from './debounce.js';

/**
 * Issue 19: after a takeover, how long the readings queued at the broker while no instance held
 * the site may take to arrive once the site's consumer starts. Until then nothing is judged on
 * time alone (a delay completed by a tick, a sensor judged silent): the backlog may say otherwise.
 */
export const RESUME_GRACE_MS = 5_000;

export interface SensorRules {
  ctx: SensorContext;
  /** The ctx.rules array these debouncers were built from; a new array resets the state. */
  source: RuleSpec[];
  deb: Debouncer[];
  /** arrival (center now) - reading ts at the last reading. */
  offset: number;
  lastTs: number;
  /** Debouncers with a pending change (timers the tick must look at). */
  pending: boolean;
  /** Why the last reading was not a plain measurement (over-range, under-range), for the alarm's facts. */
  code?: string;
}

export class SensorRuleTable {
  readonly sensors = new Map<string, SensorRules>();

  constructor(readonly select: (rule: RuleSpec) => boolean) {}

  /** Finds or (re)builds the state for a reading's sensor; records the clock offset. */
  enter(reading: DetectionReading, ctx: SensorContext, now: number): SensorRules {
    const s = this.of(ctx);
    if (reading.ts >= s.lastTs) s.offset = now - reading.ts; // a late out-of-order sample says nothing new
    return s;
  }

  /**
   * Issue 19, a site taken over: the sensor's debouncers start from the standing alarms the store
   * holds (a rule whose type is in `active` starts active, the others inactive, both known), so
   * the stored readings replayed next resume an off-delay of an active alarm instead of clearing it at
   * once, and a restored alarm is not raised again.
   */
  seed(ctx: SensorContext, active: ReadonlySet<string>): void {
    for (const d of this.of(ctx).deb) {
      d.active = active.has(d.rule.type);
      d.known = true;
      d.since = Number.NaN;
    }
  }

  private of(ctx: SensorContext): SensorRules {
    let s = this.sensors.get(ctx.sensorId);
    if (s === undefined || s.source !== ctx.rules) {
      const deb: Debouncer[] = [];
      for (const r of ctx.rules) if (r.enabled && this.select(r)) deb.push(new Debouncer(r));
      s = { ctx, source: ctx.rules, deb, offset: 0, lastTs: Number.NEGATIVE_INFINITY, pending: false };
      this.sensors.set(ctx.sensorId, s);
    }
    s.ctx = ctx;
    return s;
  }

  sensorTime(s: SensorRules, now: number): number {
    return now - s.offset;
  }
}

export const hasPending = (deb: Debouncer[]): boolean => {
  for (const d of deb) if (d.pending) return true;
  return false;
};
