/**
 * Setpoint, deadband and on/off delay for one rule on one signal (ISA-18.2 clause 10.4: deadband
 * and alarm on-/off-delay as the tools against chattering and fleeting alarms).
 *
 * - Raise: the value reaches the setpoint (`>=`, or `>` when strict; mirrored for low rules) and
 *   stays there for `onDelayMs`. A blip shorter than the on-delay never raises.
 * - Clear: the value leaves the deadband (below `setpoint - deadband` for a high rule) and stays
 *   out for `offDelayMs`. Values inside the deadband keep an active condition active.
 * - Time is whatever the caller passes (the sensor's timestamps); nothing here reads a clock.
 */
import type { Condition, RuleSpec, SensorContext } from '../types.js';

/** Step results: the condition became active, became inactive, or nothing to report. */
export const RAISED = 1;
export const CLEARED = -1;
export const UNCHANGED = 0;

/** Shared, frozen "nothing to report" (the common case; saves an allocation per reading). */
export const NO_CONDITIONS: Condition[] = Object.freeze([]) as unknown as Condition[];

export class Debouncer {
  active = false;
  /** Until the first report the state is unknown: a restored alarm must hear "inactive" once. */
  known = false;
  /** When the pending change (raise if inactive, clear if active) started; NaN when none. */
  since = Number.NaN;
  /** Last value stepped in: the value a timer-driven change reports. */
  value = Number.NaN;

  constructor(readonly rule: RuleSpec) {}

  trips(v: number): boolean {
    const r = this.rule;
    if (r.direction === 'low') return r.strict ? v < r.setpoint : v <= r.setpoint;
    return r.strict ? v > r.setpoint : v >= r.setpoint;
  }

  holds(v: number): boolean {
    const r = this.rule;
    if (r.direction === 'low') {
      const edge = r.setpoint + r.deadband;
      return r.strict ? v < edge : v <= edge;
    }
    const edge = r.setpoint - r.deadband;
    return r.strict ? v > edge : v >= edge;
  }

  /** Feeds a value observed at time t. */
  step(v: number, t: number): number {
    this.value = v;
    return this.stepBool(this.active ? this.holds(v) : this.trips(v), t);
  }

  /**
   * Feeds an already evaluated condition ("still wants to be active") observed at time t; used by
   * detectors whose condition is not a plain comparison (fault codes, range checks).
   */
  stepBool(wantActive: boolean, t: number): number {
    if (wantActive === this.active) {
      this.since = Number.NaN;
      if (!this.known) {
        this.known = true;
        return this.active ? RAISED : CLEARED;
      }
      return UNCHANGED;
    }
    if (Number.isNaN(this.since)) this.since = t;
    return this.elapse(t);
  }

  /** Time passes with the last value held; completes a pending change whose delay has run out. */
  elapse(t: number): number {
    if (Number.isNaN(this.since)) return UNCHANGED;
    const delay = this.active ? this.rule.offDelayMs : this.rule.onDelayMs;
    if (t - this.since < delay) return UNCHANGED;
    this.active = !this.active;
    this.known = true;
    this.since = Number.NaN;
    return this.active ? RAISED : CLEARED;
  }

  get pending(): boolean {
    return !Number.isNaN(this.since);
  }
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000));

/** The Condition a sensor rule reports; `label` defaults to the gas or metric. */
export function sensorCondition(
  ctx: SensorContext,
  rule: RuleSpec,
  active: boolean,
  value: number,
  sensorTs: number | undefined,
  what = ctx.gas ?? ctx.metric,
  unit = ctx.unit,
): Condition {
  const op = rule.direction === 'low' ? (rule.strict ? '<' : '<=') : rule.strict ? '>' : '>=';
  const u = unit === 'bool' ? '' : ` ${unit}`;
  const message = active
    ? `${rule.type}: ${what} ${fmt(value)}${u} ${op} ${fmt(rule.setpoint)}${u}`
    : `${rule.type}: ${what} back to normal (${fmt(value)}${u})`;
  return {
    sourceId: ctx.sensorId,
    sourceKind: 'sensor',
    siteId: ctx.siteId,
    type: rule.type,
    priority: rule.priority,
    active,
    value: Number.isNaN(value) ? undefined : value,
    threshold: rule.setpoint,
    message,
    latched: rule.latched,
    sensorTs,
    cameras: ctx.cameras,
  };
}
