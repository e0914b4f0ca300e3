/**
 * CONTRACT read routes: GET /sites, /sensors, /sensors/{id}/readings, /cameras, and
 * POST /cameras/{id}/ptz. Lists are narrowed to the caller's sites; a sensor or camera in
 * another site answers 404, exactly like one that does not exist (issue 9: existence of a
 * camera elsewhere is not the caller's business).
 */

import { type CameraHealthView, PtzBody } from '@gwanje/protocol';
import type { Static } from '@sinclair/typebox';
import { maySee, siteFilter } from '../../auth/permissions.js';
import { CommandError } from '../../broker/commands.js';
import type { CameraSourceRow } from '../../store/repos/camera-sources.js';
import type { CameraRow } from '../../store/types.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { pathId, qInt, qSite, qTime } from '../query.js';
import { type RouteSpec, route } from '../route.js';
import { sensorAdminView } from './sensor-view.js';

/** A camera as the API shows it: `source` agent or direct; a direct one's URL without credentials. */
export function cameraView(r: CameraRow, src?: CameraSourceRow) {
  return {
    cameraId: r.cameraId,
    siteId: r.siteId,
    agentId: r.agentId,
    name: r.name,
    ptz: r.ptz,
    // Decoded by the store: a corrupt inventory row shows no profiles rather than failing the list.
    profiles: r.profiles,
    state: r.state,
    source: r.agentId ? ('agent' as const) : ('direct' as const),
    ...(src && {
      ...(src.kind === 'onvif' ? { onvifUrl: src.url } : { rtspUrl: src.url }),
      hasCredentials: src.secret !== null,
      ...(src.lat !== null && { lat: src.lat }),
      ...(src.lon !== null && { lon: src.lon }),
    }),
  };
}

/** CONTRACT `position` on the site plan (issue 21), on the devices that have one. */
async function withPositions<T extends object>(
  deps: HttpDeps,
  kind: 'sensor' | 'camera',
  rows: T[],
  id: (r: T) => string,
): Promise<(T & { position?: unknown })[]> {
  if (!deps.plans) return rows;
  const at = await deps.plans.store.positionsOf(kind, rows.map(id));
  return rows.map((r) => {
    const position = at.get(id(r));
    return position ? { ...r, position } : r;
  });
}
/** A camera nobody asked for (issue 20 `health`). */
const IDLE_HEALTH: CameraHealthView = {
  ...{ state: 'idle', fps: 0, bitrateBps: 0, lastKeyframeAt: null, viewers: 0 },
  ...{ prealarm: false, preRollMs: 0, frozen: false, black: false },
};

/** Upper bound on points per readings query, so one request cannot ask for millions. */
export const MAX_POINTS = 10_000;

export const directoryRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/sites',
    access: 'watch',
    async handle({ deps, principal }) {
      const rows = await deps.sites.summaries(siteFilter(principal));
      return rows.map((s) => ({
        siteId: s.siteId,
        name: s.name,
        nameKo: s.nameKo,
        lat: s.lat,
        lon: s.lon,
        agents: s.agents,
        sensors: s.sensors,
        cameras: s.cameras,
        activeAlarms: s.activeAlarms,
      }));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/sensors',
    query: ['siteId'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const rows = (await deps.sensors.list(siteFilter(principal), { siteId })).map(sensorAdminView);
      return withPositions(deps, 'sensor', rows, (r) => r.sensorId);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/sensors/:id/readings',
    query: ['from', 'to', 'step'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      const id = pathId(req);
      const sensor = await deps.sensors.get(id);
      if (!sensor || !maySee(principal, sensor.siteId)) throw notFound(`sensor ${id}`);
      const now = deps.auth.now();
      const to = qTime(req, 'to') ?? now;
      const from = qTime(req, 'from') ?? to - 3_600_000;
      if (from >= to) throw badRequest('from', 'must be before to');
      const step =
        qInt(req, 'step', 1000, 7 * 86_400_000) ?? Math.max(1000, Math.ceil((to - from) / 500 / 1000) * 1000);
      if ((to - from) / step > MAX_POINTS)
        throw badRequest('step', `too small for the range (at most ${MAX_POINTS} points)`);
      return { points: await deps.timeseries.query(id, from, to, step) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/cameras',
    query: ['siteId'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const sources = new Map(
        ((await deps.cameraSources?.list(siteFilter(principal))) ?? []).map((s) => [s.cameraId, s]),
      );
      const cams = (await deps.cameras.list(siteFilter(principal), { siteId })).map((c) =>
        cameraView(c, sources.get(c.cameraId)),
      );
      const health = deps.cameraHealth?.();
      const rows = health ? cams.map((c) => ({ ...c, health: health.get(c.cameraId) ?? IDLE_HEALTH })) : cams;
      return withPositions(deps, 'camera', rows, (r) => r.cameraId);
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/cameras/:id/ptz',
    access: 'ptz',
    body: PtzBody,
    async handle({ deps, principal, req, body, ip }) {
      const id = pathId(req);
      const cam = await deps.cameras.get(id);
      if (!cam || !maySee(principal, cam.siteId)) throw notFound(`camera ${id}`);
      if (body.action === 'preset' && !body.preset && body.list !== true)
        throw badRequest('preset', 'is required for action preset');
      if (!cam.agentId) return directPtz(deps, id, body, principal.username, ip);
      if (!cam.ptz) throw new HttpError(409, 'not-ptz', `camera ${id} has no PTZ`);
      // An agent known to be disconnected gets no command (it would wait out the timeout for nothing).
      const agent = await deps.agents.get(cam.agentId);
      if (agent?.state === 'offline')
        throw new CommandError('offline', cam.agentId, `agent ${cam.agentId} is offline; ptz not sent`);
      await deps.audit.record({ actor: principal.username, ip, action: 'camera.ptz', target: id, detail: { ...body } });
      const result = await deps.commands.ptz(
        { cameraId: id, siteId: cam.siteId, agentId: cam.agentId },
        body,
        principal.username,
      );
      return { ok: true, result: result ?? null };
    },
  }),
];

/**
 * PTZ of a direct camera (issue 20): the center speaks ONVIF to it with its sealed credentials,
 * audited like an agent's. A direct camera without ONVIF (a bare RTSP channel) has nobody to
 * command; an ONVIF device that does not answer is a 502 naming the camera.
 */
async function directPtz(
  deps: HttpDeps,
  id: string,
  body: Static<typeof PtzBody>,
  actor: string,
  ip: string,
): Promise<unknown> {
  const onvif = deps.directPtz;
  if (!onvif) throw new HttpError(409, 'no-agent', `camera ${id} has no edge agent to command`);
  const reached = await onvif.hasPtz(id).then(
    (ptz) => ({ ptz }),
    (err: Error & { code?: string }) => ({ err }),
  );
  if ('err' in reached) {
    if (reached.err.code === 'not-onvif')
      throw new HttpError(409, 'no-agent', `camera ${id} has neither an edge agent nor ONVIF to command`);
    throw new HttpError(502, 'camera-unreachable', `camera ${id}: ${reached.err.message}`);
  }
  if (!reached.ptz) throw new HttpError(409, 'not-ptz', `camera ${id} has no PTZ`);
  await deps.audit.record({ actor, ip, action: 'camera.ptz', target: id, detail: { ...body, via: 'onvif' } });
  try {
    return { ok: true, result: (await onvif.ptz(id, body)) ?? null };
  } catch (err) {
    throw new HttpError(502, 'camera-unreachable', `camera ${id}: ${(err as Error).message}`);
  }
}
