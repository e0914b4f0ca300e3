/**
 * CONTRACT `POST /api/v1/video/tickets` (security review F6): a console asks for a 60 s ticket for
 * one camera (`{cameraId}`: live video, MPEG1, snapshots) or one alarm clip (`{alarmId, clipId}`)
 * and puts `?ticket=` in the media URL, never its API token. The camera or clip must be in the
 * caller's sites (404 otherwise, as everywhere); the ticket is bound to the caller's session.
 */
import { VideoTicketBody } from '@gwanje/protocol';
import type { MediaScope } from '../../auth/media-tickets.js';
import { maySee } from '../../auth/permissions.js';
import { badRequest, notFound } from '../errors.js';
import { type RouteSpec, route } from '../route.js';

export const videoRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/api/v1/video/tickets',
    access: 'watch',
    body: VideoTicketBody,
    async handle({ deps, principal, body }) {
      let scope: MediaScope;
      let url: string | undefined;
      if (body.cameraId !== undefined) {
        if (body.alarmId !== undefined || body.clipId !== undefined)
          throw badRequest('cameraId', 'a ticket is for a camera or for a clip, not both');
        const cam = await deps.cameras.get(body.cameraId);
        if (!cam || !maySee(principal, cam.siteId)) throw notFound(`camera ${body.cameraId}`);
        scope = { kind: 'camera', cameraId: body.cameraId };
      } else if (body.alarmId !== undefined && body.clipId !== undefined) {
        const found = await deps.alarms.get(body.alarmId);
        if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${body.alarmId}`);
        if (!(await deps.clips?.file(body.alarmId, body.clipId))) throw notFound(`clip ${body.clipId}`);
        scope = { kind: 'clip', alarmId: body.alarmId, clipId: body.clipId };
      } else {
        throw badRequest(body.alarmId === undefined ? 'cameraId' : 'clipId', 'is required');
      }
      const t = await deps.auth.mintMediaTicket(principal, scope);
      if (scope.kind === 'clip') {
        const path = `/video/clips/${encodeURIComponent(scope.alarmId)}/${encodeURIComponent(scope.clipId)}.mp4`;
        url = `${path}?ticket=${encodeURIComponent(t.ticket)}`;
      }
      return url ? { ...t, url } : t;
    },
  }),
];
