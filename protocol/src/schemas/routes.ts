/**
 * The HTTP API as one map (issue 18, HOUSE_STYLE "HTTP request and response shapes live in
 * protocol/"): each GET route the console reads, by its path pattern under /api/v1, to the JSON
 * it answers. The console's data hook is typed from this map (no guessed `X[] | {entries}`), and
 * `routePath` builds the URL from the same pattern. Browser-safe: types and pure functions only.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { Alarm, JournalEntry } from './alarm.js';
import { AgentId, CameraId, EpochMs, SiteId } from './common.js';
import type {
  AgentConfigDetail,
  KpiResponse,
  NotificationView,
  PolicyDoc,
  RosterDoc,
  ShiftOccurrence,
} from './escalation.js';
import type { CameraView, DiscoveredSensorView, SiteView, UserView } from './http.js';
import type { AlarmSop, SiteLayout, SopChecklist } from './plan.js';
import type { SensorConfigView } from './sensor-config.js';

/** `GET /api/v1/alarms/{id}`: the alarm object with its journal, oldest entry first. */
export type AlarmDetailResponse = Alarm & { journal: JournalEntry[] };

/** `GET /api/v1/alarms/{id}/clips` item: a stored clip or the raise snapshot, served under `url`. */
export const AlarmClipView = Type.Object({
  clipId: Type.String(),
  alarmId: Type.String(),
  cameraId: CameraId,
  fileName: Type.String(),
  contentType: Type.Union([Type.Literal('video/mp4'), Type.Literal('image/jpeg')]),
  bytes: Type.Integer(),
  durationMs: Type.Integer(),
  requestedAt: Type.String({ description: 'ISO 8601' }),
  beforeMs: Type.Integer(),
  afterMs: Type.Integer(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  url: Type.String({ description: '/video/clips/{alarmId}/{clipId}.mp4|jpg, opened with a clip ticket' }),
});
export type AlarmClipView = Static<typeof AlarmClipView>;

/** An agent's configuration versions as the center records them, and whether they drift (issue 10). */
export const AgentConfigState = Type.Object({
  desired: Type.Union([Type.String(), Type.Null()]),
  applied: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Why the agent refused or rolled back, as it reported it. */
  error: Type.Optional(Type.String()),
  drift: Type.Boolean(),
});
export type AgentConfigState = Static<typeof AgentConfigState>;

/** `GET /api/v1/agents` item (viewers of the site; never a credential or its hash). */
export const AgentView = Type.Object({
  agentId: AgentId,
  siteId: SiteId,
  name: Type.Union([Type.String(), Type.Null()]),
  revoked: Type.Boolean(),
  state: Type.Union([Type.String(), Type.Null()]),
  lastSeen: Type.Union([EpochMs, Type.Null()]),
  buffered: Type.Union([Type.Integer(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  createdAt: EpochMs,
  config: Type.Optional(AgentConfigState),
});
export type AgentView = Static<typeof AgentView>;

/** `GET /api/v1/oncall?siteId=` item: who is on duty now per roster (issue 8). */
export const OnCallContact = Type.Object({
  id: Type.String(),
  name: Type.String(),
  phone: Type.String({ description: 'middle digits masked for viewers' }),
  lang: Type.String(),
  username: Type.Optional(Type.String()),
});
export type OnCallContact = Static<typeof OnCallContact>;
export const OnCallDuty = Type.Object({
  role: Type.String(),
  contacts: Type.Array(OnCallContact),
  source: Type.Union([Type.Literal('override'), Type.Literal('holiday'), Type.Literal('shift'), Type.Literal('none')]),
  shift: Type.Optional(Type.String()),
  until: Type.Optional(EpochMs),
});
export type OnCallDuty = Static<typeof OnCallDuty>;
export interface OnCallRoster {
  roster: string;
  duty: OnCallDuty[];
}

/** `GET /api/v1/fire/cameras` item (issue 23): a camera's fire-watch flag and detector state. */
export interface FireCameraView {
  cameraId: string;
  siteId: string;
  fireWatch: boolean;
  detector: 'watching' | 'idle' | 'off';
  fire: boolean;
  score: number | null;
}

/**
 * Deprecated snake_case aliases of `GET /api/v1/alarms/{id}/notifications` items. Until this
 * release the route answered the dispatcher journal's columns as stored; it now answers the
 * camelCase `NotificationView` like every other route and keeps these names beside it for one
 * release, for integrators who read them. `phone` keeps its name and is masked like in
 * `GET /api/v1/notifications`.
 * @deprecated read the camelCase fields of NotificationView; these go in the next release.
 */
export interface NotificationSnakeAliases {
  alarm_id: string;
  site_id: string;
  step_id: string;
  contact_id: string;
  contact_name: string;
  lang: string;
  message_id: string | null;
  text: string | null;
  due_at: number;
  next_try_at: number;
  submitted_at: number | null;
  delivered_at: number | null;
  failed_at: number | null;
  lateness_ms: number | null;
  group_id: string | null;
}

/** `GET /api/v1/alarms/{id}/notifications` item: one SMS of the alarm's escalation (issue 8). */
export type AlarmNotificationView = NotificationView & NotificationSnakeAliases;

/** The GET routes under /api/v1 the console reads: path pattern -> response body. */
export interface ApiGetRoutes {
  '/sites': SiteView[];
  '/sites/:siteId/layout': SiteLayout;
  '/sensors': SensorConfigView[];
  '/discovered-sensors': DiscoveredSensorView[];
  '/cameras': CameraView[];
  '/agents': AgentView[];
  '/agents/:agentId/config': AgentConfigDetail;
  '/users': UserView[];
  '/alarms/:alarmId': AlarmDetailResponse;
  '/alarms/:alarmId/clips': AlarmClipView[];
  '/alarms/:alarmId/sop': AlarmSop;
  '/alarms/:alarmId/notifications': AlarmNotificationView[];
  '/fire/cameras': FireCameraView[];
  '/escalation/rosters': RosterDoc[];
  '/escalation/policies': PolicyDoc[];
  '/sops': SopChecklist[];
  '/kpis': KpiResponse;
  '/escalation/shifts': ShiftOccurrence[];
  '/oncall': OnCallRoster[];
}
export type ApiGetRoute = keyof ApiGetRoutes;

/** Every pattern of ApiGetRoutes at run time (the center's tests check each is a mounted route). */
export const API_GET_ROUTES = [
  '/sites',
  '/sites/:siteId/layout',
  '/sensors',
  '/discovered-sensors',
  '/cameras',
  '/agents',
  '/agents/:agentId/config',
  '/users',
  '/alarms/:alarmId',
  '/alarms/:alarmId/clips',
  '/alarms/:alarmId/sop',
  '/alarms/:alarmId/notifications',
  '/fire/cameras',
  '/escalation/rosters',
  '/escalation/policies',
  '/sops',
  '/kpis',
  '/escalation/shifts',
  '/oncall',
] as const satisfies readonly ApiGetRoute[];
/** Compile-time check that a run-time list names every key of a map: `true` only when it does. */
export type ListsEvery<Key, Listed> = Exclude<Key, Listed> extends never ? true : never;
// A route added to the map and not the list (or back) fails the build.
export const API_GET_ROUTES_COMPLETE: ListsEvery<ApiGetRoute, (typeof API_GET_ROUTES)[number]> = true;

/** The `:name` parameters of a path pattern. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

export type QueryValue = string | number | undefined;

/**
 * `/api/v1`-relative URL of a route: `:name` segments filled (encoded) from `params`, then the
 * defined `query` values in order. A missing parameter is an error, never the literal `:name`.
 */
export function routePath<P extends string>(
  pattern: P,
  params: PathParams<P>,
  query: Record<string, QueryValue> = {},
): string {
  const values = params as Record<string, string>;
  const path = pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined || v === '') throw new Error(`routePath: ${pattern} needs ${name}`);
    return encodeURIComponent(v);
  });
  const q = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length > 0 ? `${path}?${q.join('&')}` : path;
}
