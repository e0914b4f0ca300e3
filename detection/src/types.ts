/**
 * Detection is pure (HOUSE_STYLE): no I/O, no timers, no globals. The alarm service feeds it
 * readings and clock ticks and applies the transitions it returns. Time always comes in as an
 * argument (injected clock), so delays, shelving expiry and TWA/STEL windows are testable
 * without sleeps.
 */
import type {
  Alarm,
  AlarmFacts,
  AlarmState,
  AnomalyExplanation,
  Priority,
  Reading,
  RuleSpec as SafetyRuleSpec,
} from '@gwanje/protocol';

/** One configured rule on one sensor (the protocol's safety table: defaults + overrides). */
export type RuleSpec = SafetyRuleSpec;

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
  /** Configuration warnings (safety `configWarnings`), raised as a `config` alarm until fixed. */
  warnings?: string[];
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
  /** English summary kept for API compatibility (CONTRACT `message`); consoles render `facts`. */
  message: string;
  /** What the condition says, as data (issue 15). */
  facts?: AlarmFacts;
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
  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[];
  /** Called periodically (about 1 s) for time-driven conditions: stale, delays, TWA windows. */
  onTick?(now: number): Condition[];
}

/** A normalized reading (protocol `Reading`: quality, and the detector's own fault code if any) with its site and agent. */
export type DetectionReading = Reading & { siteId: string; agentId: string };

/** A source taken out of service (maintenance, bump test) or returned (ISA-18.2 clause 11.3, state I). */
export interface ServiceChange {
  outOfService: boolean;
  actor: string;
  reason?: string;
  /** When it went out of service (restored after a restart); default: now. */
  since?: number;
}

export type AlarmAction = 'ack' | 'shelve' | 'unshelve' | 'reset' | 'comment' | 'out-of-service' | 'return-to-service';

export interface Transition {
  alarm: Alarm;
  fromState?: AlarmState;
  toState: AlarmState;
  action: string;
  actor: string;
  comment?: string;
  /** What a system-made transition says, as data (journaled with it). */
  facts?: AlarmFacts;
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
