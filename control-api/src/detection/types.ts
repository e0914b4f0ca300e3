/**
 * Detection is pure (HOUSE_STYLE): no I/O, no timers, no globals. The alarm service feeds it
 * readings and clock ticks and applies the transitions it returns. Time always comes in as an
 * argument (injected clock), so delays, shelving expiry and TWA/STEL windows are testable
 * without sleeps.
 */
import type { Alarm, AlarmState, Priority } from '@gwanje/protocol';
import type { StoredReading } from '../store/types.js';

/** One configured rule on one sensor, after defaults (CONTRACT "Default alarm rules") and overrides. */
export interface RuleSpec {
  type: string;
  priority: Priority;
  /** 'high': active when value >= setpoint; 'low': when value <= setpoint; 'bool': value >= 1. */
  direction: 'high' | 'low' | 'bool';
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
}

/** Plug-in point for later detectors (ML, video analytics). */
export interface Detector {
  readonly name: string;
  /** Called for every accepted reading; returns conditions it asserts or clears. */
  onReading(reading: StoredReading, ctx: SensorContext, now: number): Condition[];
  /** Called periodically (about 1 s) for time-driven conditions: stale, delays, TWA windows. */
  onTick?(now: number): Condition[];
}

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
