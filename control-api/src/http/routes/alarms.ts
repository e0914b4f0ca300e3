/**
 * CONTRACT alarm routes and the ISA-18.2 operator actions. Each action is gated by its own
 * permission (operator acks and comments; supervisor shelves, resets, takes out of service),
 * scoped to the alarm's site (404 outside it), audited, then applied by the alarm service which
 * journals the transition (ISA-18.2 clause 11: every state change recorded with who and why).
 */

import type { AlarmAction } from '@gwanje/detection';
import { AckBody, ALARM_STATES, CommentBody, OutOfServiceBody, ShelveBody } from '@gwanje/protocol';
import type { TSchema } from '@sinclair/typebox';
import type { Request } from 'express';
import type { AuditAction } from '../../auth/audit.js';
import { maySee, type Permission, siteFilter } from '../../auth/permissions.js';
import type { AlarmActionArgs } from '../deps.js';
import { badRequest, notFound } from '../errors.js';
import { pathId, qInt, qSite, qString, qTime } from '../query.js';
import { type RouteSpec, route } from '../route.js';

const ALARM_STATE_SET: ReadonlySet<string> = new Set(ALARM_STATES);

/** Alarm ids are minted by the alarm service; accept the id alphabet it may use, nothing else. */
export const ALARM_ID_REGEX = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;
const CLIP_FILE_REGEX = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.(mp4|jpg)$/;

/** The alarm and clip a `/video/clips/{alarmId}/{clipId}.mp4` request names (checked ids). */
function clipIds(req: Request): { alarmId: string; clipId: string } {
  return { alarmId: pathId(req, 'id', ALARM_ID_REGEX), clipId: pathId(req, 'clip', CLIP_FILE_REGEX).slice(0, -4) };
}

const ACTIONS: { action: AlarmAction; access: Permission; body: TSchema }[] = [
  { action: 'ack', access: 'ack', body: AckBody },
  { action: 'comment', access: 'comment', body: CommentBody },
  { action: 'shelve', access: 'shelve', body: ShelveBody },
  { action: 'unshelve', access: 'unshelve', body: AckBody },
  { action: 'reset', access: 'reset', body: AckBody },
  { action: 'out-of-service', access: 'out-of-service', body: OutOfServiceBody },
  { action: 'return-to-service', access: 'out-of-service', body: AckBody },
];

function actionRoute(a: (typeof ACTIONS)[number]): RouteSpec {
  return route({
    method: 'post',
    path: `/api/v1/alarms/:id/${a.action}`,
    access: a.access,
    body: a.body,
    async handle({ deps, principal, req, body, ip }) {
      const id = pathId(req, 'id', ALARM_ID_REGEX);
      const found = await deps.alarms.get(id);
      if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${id}`);
      const args = (body ?? {}) as AlarmActionArgs;
      const alarm = await deps.alarms.act(id, a.action, principal.username, args);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: `alarm.${a.action}` as AuditAction,
        target: id,
        detail: { siteId: found.alarm.siteId, from: found.alarm.state, to: alarm.state, ...args },
      });
      return alarm;
    },
  });
}

export const alarmRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/alarms',
    query: ['state', 'siteId', 'from', 'to', 'limit'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const state = qString(req, 'state');
      const states = state?.split(',');
      for (const s of states ?? [])
        if (!ALARM_STATE_SET.has(s)) throw badRequest('state', `"${s.slice(0, 40)}" is not an alarm state`);
      const from = qTime(req, 'from');
      const to = qTime(req, 'to');
      if (from !== undefined && to !== undefined && from > to) throw badRequest('from', 'must not be after to');
      const limit = qInt(req, 'limit', 1, 5000) ?? 1000;
      return deps.alarms.list({ states, siteIds: siteId ? [siteId] : siteFilter(principal), from, to, limit });
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/alarms/:id',
    access: 'watch',
    async handle({ deps, principal, req }) {
      const id = pathId(req, 'id', ALARM_ID_REGEX);
      const found = await deps.alarms.get(id);
      if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${id}`);
      return { ...found.alarm, journal: found.journal };
    },
  }),
  ...ACTIONS.map(actionRoute),
  route({
    method: 'get',
    path: '/api/v1/alarms/:id/clips',
    access: 'watch',
    async handle({ deps, principal, req }) {
      const id = pathId(req, 'id', ALARM_ID_REGEX);
      const found = await deps.alarms.get(id);
      if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${id}`);
      const clips = deps.clips ? await deps.clips.list(id) : [];
      // The file is served under /video/; a console opens it with a clip ticket (POST /video/tickets).
      return clips.map((c) => ({
        ...c,
        url: `/video/clips/${encodeURIComponent(id)}/${encodeURIComponent(c.clipId)}.${c.contentType === 'image/jpeg' ? 'jpg' : 'mp4'}`,
      }));
    },
  }),
  route({
    method: 'get',
    path: '/video/clips/:id/:clip',
    access: 'watch',
    tokenInQuery: true,
    ticket: (req) => ({ kind: 'clip', ...clipIds(req) }),
    async handle({ deps, principal, req, res, ip }) {
      const { alarmId: id, clipId } = clipIds(req);
      const found = await deps.alarms.get(id);
      if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${id}`);
      const file = deps.clips ? await deps.clips.file(id, clipId) : undefined;
      if (!file) throw notFound(`clip ${clipId}`);
      const cameraId = (await deps.clips?.list(id))?.find((c) => c.clipId === clipId)?.cameraId ?? 'unknown';
      const viewed = deps.views?.view({
        user: principal.username,
        address: ip,
        cameraId,
        kind: 'clip',
        clip: `${id}/${clipId}`,
      });
      // sendFile answers Range requests, so a browser can seek in the clip. no-store (F6): CCTV of
      // public spaces stays out of browser and proxy caches.
      try {
        await new Promise<void>((resolve, reject) =>
          res.sendFile(
            file,
            {
              headers: {
                'Content-Type': file.endsWith('.jpg') ? 'image/jpeg' : 'video/mp4',
                'Cache-Control': 'no-store',
              },
            },
            (err) => (err && !res.headersSent ? reject(err) : resolve()),
          ),
        );
      } finally {
        viewed?.();
      }
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/kpis',
    query: ['siteId', 'from', 'to'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const to = qTime(req, 'to') ?? deps.auth.now();
      const from = qTime(req, 'from') ?? to - 24 * 3_600_000;
      if (from >= to) throw badRequest('from', 'must be before to');
      return deps.alarms.kpis(siteId ? [siteId] : siteFilter(principal), from, to);
    },
  }),
];
