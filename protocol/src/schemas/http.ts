/** HTTP bodies and responses of CONTRACT "HTTP: control API". Bodies reject unknown keys. */
import { type Static, Type } from '@sinclair/typebox';
import { AgentId, CameraId, EpochMs, Gas, Metric, SensorId, SiteId, Unit } from './common.js';

const strict = { additionalProperties: false } as const;

export const ROLES = ['viewer', 'operator', 'supervisor', 'admin'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = (typeof ROLES)[number];

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  strict,
);
export type LoginBody = Static<typeof LoginBody>;

export const UserView = Type.Object({
  username: Type.String(),
  role: Role,
  /** Site ids the user may see; ['*'] means every site. */
  sites: Type.Array(Type.String()),
});
export type UserView = Static<typeof UserView>;

export const LoginResponse = Type.Object({
  token: Type.String(),
  user: UserView,
  /** Issue 19: every center instance (GWANJE_CENTER_URLS); a console moves to another when its own stops answering. */
  centers: Type.Optional(Type.Array(Type.String())),
});
export type LoginResponse = Static<typeof LoginResponse>;

export const AgentCreateBody = Type.Object(
  { agentId: AgentId, siteId: SiteId, name: Type.Optional(Type.String({ maxLength: 200 })) },
  strict,
);
export type AgentCreateBody = Static<typeof AgentCreateBody>;

/**
 * `PUT /api/v1/sensors/{id}/owner` and `PUT /api/v1/cameras/{id}/owner` (admin of both sites):
 * the device moves to this agent and the agent's site (CONTRACT "only an admin of both sites can").
 */
export const DeviceOwnerBody = Type.Object({ agentId: AgentId }, strict);
export type DeviceOwnerBody = Static<typeof DeviceOwnerBody>;

export const AgentCredentials = Type.Object({
  agentId: AgentId,
  siteId: SiteId,
  mqtt: Type.Object({
    url: Type.String(),
    username: Type.String(),
    password: Type.String(),
    clientId: Type.Optional(Type.String()),
  }),
});
export type AgentCredentials = Static<typeof AgentCredentials>;

/**
 * `POST /api/v1/simulator/agents` (issue 18): the simulated province's agents, provisioned once per
 * center start with the provisioning token the center wrote into its data directory.
 */
export const SimulatorAgentsResponse = Type.Object({ agents: Type.Array(AgentCredentials) });
export type SimulatorAgentsResponse = Static<typeof SimulatorAgentsResponse>;

export const AckBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }, strict);
export const ShelveBody = Type.Object(
  {
    minutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  strict,
);
export const CommentBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, strict);
export const EmptyBody = Type.Object({}, strict);

export const SiteView = Type.Object({
  siteId: SiteId,
  name: Type.String(),
  nameKo: Type.Optional(Type.String()),
  lat: Type.Number(),
  lon: Type.Number(),
  agents: Type.Integer(),
  sensors: Type.Integer(),
  cameras: Type.Integer(),
  activeAlarms: Type.Integer(),
});
export type SiteView = Static<typeof SiteView>;

export const SensorView = Type.Object({
  sensorId: SensorId,
  siteId: SiteId,
  agentId: AgentId,
  metric: Metric,
  gas: Type.Optional(Gas),
  unit: Unit,
  last: Type.Optional(Type.Object({ value: Type.Number(), ts: EpochMs })),
  state: Type.String({ description: 'normal | alarm | fault | stale | unknown' }),
});
export type SensorView = Static<typeof SensorView>;

/**
 * `GET /api/v1/discovered-sensors` item (issue 17): a field sensor an agent adopted from its own
 * description (`events` `sensor-discovered`), with its newest reading once one has arrived.
 */
export const DiscoveredSensorView = Type.Composite([
  Type.Pick(SensorView, ['sensorId', 'siteId', 'agentId', 'metric', 'gas', 'unit', 'last']),
  Type.Object({
    discoveredAt: EpochMs,
    confirmedAt: Type.Optional(EpochMs),
    confirmedBy: Type.Optional(Type.String()),
  }),
]);
export type DiscoveredSensorView = Static<typeof DiscoveredSensorView>;

export const ReadingsResponse = Type.Object({
  /** [ts, min, mean, max] per step. */
  points: Type.Array(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])),
});
export type ReadingsResponse = Static<typeof ReadingsResponse>;

/**
 * `POST /api/v1/video/tickets` (CONTRACT): `{cameraId}` for a camera's live video and snapshots, or
 * `{alarmId, clipId}` for one recorded alarm clip (an addition: clip links need tickets too).
 */
export const VideoTicketBody = Type.Object(
  {
    cameraId: Type.Optional(CameraId),
    alarmId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$' })),
    clipId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$' })),
  },
  strict,
);
export type VideoTicketBody = Static<typeof VideoTicketBody>;

/** A 60 s ticket for `?ticket=` on the video routes; for a clip, `url` is the file with it. */
export const VideoTicket = Type.Object({
  ticket: Type.String(),
  expiresAt: EpochMs,
  url: Type.Optional(Type.String()),
});
export type VideoTicket = Static<typeof VideoTicket>;

/** An ONVIF device's service URL (http/https) and the credentials it was given (write-only). */
export const OnvifEndpoint = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://[^\\s]{1,2000}$',
      description: 'device service URL, e.g. http://10.0.0.5/onvif/device_service',
    }),
    username: Type.String({ maxLength: 128 }),
    password: Type.String({ maxLength: 256 }),
    /** Media profile to stream (default: the device's first). */
    profileToken: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' })),
  },
  strict,
);
export type OnvifEndpoint = Static<typeof OnvifEndpoint>;

const RtspUrl = Type.String({
  pattern: '^rtsps?://[^\\s]{1,2000}$',
  description: 'rtsp:// or rtsps:// stream URL; credentials in it are taken out and stored write-only',
});
const CameraCredentials = {
  /** RTSP credentials kept apart from the URL (write-only; never returned, logged or audited). */
  username: Type.Optional(Type.String({ maxLength: 128 })),
  password: Type.Optional(Type.String({ maxLength: 256 })),
};

/**
 * `POST /api/v1/cameras` (admin of the site, CONTRACT): a camera the center pulls itself, by an RTSP
 * URL (a municipal VMS/NVR channel) or an ONVIF endpoint. Exactly one of `rtspUrl` and `onvif`.
 */
export const CameraCreateBody = Type.Object(
  {
    cameraId: CameraId,
    siteId: SiteId,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rtspUrl: Type.Optional(RtspUrl),
    onvif: Type.Optional(OnvifEndpoint),
    ...CameraCredentials,
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  strict,
);
export type CameraCreateBody = Static<typeof CameraCreateBody>;

/** `PATCH /api/v1/cameras/{id}` (a direct camera): what is given changes; credentials stay unless given. */
export const CameraUpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rtspUrl: Type.Optional(RtspUrl),
    onvif: Type.Optional(OnvifEndpoint),
    ...CameraCredentials,
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  strict,
);
export type CameraUpdateBody = Static<typeof CameraUpdateBody>;

/** `GET /api/v1/cameras` item. Credentials are never part of it (CONTRACT: write-only). */
export const CameraView = Type.Object({
  cameraId: CameraId,
  siteId: SiteId,
  agentId: Type.Union([AgentId, Type.Null()]),
  name: Type.String(),
  ptz: Type.Boolean(),
  profiles: Type.Array(Type.Unknown()),
  state: Type.String({ description: 'live | idle | lost' }),
  source: Type.Union([Type.Literal('agent'), Type.Literal('direct')]),
  /** Direct cameras: how the center reaches it, with no credentials in it. */
  rtspUrl: Type.Optional(Type.String()),
  onvifUrl: Type.Optional(Type.String()),
  hasCredentials: Type.Optional(Type.Boolean()),
  lat: Type.Optional(Type.Number()),
  lon: Type.Optional(Type.Number()),
});
export type CameraView = Static<typeof CameraView>;

/** `POST /api/v1/cameras/import` answer: all rows registered, or none and every row's problem. */
export const CameraImportResult = Type.Object({
  imported: Type.Integer(),
  cameras: Type.Array(Type.String()),
});
export type CameraImportResult = Static<typeof CameraImportResult>;

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    /** The request field a 400 names. */
    field: Type.Optional(Type.String()),
    /** Issue 21: why, as a stable reason (api-errors.ts) the console translates, with its values. */
    reason: Type.Optional(Type.String()),
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/**
 * Issue 20: a camera's stream health, on each `GET /api/v1/cameras` item as `health` (an addition).
 * `state` is the gateway's view (idle: nobody needs it); `lastKeyframeAt` null before the first one.
 */
export const CameraHealthView = Type.Object({
  state: Type.Union([Type.Literal('idle'), Type.Literal('starting'), Type.Literal('live'), Type.Literal('lost')]),
  fps: Type.Number(),
  bitrateBps: Type.Number(),
  lastKeyframeAt: Type.Union([EpochMs, Type.Null()]),
  viewers: Type.Integer(),
  /** Held open for alarm pre-roll (linked to a gas, flame or smoke sensor), and the pre-roll held now. */
  prealarm: Type.Boolean(),
  preRollMs: Type.Integer(),
  /** The stream flows but no keyframe came for 30 s (camera-frozen alarm). */
  frozen: Type.Boolean(),
  /** The stream flows but its picture is black (covered lens, dead sensor): camera-black alarm. */
  black: Type.Optional(Type.Boolean()),
});
export type CameraHealthView = Static<typeof CameraHealthView>;

/**
 * Issue 20: an operator's video wall, stored on the server per user so it follows them to another
 * console (`GET`/`PUT /api/v1/me/wall`, an addition). Tiles are camera ids row-major, null = empty.
 */
export const WallLayout = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    cols: Type.Integer({ minimum: 1, maximum: 6 }),
    rows: Type.Integer({ minimum: 1, maximum: 6 }),
    tiles: Type.Array(Type.Union([CameraId, Type.Null()]), { maxItems: 36 }),
  },
  strict,
);
export type WallLayout = Static<typeof WallLayout>;

export const WallConfig = Type.Object(
  {
    current: WallLayout,
    saved: Type.Array(WallLayout, { maxItems: 50 }),
    tour: Type.Object(
      {
        names: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 }),
        seconds: Type.Integer({ minimum: 5, maximum: 3600 }),
      },
      strict,
    ),
  },
  strict,
);
export type WallConfig = Static<typeof WallConfig>;

/** `GET /api/v1/me/wall`: the stored wall, or `config: null` before the first save. */
export const WallView = Type.Object({
  config: Type.Union([WallConfig, Type.Null()]),
  updatedAt: Type.Union([EpochMs, Type.Null()]),
});
export type WallView = Static<typeof WallView>;

/** Issue 19: `GET /api/v1/cluster` (admin): the center instances, what each owns and since when. */
export const ClusterInstanceView = Type.Object({
  instanceId: Type.String(),
  /** Its `GWANJE_PUBLIC_URL`: where consoles and other instances reach it. */
  publicUrl: Type.String(),
  startedAt: Type.Integer(),
  heartbeatAt: Type.Integer(),
  /** The instance that answered this request. */
  self: Type.Boolean(),
  /** The sites it owns (those the caller may see), each with when it took them. */
  sites: Type.Array(Type.Object({ siteId: Type.String(), since: Type.Integer() })),
});
export type ClusterInstanceView = Static<typeof ClusterInstanceView>;
export const ClusterView = Type.Object({
  /** false: one instance on SQLite or the embedded broker, owner of every site. */
  clustered: Type.Boolean(),
  instances: Type.Array(ClusterInstanceView),
});
export type ClusterView = Static<typeof ClusterView>;
