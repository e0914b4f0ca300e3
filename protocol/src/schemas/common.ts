import { type TSchema, Type } from '@sinclair/typebox';
import { METRICS, UNITS } from '../safety/units.js';

/** CONTRACT "Identifiers": agentId, sensorId, cameraId (and siteId, which is a lowercase romanized name). */
export const ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const ID_REGEX = new RegExp(ID_PATTERN);

export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description });
export const SiteId = Id('site (municipal control center) id, lowercase romanized name');
export const AgentId = Id('edge agent id, unique across the province');
export const SensorId = Id('sensor id, unique across the province');
export const CameraId = Id('camera id, unique across the province');
/** An ONVIF PTZ preset token as Gwanje accepts it (security review F19: no markup can ride in it). */
export const PRESET_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
export const PresetToken = Type.String({ pattern: PRESET_PATTERN, description: 'ONVIF PTZ preset token' });

/** Integer epoch milliseconds, bounded to years 2001..2285 so garbage cannot pass as a time. */
export const EpochMs = Type.Integer({ minimum: 1e12, maximum: 1e13, description: 'epoch milliseconds' });

/** Built from the safety table (protocol/src/safety/units.ts), the one list of metrics. */
export const Metric = Type.Union(
  METRICS.map((m) => Type.Literal(m)),
  { description: 'what the sensor measures' },
);

export const Unit = Type.Union(
  UNITS.map((u) => Type.Literal(u)),
  { description: 'engineering unit' },
);

/** A chemical formula such as CH4, LPG, H2, CO, H2S, NH3, Cl2, O2. */
export const Gas = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,11}$', description: 'gas formula' });

export const Quality = Type.Union([Type.Literal('good'), Type.Literal('fault'), Type.Literal('stale')]);

/** A measured value: JSON numbers only, and never beyond what any detector could report. */
export const Value = Type.Number({ minimum: -1e9, maximum: 1e9 });

export const FaultCode = Type.String({ minLength: 1, maxLength: 64 });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
