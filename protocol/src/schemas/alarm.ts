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
});
export type JournalEntry = Static<typeof JournalEntry>;

/** True for states an operator still has to look at (everything but normal). */
export const isAlarmStanding = (s: AlarmState): boolean => s !== 'normal';
