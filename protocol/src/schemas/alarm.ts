/** CONTRACT "Alarm object" and the ISA-18.2 states it moves through. */
import { type Static, Type } from '@sinclair/typebox';
import { ALARM_STATES, ALARM_TYPES, ANOMALY_REASONS } from './alarm-vocab.js';
import { CameraId, EpochMs, SiteId } from './common.js';

export { ALARM_STATES, ALARM_TYPES, ANOMALY_REASONS };

export const AlarmState = Type.Union(ALARM_STATES.map((s) => Type.Literal(s)));
export type AlarmState = (typeof ALARM_STATES)[number];

/** Open string: CONTRACT lists the types it "includes"; new detectors may add more. */
export const AlarmType = Type.String({ pattern: '^[a-z][a-z0-9-]{0,40}$' });
export type AlarmType = (typeof ALARM_TYPES)[number] | (string & {});

export const Priority = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)], {
  description: '1 critical, 2 high, 3 medium, 4 low',
});
export type Priority = 1 | 2 | 3 | 4;

export const SourceKind = Type.Union([Type.Literal('sensor'), Type.Literal('camera'), Type.Literal('agent')]);
export type SourceKind = Static<typeof SourceKind>;

export const LatencyJournal = Type.Object({
  sensorTs: Type.Optional(EpochMs),
  receivedAt: Type.Optional(EpochMs),
  evaluatedAt: Type.Optional(EpochMs),
  emittedAt: Type.Optional(EpochMs),
});

/**
 * Extension (issue 15): what an alarm or journal entry says, as data the console renders in
 * Korean or English (`message` stays for API compatibility; no operator sentence is built on
 * the server). Every field optional; which ones appear depends on the alarm type.
 */
export const AlarmFacts = Type.Object({
  /** true: the condition is present; false: it returned to normal. */
  active: Type.Optional(Type.Boolean()),
  metric: Type.Optional(Type.String({ maxLength: 32 })),
  gas: Type.Optional(Type.String({ maxLength: 32 })),
  unit: Type.Optional(Type.String({ maxLength: 16 })),
  value: Type.Optional(Type.Number()),
  setpoint: Type.Optional(Type.Number()),
  /** How value compares with the setpoint when active. */
  op: Type.Optional(Type.Union([Type.Literal('>='), Type.Literal('>'), Type.Literal('<='), Type.Literal('<')])),
  /** gas-twa / gas-stel: the averaging window; rate-of-rise: the slope is per minute. */
  windowMs: Type.Optional(Type.Number()),
  /** sensor-fault: the fault code (over-range, under-range, a transmitter's code). */
  code: Type.Optional(Type.String({ maxLength: 64 })),
  rangeMin: Type.Optional(Type.Number()),
  rangeMax: Type.Optional(Type.Number()),
  /** stale: how long it has been silent and the limit. */
  silentMs: Type.Optional(Type.Number()),
  limitMs: Type.Optional(Type.Number()),
  /** A machine-readable reason: unknown-gas, over-range, shelving-expired, flood, ... */
  reason: Type.Optional(Type.String({ maxLength: 64 })),
  siteId: Type.Optional(Type.String({ maxLength: 64 })),
  agentId: Type.Optional(Type.String({ maxLength: 64 })),
  cameraId: Type.Optional(Type.String({ maxLength: 64 })),
});
export type AlarmFacts = Static<typeof AlarmFacts>;

/**
 * Extension (issue 22): why an advisory `anomaly` alarm was raised, as data the console renders
 * in the operator's language: the reading, the band the model expected there (a missing bound
 * is open), the calibrated score against the fixed threshold, the reason.
 */
export const AnomalyExplanation = Type.Object({
  reason: Type.Union(ANOMALY_REASONS.map((r) => Type.Literal(r))),
  reading: Type.Number(),
  unit: Type.Optional(Type.String()),
  expectedLow: Type.Optional(Type.Number()),
  expectedHigh: Type.Optional(Type.Number()),
  score: Type.Number(),
  threshold: Type.Number(),
  /** Readings the value (stuck) or the level (long-run) has held. */
  run: Type.Optional(Type.Integer()),
});
export type AnomalyExplanation = Static<typeof AnomalyExplanation>;

export const Alarm = Type.Object({
  id: Type.String(),
  siteId: SiteId,
  sourceId: Type.String(),
  sourceKind: SourceKind,
  type: AlarmType,
  priority: Priority,
  state: AlarmState,
  raisedAt: EpochMs,
  clearedAt: Type.Optional(EpochMs),
  ackedAt: Type.Optional(EpochMs),
  ackedBy: Type.Optional(Type.String()),
  value: Type.Optional(Type.Number()),
  threshold: Type.Optional(Type.Number()),
  message: Type.String(),
  cameras: Type.Array(CameraId),
  // Extensions beyond CONTRACT v1 (added, never renamed):
  /** true while the condition holds (active), independent of acknowledgement. */
  active: Type.Optional(Type.Boolean()),
  latched: Type.Optional(Type.Boolean()),
  advisory: Type.Optional(Type.Boolean()),
  chattering: Type.Optional(Type.Boolean()),
  firstOut: Type.Optional(Type.Boolean()),
  shelvedUntil: Type.Optional(EpochMs),
  updatedAt: Type.Optional(EpochMs),
  latency: Type.Optional(LatencyJournal),
  facts: Type.Optional(AlarmFacts),
  /**
   * Issue 23: the video fire detector saw flame (or smoke: `cue`) on a linked camera while this
   * (flame or smoke detector) alarm stood. Corroboration only: it never clears or lowers the alarm.
   */
  confirmedOnCamera: Type.Optional(
    Type.Object({
      cameraId: CameraId,
      at: EpochMs,
      score: Type.Number({ minimum: 0, maximum: 1 }),
      /** What was seen (added after v1; absent means flame). */
      cue: Type.Optional(Type.Union([Type.Literal('flame'), Type.Literal('smoke')])),
    }),
  ),
  anomaly: Type.Optional(AnomalyExplanation),
});
export type Alarm = Static<typeof Alarm>;

export const JournalEntry = Type.Object({
  alarmId: Type.String(),
  ts: EpochMs,
  action: Type.String(),
  actor: Type.String(),
  fromState: Type.Optional(AlarmState),
  toState: Type.Optional(AlarmState),
  comment: Type.Optional(Type.String()),
  /** Extension (issue 15): what a system-made entry says, as data (e.g. {reason:'shelving-expired'}). */
  facts: Type.Optional(AlarmFacts),
});
export type JournalEntry = Static<typeof JournalEntry>;

/** True for states an operator still has to look at (everything but normal). */
export const isAlarmStanding = (s: AlarmState): boolean => s !== 'normal';
