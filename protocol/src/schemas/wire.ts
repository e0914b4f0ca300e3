/**
 * Every MQTT payload of CONTRACT.md, one TypeBox definition each: TS type, JSON Schema and
 * (via validate.ts) a compiled Ajv validator come from the same object.
 * Wire objects accept unknown extra keys (the contract grows by adding fields, and an older
 * center must keep accepting a newer agent) but never prototype-polluting keys: decode.ts
 * rejects those before validation.
 */
import { type Static, Type } from '@sinclair/typebox';
import { AgentId, CameraId, EpochMs, FaultCode, Gas, Metric, Quality, SensorId, Unit, Value } from './common.js';

/** `sensors/{sensorId}` on the agent's local (field) broker. */
export const FieldReading = Type.Object({
  metric: Metric,
  gas: Type.Optional(Gas),
  value: Value,
  unit: Unit,
  ts: Type.Optional(EpochMs),
  fault: Type.Optional(FaultCode),
});
export type FieldReading = Static<typeof FieldReading>;

export const Reading = Type.Object({
  sensorId: SensorId,
  metric: Metric,
  gas: Type.Optional(Gas),
  value: Value,
  unit: Unit,
  ts: EpochMs,
  quality: Quality,
  fault: Type.Optional(FaultCode),
});
export type Reading = Static<typeof Reading>;

/** `gwanje/v1/{siteId}/{agentId}/telemetry`: seq rises by one per message per agent, across restarts. */
export const Telemetry = Type.Object({
  agentId: AgentId,
  seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  readings: Type.Array(Reading, { minItems: 1, maxItems: 5000 }),
});
export type Telemetry = Static<typeof Telemetry>;

/** `.../status`, retained and the last will. */
export const AgentStatus = Type.Object({
  state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  version: Type.String({ maxLength: 64 }),
  uptimeS: Type.Number({ minimum: 0 }),
  buffered: Type.Integer({ minimum: 0 }),
  ts: EpochMs,
  // Extensions (CONTRACT grows by adding): dropped readings and the applied device configuration.
  dropped: Type.Optional(Type.Integer({ minimum: 0 })),
  config: Type.Optional(
    Type.Object({
      version: Type.String({ maxLength: 128 }),
      outcome: Type.Union([
        Type.Literal('applied'),
        Type.Literal('rejected'),
        Type.Literal('rolled-back'),
        Type.Literal('pending'),
      ]),
      error: Type.Optional(Type.String({ maxLength: 1024 })),
    }),
  ),
});
export type AgentStatus = Static<typeof AgentStatus>;

export const CameraProfile = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 128 }),
  width: Type.Integer({ minimum: 0, maximum: 16384 }),
  height: Type.Integer({ minimum: 0, maximum: 16384 }),
  codec: Type.String({ maxLength: 32 }),
});

export const CameraInfo = Type.Object({
  cameraId: CameraId,
  name: Type.String({ maxLength: 200 }),
  ptz: Type.Boolean(),
  profiles: Type.Array(CameraProfile, { maxItems: 32 }),
});
export type CameraInfo = Static<typeof CameraInfo>;

/** `.../cameras`, retained inventory. */
export const CameraInventory = Type.Object({ cameras: Type.Array(CameraInfo, { maxItems: 512 }) });
export type CameraInventory = Static<typeof CameraInventory>;

/** `.../events`: local-alarm, camera-event, driver-error, ... with type-specific extra fields. */
export const AgentEvent = Type.Object({
  type: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }),
  sourceId: Type.String({ minLength: 1, maxLength: 128 }),
  ts: EpochMs,
});
export type AgentEvent = Static<typeof AgentEvent> & Record<string, unknown>;

/**
 * `events` type `sensor-discovered` (CONTRACT "Edge agent"): a field sensor nobody declared
 * described itself on `sensors/{sensorId}` and the agent now reads it. Sent once per sensor (again
 * if its description changes); the center lists it for an admin to confirm (issue 17).
 */
export const SensorDiscovered = Type.Object({
  type: Type.Literal('sensor-discovered'),
  sourceId: SensorId,
  ts: EpochMs,
  metric: Metric,
  gas: Type.Optional(Gas),
  unit: Unit,
  /** The agent driver reading it (drivers[].id). */
  driver: Type.Optional(Type.String({ maxLength: 64 })),
});
export type SensorDiscovered = Static<typeof SensorDiscovered>;

export const CommandAction = Type.Union([
  Type.Literal('stream.start'),
  Type.Literal('stream.stop'),
  Type.Literal('ptz.move'),
  Type.Literal('ptz.stop'),
  Type.Literal('ptz.preset'),
  Type.Literal('snapshot'),
  Type.Literal('siren'),
  Type.Literal('config.reload'),
]);
export type CommandAction = Static<typeof CommandAction>;

/** `.../cmd` (down). */
export const Command = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  action: CommandAction,
  args: Type.Record(Type.String(), Type.Unknown()),
});
export type Command = Static<typeof Command>;

/** `.../cmd/result` (up). */
export const CommandResult = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String({ maxLength: 2048 })),
  data: Type.Optional(Type.Unknown()),
});
export type CommandResult = Static<typeof CommandResult>;

/**
 * `.../config` (down, retained): the signed device configuration. The document itself is
 * defined and validated by firmware-config; the envelope is the wire contract.
 */
export const SignedConfig = Type.Object({
  version: Type.String({ minLength: 1, maxLength: 128 }),
  issuedAt: EpochMs,
  keyId: Type.String({ minLength: 1, maxLength: 128 }),
  /** The configuration document (firmware-config schema). */
  document: Type.Record(Type.String(), Type.Unknown()),
  /** Ed25519 signature, base64, over the canonical JSON of {version, issuedAt, keyId, document}. */
  signature: Type.String({ minLength: 1, maxLength: 256 }),
});
export type SignedConfig = Static<typeof SignedConfig>;
