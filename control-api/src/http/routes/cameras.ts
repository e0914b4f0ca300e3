/**
 * Direct cameras (issue 20; CONTRACT `POST /api/v1/cameras`), for an admin of the camera's site:
 * - `POST /api/v1/cameras` `{cameraId, siteId, name?, rtspUrl? | onvif?:{url,username,password,profileToken?},
 *   username?, password?, lat?, lon?}` -> 201 the camera (never its credentials)
 * - `PATCH /api/v1/cameras/{id}` (a direct camera): name, source, credentials, position
 * - `DELETE /api/v1/cameras/{id}` (either kind): gone, its viewers closed
 * - `POST /api/v1/cameras/import?siteId=` with a `text/csv` body (camera-csv.ts columns): every
 *   row registered, or none and 400 listing each row's problem as `{line, field, message}`
 * Every change is audited without credentials (URL without userinfo, `hasCredentials`).
 */
import { CameraCreateBody, CameraUpdateBody, check, ValidationError } from '@gwanje/protocol';
import { maySee, type Principal } from '../../auth/permissions.js';
import type { CameraSourceRow } from '../../store/repos/camera-sources.js';
import { type CsvProblem, csvToCameras } from '../../video/camera-csv.js';
import { DirectCameraError, type DirectCameras } from '../../video/direct-cameras.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, forbidden, HttpError, notFound } from '../errors.js';
import { pathId, qId } from '../query.js';
import { Reply, type RouteSpec, route } from '../route.js';
import { cameraView } from './directory.js';

function directOf(deps: HttpDeps): DirectCameras {
  if (!deps.directCameras) throw new HttpError(503, 'unavailable', 'cameras: direct cameras are not wired');
  return deps.directCameras;
}

function adminOf(principal: Principal, siteId: string): void {
  if (!maySee(principal, siteId)) throw forbidden(`cameras: you are not an admin of site ${siteId}`);
}

/** What an audit row may say of a source: never the credentials. */
const sourceAudit = (s: CameraSourceRow) => ({
  kind: s.kind,
  url: s.url,
  profileToken: s.profileToken,
  hasCredentials: s.secret !== null,
});

function asBadRequest(err: unknown): never {
  if (err instanceof DirectCameraError) throw badRequest(err.field, err.message.slice(err.field.length + 2));
  throw err;
}

async function viewOf(deps: HttpDeps, cameraId: string) {
  const cam = await deps.cameras.get(cameraId);
  if (!cam) throw notFound(`camera ${cameraId}`);
  const src = await deps.cameraSources?.get(cameraId);
  return cameraView(cam, src);
}

export const cameraRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/api/v1/cameras',
    access: 'agents',
    body: CameraCreateBody,
    async handle({ deps, principal, body, ip }) {
      adminOf(principal, body.siteId);
      const direct = directOf(deps);
      const prepared = await direct.prepare(body, principal.username).catch(asBadRequest);
      const { taken } = await direct.insert([prepared]);
      if (taken.length > 0)
        throw new HttpError(409, 'conflict', `cameras: ${body.cameraId} already exists`, 'cameraId');
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'camera.create',
        target: body.cameraId,
        detail: { siteId: body.siteId, name: prepared.camera.name, ...sourceAudit(prepared.source) },
      });
      return new Reply(201, await viewOf(deps, body.cameraId));
    },
  }),
  route({
    method: 'patch',
    path: '/api/v1/cameras/:id',
    access: 'agents',
    body: CameraUpdateBody,
    async handle({ deps, principal, req, body, ip }) {
      const id = pathId(req);
      const cam = await deps.cameras.get(id);
      if (!cam || !maySee(principal, cam.siteId)) throw notFound(`camera ${id}`);
      if (cam.agentId) throw new HttpError(409, 'not-direct', `camera ${id} belongs to agent ${cam.agentId}`);
      const row = await directOf(deps).update(id, body, principal.username).catch(asBadRequest);
      if (!row) throw notFound(`camera ${id}`);
      deps.restartUpstream?.(id);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'camera.update',
        target: id,
        detail: { name: body.name, ...sourceAudit(row), credentialsChanged: body.password !== undefined },
      });
      return viewOf(deps, id);
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/cameras/:id',
    access: 'agents',
    async handle({ deps, principal, req, ip }) {
      const id = pathId(req);
      const cam = await deps.cameras.get(id);
      if (!cam || !maySee(principal, cam.siteId)) throw notFound(`camera ${id}`);
      await directOf(deps).remove(id);
      deps.restartUpstream?.(id);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'camera.delete',
        target: id,
        detail: { siteId: cam.siteId, agentId: cam.agentId, name: cam.name },
      });
      return new Reply(204);
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/cameras/import',
    access: 'agents',
    query: ['siteId'],
    textBody: /^text\/csv\b/i,
    async handle({ deps, principal, req, body, ip }) {
      const siteId = qId(req, 'siteId');
      if (!siteId) throw badRequest('siteId', 'is required');
      adminOf(principal, siteId);
      if (typeof body !== 'string') throw new HttpError(415, 'unsupported-media-type', 'body: send text/csv');
      const direct = directOf(deps);
      let parsed: ReturnType<typeof csvToCameras>;
      try {
        parsed = csvToCameras(body, siteId);
      } catch (err) {
        throw badRequest('csv', (err as Error).message);
      }
      const problems: CsvProblem[] = [...parsed.problems];
      const prepared: Awaited<ReturnType<DirectCameras['prepare']>>[] = [];
      for (const { line, body: row } of parsed.rows) {
        try {
          prepared.push(await direct.prepare(check(CameraCreateBody, row), principal.username));
        } catch (err) {
          if (err instanceof ValidationError) problems.push({ line, field: err.field, message: err.errors.join('; ') });
          else if (err instanceof DirectCameraError) problems.push({ line, field: err.field, message: err.message });
          else throw err;
        }
      }
      if (problems.length === 0) {
        const { taken } = await direct.insert(prepared);
        for (const id of taken) {
          const line = parsed.rows.find((r) => r.body.cameraId === id)?.line ?? 0;
          problems.push({ line, field: 'cameraId', message: `${id} already exists` });
        }
      }
      if (problems.length > 0) {
        problems.sort((a, b) => a.line - b.line);
        throw new HttpError(400, 'bad-request', `csv: ${problems.length} problem(s); nothing imported`, 'csv', {
          rows: problems,
        });
      }
      const cameras = prepared.map((p) => p.camera.cameraId);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'camera.import',
        target: siteId,
        detail: { cameras, sources: prepared.map((p) => ({ cameraId: p.camera.cameraId, ...sourceAudit(p.source) })) },
      });
      return new Reply(201, { imported: cameras.length, cameras });
    },
  }),
];
