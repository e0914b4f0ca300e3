/**
 * Detection is pure (HOUSE_STYLE): no I/O, no timers, no globals. The alarm service feeds it
 * readings and clock ticks and applies the transitions it returns. Time always comes in as an
 * argument (injected clock), so delays, shelving expiry and TWA/STEL windows are testable
 * without sleeps.
 */
import type { Alarm, AlarmState, AnomalyExplanation, Priority } from '@gwanje/protocol';
import type { StoredReading } from '../store/types.js';

/** One configured rule on one sensor, after defaults (CONTRACT "Default alarm rules") and overrides. */
export interface RuleSpec {
  type: string;
  priority: Priority;
  /** 'high': active when value >= setpoint; 'low': when value <= setpoint; 'bool': value >= 1. */
  direction: 'high' | 'low' | 'bool';
  /**
   * Extension: compare strictly (value > setpoint / value < setpoint). CONTRACT says O2 alarms
   * "below 19.5 and above 23.5", so exactly 19.5 or 23.5 is normal there; gas alarms raise "at" 10/25.
   */
  strict?: boolean;
  setpoint: number;
  deadband: number;
  onDelayMs: number;
  offDelayMs: number;
  latched: boolean;
  /** For rate-of-rise: units per minute; for gas-twa/gas-stel: averaging window. */
  windowMs?: number;
  enabled: boolean;
}

export interface SensorContext {
  sensorId: string;
  siteId: string;
  agentId: string;
  metric: string;
  gas?: string;
  unit: string;
  intervalMs?: number;
  range?: { min: number; max: number };
  cameras: string[];
  rules: RuleSpec[];
}

/** What a detector says about one condition at one instant. */
export interface Condition {
  sourceId: string;
  sourceKind: 'sensor' | 'camera' | 'agent';
  siteId: string;
  type: string;
  priority: Priority;
  active: boolean;
  value?: number;
  threshold?: number;
  message: string;
  /** ML and other advisory detectors: may raise, never suppress a threshold alarm. */
  advisory?: boolean;
  latched?: boolean;
  sensorTs?: number;
  /** Extension: cameras linked to the source (copied onto a new alarm). */
  cameras?: string[];
  /** Extension (issue 22): why an advisory anomaly model flagged the reading (copied onto the alarm). */
  anomaly?: AnomalyExplanation;
}

/** Plug-in point for later detectors (ML, video analytics). */
export interface Detector {
  readonly name: string;
  /** Called for every accepted reading; returns conditions it asserts or clears. */
  onReading(reading: StoredReading, ctx: SensorContext, now: number): Condition[];
  /** Called periodically (about 1 s) for time-driven conditions: stale, delays, TWA windows. */
  onTick?(now: number): Condition[];
}

/** A reading as detection sees it: the stored reading plus the detector's own fault code, if any. */
export type DetectionReading = StoredReading & { fault?: string };

export type AlarmAction = 'ack' | 'shelve' | 'unshelve' | 'reset' | 'comment' | 'out-of-service' | 'return-to-service';

export interface Transition {
  alarm: Alarm;
  fromState?: AlarmState;
  toState: AlarmState;
  action: string;
  actor: string;
  comment?: string;
  /** false when chattering suppression says not to announce this change. */
  announce: boolean;
}

/** Arguments of `act()`: shelve needs {minutes, reason}; comment needs {text}; ack takes an optional comment. */
export interface ActionArgs {
  minutes?: number;
  reason?: string;
  text?: string;
  comment?: string;
}

export type AlarmActionErrorCode = 'not-found' | 'invalid-state' | 'bad-args';

/** Thrown by `act()` for an action the alarm's state or the arguments do not allow; maps to a 4xx. */
export class AlarmActionError extends Error {
  constructor(
    readonly code: AlarmActionErrorCode,
    message: string,
  ) {
    super(`detection: ${message}`);
    this.name = 'AlarmActionError';
  }
}
