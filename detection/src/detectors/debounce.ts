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
import { type AlarmFacts, holds, trips } from '@gwanje/protocol';
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

  /** Feeds a value observed at time t (comparisons shared with the agent: protocol safety/verdict.ts). */
  step(v: number, t: number): number {
    this.value = v;
    return this.stepBool(this.active ? holds(this.rule, v) : trips(this.rule, v), t);
  }

  /**
   * A reading that is no evidence either way (a fault, a stale value): the state stands. A
   * pending clear is called off, so a detector fault can never complete the return to normal of
   * a standing alarm (issue 15); a pending raise keeps running (the gas was seen).
   */
  unknown(): void {
    if (this.active) this.since = Number.NaN;
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

export const opOf = (rule: Pick<RuleSpec, 'direction' | 'strict'>): NonNullable<AlarmFacts['op']> =>
  rule.direction === 'low' ? (rule.strict ? '<' : '<=') : rule.strict ? '>' : '>=';

/**
 * The Condition a sensor rule reports. `facts` carry what the console renders (type, value,
 * setpoint, unit, gas); `message` is the English summary kept for CONTRACT compatibility.
 */
export function sensorCondition(
  ctx: SensorContext,
  rule: RuleSpec,
  active: boolean,
  value: number,
  sensorTs: number | undefined,
  extra: AlarmFacts = {},
): Condition {
  const op = opOf(rule);
  const unit = extra.unit ?? ctx.unit;
  const u = unit === 'bool' ? '' : ` ${unit}`;
  const what = ctx.gas ?? ctx.metric;
  const shown = Number.isFinite(value) ? value : undefined;
  const message = active
    ? `${rule.type}: ${what} ${shown === undefined ? (extra.code ?? '?') : fmt(shown)}${u} ${op} ${fmt(rule.setpoint)}${u}`
    : `${rule.type}: ${what} back to normal${shown === undefined ? '' : ` (${fmt(shown)}${u})`}`;
  const facts: AlarmFacts = { active, metric: ctx.metric, unit: ctx.unit, setpoint: rule.setpoint, op, ...extra };
  if (ctx.gas !== undefined) facts.gas = ctx.gas;
  if (shown !== undefined) facts.value = shown;
  return {
    sourceId: ctx.sensorId,
    sourceKind: 'sensor',
    siteId: ctx.siteId,
    type: rule.type,
    priority: rule.priority,
    active,
    value: shown,
    threshold: rule.setpoint,
    message,
    facts,
    latched: rule.latched,
    sensorTs,
    cameras: ctx.cameras,
  };
}
