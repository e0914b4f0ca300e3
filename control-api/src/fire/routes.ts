/**
 * Issue 23 routes: which cameras are on fire watch, what the video fire detector sees on them, and
 * the admin switch (per camera, audited). Site scoping as for cameras: another site's camera is a
 * 404 like one that does not exist.
 */
import { FireWatchBody } from '@gwanje/protocol';
import { maySee, siteFilter } from '../auth/permissions.js';
import { notFound } from '../http/errors.js';
import { pathId, qSite } from '../http/query.js';
import { type RouteSpec, route } from '../http/route.js';

/** What the routes need (center.ts: fireHttp() in fire/http.ts). */
export interface FireWatchAdmin {
  setFireWatch(cameraId: string, enabled: boolean, by: string): Promise<void>;
  /** Cameras with fire watch on. */
  enabled(): Promise<string[]>;
  /** Cameras the detector watches now (fire watch or a detector alarm), with what it sees; [] when it is off. */
  live(): Array<{ cameraId: string; fire: boolean; score?: number }>;
  /** false when GWANJE_FIRE_DETECTOR=off: flags are kept, nothing is analysed. */
  running: boolean;
}

export const fireRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/fire/cameras',
    query: ['siteId'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const cameras = await deps.cameras.list(siteFilter(principal), { siteId });
      const on = new Set((await deps.fire?.enabled()) ?? []);
      const live = new Map((deps.fire?.live() ?? []).map((l) => [l.cameraId, l]));
      return cameras.map((c) => ({
        cameraId: c.cameraId,
        siteId: c.siteId,
        fireWatch: on.has(c.cameraId),
        detector: deps.fire?.running ? (live.has(c.cameraId) ? 'watching' : 'idle') : 'off',
        fire: live.get(c.cameraId)?.fire ?? false,
        score: live.get(c.cameraId)?.score ?? null,
      }));
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/cameras/:id/fire-watch',
    access: 'config',
    body: FireWatchBody,
    async handle({ deps, principal, req, body, ip }) {
      const id = pathId(req);
      const cam = await deps.cameras.get(id);
      if (!cam || !maySee(principal, cam.siteId) || !deps.fire) throw notFound(`camera ${id}`);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'camera.fire-watch',
        target: id,
        detail: { ...body },
      });
      await deps.fire.setFireWatch(id, body.enabled, principal.username);
      return { cameraId: id, fireWatch: body.enabled };
    },
  }),
];
