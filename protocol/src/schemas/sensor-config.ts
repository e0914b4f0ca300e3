/**
 * A sensor's measuring range, calibration and rule overrides (issue 15): one TypeBox definition
 * for the signed agent config (firmware-config), the admin API (PATCH /sensors/{id}) and the
 * agent's `sensors` report (CONTRACT extension: how the center learns them). What the rules may
 * say beyond the schema (known type, fits the sensor, setpoint in range, low below high) is
 * `checkRules` in safety/check.ts, run by all three.
 */
import { type Static, Type } from '@sinclair/typebox';
import { METRICS, UNITS } from '../safety/units.js';
import { AgentId, EpochMs, Gas, SensorId } from './common.js';

const strict = { additionalProperties: false } as const;

const ruleOverrideFields = {
  type: Type.String({ pattern: '^[a-z][a-z0-9-]{0,40}$', description: 'rule type, e.g. gas-high (safety RULE_TYPES)' }),
  enabled: Type.Optional(Type.Boolean()),
  setpoint: Type.Optional(Type.Number({ minimum: -1e9, maximum: 1e9 })),
  priority: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)])),
  deadband: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
  onDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
  offDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
  latched: Type.Optional(Type.Boolean()),
};

/** A per-sensor rule override (config and HTTP bodies: unknown keys rejected). */
export const RuleOverride = Type.Object(ruleOverrideFields, strict);
export type RuleOverride = Static<typeof RuleOverride>;

export const SensorRange = Type.Object(
  {
    min: Type.Number({ minimum: -1e9, maximum: 1e9 }),
    max: Type.Number({ minimum: -1e9, maximum: 1e9 }),
  },
  { ...strict, description: "measuring range in the sensor's unit; readings beyond it are over-range" },
);
export type SensorRange = Static<typeof SensorRange>;

export const Calibration = Type.Object(
  {
    zero: Type.Number({ default: 0, description: 'offset subtracted from the raw value' }),
    span: Type.Number({ default: 1, exclusiveMinimum: 0, description: 'gain applied after the offset' }),
  },
  strict,
);
export type Calibration = Static<typeof Calibration>;

/** A rule override as an agent reports it (extra keys accepted: the contract grows). */
export const ReportedRuleOverride = Type.Object(ruleOverrideFields);
/** A calibration as an agent reports it. */
export const ReportedCalibration = Type.Object({ zero: Type.Number(), span: Type.Number({ exclusiveMinimum: 0 }) });

/** A camera linked to a sensor (its alarms show it; `preset`: the PTZ preset to go to). */
export const SensorCameraLink = Type.Object({ cameraId: Type.String(), preset: Type.Optional(Type.String()) });
export type SensorCameraLink = Static<typeof SensorCameraLink>;

/** ISA-18.2 removal from service: since when, by whom, why (issue 15). */
export const OutOfServiceMark = Type.Object({ since: EpochMs, actor: Type.String(), reason: Type.String() });
export type OutOfServiceMark = Static<typeof OutOfServiceMark>;

/** One sensor as its agent runs it. Wire object: unknown extra keys are accepted (contract grows). */
export const ReportedSensor = Type.Object({
  sensorId: SensorId,
  metric: Type.Union(METRICS.map((m) => Type.Literal(m))),
  gas: Type.Optional(Gas),
  unit: Type.Union(UNITS.map((u) => Type.Literal(u))),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  range: Type.Optional(Type.Object(SensorRange.properties)),
  calibration: Type.Optional(ReportedCalibration),
  intervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  rules: Type.Optional(Type.Array(ReportedRuleOverride, { maxItems: 32 })),
  /** 'config': declared in the signed config; 'discovered': described itself on the field broker. */
  source: Type.Optional(Type.Union([Type.Literal('config'), Type.Literal('discovered')])),
});
export type ReportedSensor = Static<typeof ReportedSensor>;

/**
 * `gwanje/v1/{siteId}/{agentId}/sensors` (up, QoS 1, retained): every sensor the agent reads,
 * with its range, calibration and rules, republished on connect and whenever they change.
 */
export const SensorReport = Type.Object({
  agentId: AgentId,
  /** The applied configuration's version, when the sensors come from a (signed) config. */
  configVersion: Type.Optional(Type.String({ maxLength: 128 })),
  ts: EpochMs,
  sensors: Type.Array(ReportedSensor, { maxItems: 1000 }),
});
export type SensorReport = Static<typeof SensorReport>;

/** A rule as detection runs it, with where its settings came from (GET /sensors, issue 15). */
export const EffectiveRule = Type.Object({
  type: Type.String(),
  priority: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]),
  direction: Type.Union([Type.Literal('high'), Type.Literal('low'), Type.Literal('bool')]),
  strict: Type.Optional(Type.Boolean()),
  setpoint: Type.Number(),
  deadband: Type.Number(),
  onDelayMs: Type.Number(),
  offDelayMs: Type.Number(),
  latched: Type.Boolean(),
  windowMs: Type.Optional(Type.Number()),
  enabled: Type.Boolean(),
  origin: Type.Union([Type.Literal('default'), Type.Literal('agent'), Type.Literal('admin')]),
});
export type EffectiveRule = Static<typeof EffectiveRule>;

/**
 * GET /api/v1/sensors items and the PATCH answer: CONTRACT's SensorView plus (additive) the one
 * record of the sensor's configuration the center keeps: the range and who set it, the agent's
 * calibration, rules and config version, the admin's overrides, the rules detection runs, warnings
 * and out-of-service.
 */
export const SensorConfigView = Type.Object({
  sensorId: SensorId,
  siteId: Type.String(),
  agentId: AgentId,
  metric: Type.String(),
  gas: Type.Optional(Type.String()),
  unit: Type.String(),
  name: Type.Optional(Type.String()),
  last: Type.Optional(Type.Object({ value: Type.Number(), ts: EpochMs })),
  state: Type.String(),
  rules: Type.Array(RuleOverride),
  agentRules: Type.Array(RuleOverride),
  cameras: Type.Array(SensorCameraLink),
  range: Type.Optional(Type.Object(SensorRange.properties)),
  rangeSource: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('admin')])),
  calibration: Type.Optional(Type.Object({ zero: Type.Number(), span: Type.Number() })),
  intervalMs: Type.Optional(Type.Number()),
  configVersion: Type.Optional(Type.String()),
  reportedAt: Type.Optional(EpochMs),
  outOfService: Type.Optional(OutOfServiceMark),
  effectiveRules: Type.Array(EffectiveRule),
  warnings: Type.Array(Type.String()),
});
export type SensorConfigView = Static<typeof SensorConfigView>;
