/**
 * The mutating half of the HTTP route map (issue 18): each POST/PUT/PATCH/DELETE route the console
 * calls, keyed `METHOD /path/:param` under /api/v1, to its request body and its answer. The center
 * validates these bodies with the same TypeBox schemas (bodies.ts, http.ts, plan.ts,
 * escalation.ts), and the console's `mutate()` is typed from this map, so a body or answer that
 * changes on one side fails the other's type check. Browser-safe: types and pure functions only.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { Alarm } from './alarm.js';
import type {
  FireWatchBody,
  OutOfServiceBody,
  PtzBody,
  SensorPatchBody,
  UserCreateBody,
  UserPatchBody,
} from './bodies.js';
import type { PolicyDoc, RosterDoc } from './escalation.js';
import type {
  AckBody,
  AgentCreateBody,
  AgentCredentials,
  CommentBody,
  DiscoveredSensorView,
  EmptyBody,
  LoginBody,
  LoginResponse,
  ShelveBody,
  UserView,
  VideoTicket,
  VideoTicketBody,
  WallConfig,
} from './http.js';
import type {
  AlarmSop,
  CameraPosition,
  LinkRadiusBody,
  PlanPosition,
  SopChecklist,
  SopChecklistBody,
  SopTickBody,
} from './plan.js';
import { type ListsEvery, type PathParams, type QueryValue, routePath } from './routes.js';
import type { SensorConfigView } from './sensor-config.js';
import type { SignedConfig } from './wire.js';

type Body<S> = S extends TSchema ? Static<S> : S;
/** One route: what the console sends, what the center answers (`null`: 204, no body). */
interface Call<B, R> {
  body: Body<B>;
  response: R;
}

/** A device's plan position as `PUT /{kind}s/{id}/position` answers it. */
export interface PositionAnswer<P> {
  siteId: string;
  position: P;
}

/** `POST /cameras/{id}/ptz` answer: the agent's or the ONVIF device's result (a preset list when asked). */
export interface PtzAnswer {
  ok: boolean;
  result: ({ presets?: { token: string; name: string }[] } & Record<string, unknown>) | null;
}

/** The ISA-18.2 operator actions on an alarm, each answering the alarm after it. */
export interface ApiAlarmActions {
  'POST /alarms/:alarmId/ack': Call<typeof AckBody, Alarm>;
  'POST /alarms/:alarmId/comment': Call<typeof CommentBody, Alarm>;
  'POST /alarms/:alarmId/shelve': Call<typeof ShelveBody, Alarm>;
  'POST /alarms/:alarmId/unshelve': Call<typeof AckBody, Alarm>;
  'POST /alarms/:alarmId/reset': Call<typeof AckBody, Alarm>;
}

/** The mutating routes under /api/v1 the console calls: `METHOD /pattern` -> body and answer. */
export interface ApiMutations extends ApiAlarmActions {
  'POST /auth/login': Call<typeof LoginBody, LoginResponse>;
  'POST /auth/logout': Call<typeof EmptyBody, null>;
  'POST /users': Call<typeof UserCreateBody, UserView>;
  'PATCH /users/:username': Call<typeof UserPatchBody, UserView>;
  'POST /agents': Call<typeof AgentCreateBody, AgentCredentials>;
  'POST /agents/:agentId/config': Call<typeof SignedConfig, { agentId: string; version: string }>;
  'PATCH /sensors/:sensorId': Call<typeof SensorPatchBody, SensorConfigView>;
  'POST /sensors/:sensorId/out-of-service': Call<typeof OutOfServiceBody, SensorConfigView>;
  'POST /sensors/:sensorId/return-to-service': Call<typeof AckBody, SensorConfigView>;
  'POST /discovered-sensors/:sensorId/confirm': Call<typeof EmptyBody, DiscoveredSensorView>;
  'POST /cameras/:cameraId/ptz': Call<typeof PtzBody, PtzAnswer>;
  'PUT /cameras/:cameraId/fire-watch': Call<typeof FireWatchBody, { cameraId: string; fireWatch: boolean }>;
  'PUT /sensors/:sensorId/position': Call<typeof PlanPosition, PositionAnswer<PlanPosition> & { sensorId: string }>;
  'DELETE /sensors/:sensorId/position': Call<undefined, null>;
  'PUT /cameras/:cameraId/position': Call<typeof CameraPosition, PositionAnswer<CameraPosition> & { cameraId: string }>;
  'DELETE /cameras/:cameraId/position': Call<undefined, null>;
  'PUT /sites/:siteId/link-radius': Call<
    typeof LinkRadiusBody,
    { siteId: string; linkRadius: number; defaultLinkRadius: number }
  >;
  'PUT /sops': Call<typeof SopChecklistBody, SopChecklist>;
  'POST /alarms/:alarmId/sop/:stepId': Call<typeof SopTickBody, AlarmSop>;
  'DELETE /alarms/:alarmId/sop/:stepId': Call<typeof SopTickBody, AlarmSop>;
  'PUT /escalation/rosters': Call<RosterDoc[], RosterDoc[]>;
  'PUT /escalation/policies': Call<PolicyDoc[], PolicyDoc[]>;
  'POST /video/tickets': Call<typeof VideoTicketBody, VideoTicket>;
  'PUT /me/wall': Call<typeof WallConfig, { updatedAt: number }>;
}
export type ApiMutation = keyof ApiMutations;
export type MutationBody<K extends ApiMutation> = ApiMutations[K]['body'];
export type MutationResponse<K extends ApiMutation> = ApiMutations[K]['response'];
/** The path pattern of a mutation key (`'PATCH /users/:username'` -> `'/users/:username'`). */
export type MutationPath<K extends ApiMutation> = K extends `${string} ${infer P}` ? P : never;

/** Every key of ApiMutations at run time (the center's tests check each is a mounted route). */
export const API_MUTATIONS = [
  'POST /alarms/:alarmId/ack',
  'POST /alarms/:alarmId/comment',
  'POST /alarms/:alarmId/shelve',
  'POST /alarms/:alarmId/unshelve',
  'POST /alarms/:alarmId/reset',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /users',
  'PATCH /users/:username',
  'POST /agents',
  'POST /agents/:agentId/config',
  'PATCH /sensors/:sensorId',
  'POST /sensors/:sensorId/out-of-service',
  'POST /sensors/:sensorId/return-to-service',
  'POST /discovered-sensors/:sensorId/confirm',
  'POST /cameras/:cameraId/ptz',
  'PUT /cameras/:cameraId/fire-watch',
  'PUT /sensors/:sensorId/position',
  'DELETE /sensors/:sensorId/position',
  'PUT /cameras/:cameraId/position',
  'DELETE /cameras/:cameraId/position',
  'PUT /sites/:siteId/link-radius',
  'PUT /sops',
  'POST /alarms/:alarmId/sop/:stepId',
  'DELETE /alarms/:alarmId/sop/:stepId',
  'PUT /escalation/rosters',
  'PUT /escalation/policies',
  'POST /video/tickets',
  'PUT /me/wall',
] as const satisfies readonly ApiMutation[];
export const API_MUTATIONS_COMPLETE: ListsEvery<ApiMutation, (typeof API_MUTATIONS)[number]> = true;

/** Method and `/api/v1`-relative URL of a mutation, `:params` filled as routePath does. */
export function mutationRequest<K extends ApiMutation>(
  key: K,
  params: PathParams<MutationPath<K>>,
  query: Record<string, QueryValue> = {},
): { method: string; path: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space), path: routePath(key.slice(space + 1), params as never, query) };
}
