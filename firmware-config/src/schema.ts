/**
 * The device configuration document (CONTRACT "Edge agent"): the single source for agent
 * validation, the gwanje-config CLI and the console's forms. Objects reject unknown keys so a
 * typo is an error (`path: unknown key`), never a silently ignored setting.
 */

import {
  AgentId,
  Calibration,
  CameraId,
  Gas,
  Metric,
  RuleOverride,
  SensorId,
  SensorRange,
  SiteId,
  Unit,
} from '@gwanje/protocol';
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

/**
 * Rule overrides, calibration and range are defined once in protocol (issue 15): the same
 * schema for this document, the admin API and the agent's `sensors` report.
 */
export { Calibration, RuleOverride, SensorRange };

export const SensorConfig = Type.Object(
  {
    sensorId: SensorId,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    metric: Metric,
    gas: Type.Optional(Gas),
    unit: Unit,
    /** Which driver reads it (drivers[].id); default: the first driver. */
    driver: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    calibration: Type.Optional(Calibration),
    /** Expected reporting interval; stale after 3 of them (CONTRACT "Default alarm rules"). */
    intervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    /** Measuring range; readings beyond it are over-range. */
    range: Type.Optional(SensorRange),
    rules: Type.Optional(Type.Array(RuleOverride, { maxItems: 32 })),
    cameras: Type.Optional(
      Type.Array(Type.Object({ cameraId: CameraId, preset: Type.Optional(Type.String({ maxLength: 64 })) }, strict), {
        maxItems: 16,
      }),
    ),
    /** Driver-specific addressing, e.g. Modbus register. */
    address: Type.Optional(
      Type.Object(
        {
          unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
          register: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          /** Raw count range mapped linearly to `range` (e.g. 4-20 mA as 0-4095). */
          rawMin: Type.Optional(Type.Number()),
          rawMax: Type.Optional(Type.Number()),
          faultRegister: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type SensorConfig = Static<typeof SensorConfig>;

export const MqttDriver = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.Literal('mqtt'),
    /** The local (field) broker the sensors publish `sensors/{sensorId}` to. Default: field.url. */
    url: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
  },
  strict,
);

export const ModbusDriver = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.Literal('modbus-tcp'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 502 }),
    pollMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 1000 }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
  },
  strict,
);

/** Simulated field sensors (the demo province and tests): real agent code, synthetic physics. */
export const SimulatedDriver = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.Literal('simulated'),
    periodMs: Type.Integer({ minimum: 50, maximum: 600_000, default: 2000 }),
    /** Mean seconds between simulated incidents (leak ramp, flame trip); 0 disables. */
    incidentEverySec: Type.Number({ minimum: 0, default: 0 }),
    seed: Type.Optional(Type.Integer()),
  },
  strict,
);

export const DriverConfig = Type.Union([MqttDriver, ModbusDriver, SimulatedDriver]);
export type DriverConfig = Static<typeof DriverConfig>;

export const CameraConfig = Type.Object(
  {
    cameraId: CameraId,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** ONVIF device service address, e.g. http://10.0.0.5/onvif/device_service. */
    onvif: Type.Optional(
      Type.Object(
        {
          url: Type.String({ minLength: 1 }),
          username: Type.Optional(Type.String()),
          password: Type.Optional(Type.String()),
        },
        strict,
      ),
    ),
    /** Direct RTSP URL when no ONVIF (or to override the profile's stream URI). */
    rtsp: Type.Optional(Type.String({ minLength: 1 })),
    /** Synthetic source (ffmpeg test pattern encoded to H.264): the demo's virtual camera. */
    testPattern: Type.Optional(Type.Boolean()),
    /**
     * How an RTSP camera is pushed to the center (issue 20): `native` (default) copies H.264 into
     * MPEG-TS in the agent's own process (@gwanje/media); `ffmpeg` runs ffmpeg `-c copy`. Native
     * falls back to ffmpeg by itself for a camera it cannot relay (H.265, MJPEG, RTP over UDP only).
     */
    relay: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('ffmpeg')])),
  },
  strict,
);
export type CameraConfig = Static<typeof CameraConfig>;

export const OutputConfig = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.Literal('mqtt'),
    /** Topic on the field broker of the siren/beacon relay; payload {"on":bool,"reason",...}. */
    topic: Type.String({ minLength: 1, maxLength: 256 }),
    /** Alarm types that drive it (default gas-high and flame). */
    on: Type.Optional(Type.Array(Type.String(), { maxItems: 16 })),
  },
  strict,
);

export const AgentConfig = Type.Object(
  {
    siteId: SiteId,
    agentId: AgentId,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** Configuration version, set by render/sign. */
    version: Type.Optional(Type.String({ maxLength: 128 })),
    central: Type.Object(
      {
        url: Type.String({ minLength: 1, description: 'central broker, mqtt:// or mqtts://' }),
        username: Type.String({ minLength: 1 }),
        password: Type.String({ minLength: 1 }),
        /** MQTT client id; the center's brokers accept only the agentId (security review F2), the default. */
        clientId: Type.Optional(Type.String({ maxLength: 128 })),
        /** CA certificate (PEM path) for mqtts://. */
        caFile: Type.Optional(Type.String()),
        /** The center's HTTP base URL, for video ingest pushes. */
        videoUrl: Type.Optional(Type.String()),
        /**
         * Issue 19: the HTTP base URL of every other center instance of a cluster; a `stream.start`
         * may name any of them (the owner of the camera's site relays it), still only its ingest path.
         */
        videoUrls: Type.Optional(Type.Array(Type.String(), { maxItems: 16 })),
        /** Ed25519 public key (PEM path) that signs configs; pinned at provisioning. */
        configPublicKeyFile: Type.Optional(Type.String()),
      },
      strict,
    ),
    field: Type.Object({ url: Type.String({ minLength: 1 }) }, strict),
    dataDir: Type.String({ minLength: 1 }),
    drivers: Type.Array(DriverConfig, { default: [], maxItems: 16 }),
    sensors: Type.Array(SensorConfig, { default: [], maxItems: 1000 }),
    cameras: Type.Array(CameraConfig, { default: [], maxItems: 64 }),
    discovery: Type.Optional(
      Type.Object(
        {
          onvif: Type.Boolean({ default: false }),
          /**
           * The site's ONVIF credentials (issue 20): devices found by WS-Discovery are connected
           * with them (a password-protected camera answers nothing useful without).
           */
          username: Type.Optional(Type.String()),
          password: Type.Optional(Type.String()),
        },
        strict,
      ),
    ),
    outputs: Type.Array(OutputConfig, { default: [], maxItems: 16 }),
    buffer: Type.Object(
      {
        maxBytes: Type.Integer({ minimum: 1024 * 1024, default: 256 * 1024 * 1024 }),
        flushMs: Type.Integer({ minimum: 10, maximum: 10_000, default: 250 }),
        batchSize: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
      },
      { ...strict, default: {} },
    ),
    logging: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)),
          {
            default: 'info',
          },
        ),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);
export type AgentConfig = Static<typeof AgentConfig>;
