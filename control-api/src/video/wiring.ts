/**
 * Wires the video gateway into the center: who may watch (a media ticket for that camera, or a
 * token, whose session is live and whose user may see the camera's site), for how long (until the
 * session ends or a re-check fails: logout, password change, deletion, sites narrowed; security
 * review F4), who may push (the owning agent's Basic credentials, CONTRACT "the same Basic
 * credentials authenticate its video pushes"), how an upstream starts (a `cmd` stream.start to the
 * owning agent, which then POSTs MPEG-TS to /video/ingest/{cameraId}), and the audit of every view.
 */

import type { IncomingMessage } from 'node:http';
import { type GatewayDeps, UnknownCameraError, type Upstream, type ViewerCredentials } from '@gwanje/gateway';
import type { LiveCamera } from '@gwanje/protocol';
import type { AgentCredentials } from '../auth/agent-credentials.js';
import { AuthError } from '../auth/errors.js';
import { can, maySee, type Principal } from '../auth/permissions.js';
import type { AuthService } from '../auth/service.js';
import type { CommandChannel } from '../broker/commands.js';
import { clientAddress, TRUST_NONE, type TrustProxy } from '../http/client-address.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../store/repositories.js';
import { type CameraConditionSink, raiseCameraCondition } from './camera-conditions.js';
import type { DirectCameras } from './direct-cameras.js';
import type { ViewAudit } from './view-audit.js';

export interface VideoWiringDeps {
  log: Logger;
  auth: Pick<AuthService, 'verify' | 'verifySession' | 'verifyMediaTicket'>;
  agentCreds: Pick<AgentCredentials, 'verifyBasic'>;
  repos: Pick<Repositories, 'cameras'>;
  commands: Pick<CommandChannel, 'post'>;
  live: { camera(c: LiveCamera): void };
  /** Base URL agents push video to (the center's public URL). */
  videoBaseUrl: string;
  /** Camera-loss alarms: the alarm service's cameraState. */
  alarms?: {
    cameraState(cameraId: string, siteId: string, state: 'live' | 'idle' | 'lost', now: number): void;
  } & Partial<CameraConditionSink>;
  /** PIPA view records. */
  views?: Pick<ViewAudit, 'view'>;
  /** GWANJE_TRUST_PROXY: which address a viewer is audited under. */
  trustProxy?: TrustProxy;
  /** Direct cameras (issue 20): the URL the gateway pulls, credentials included. */
  direct?: Pick<DirectCameras, 'upstreamUrl'>;
}

export function videoGatewayDeps(d: VideoWiringDeps): GatewayDeps {
  const owned = async (cameraId: string) => {
    const cam = await d.repos.cameras.get(cameraId);
    if (!cam) throw new UnknownCameraError(cameraId);
    if (!cam.agentId) throw new Error(`video: camera ${cameraId} has no agent to stream from`);
    return { ...cam, agentId: cam.agentId };
  };
  const mayWatch = async (p: Principal, cameraId: string): Promise<boolean> => {
    if (!can(p, 'watch')) return false;
    const cam = await d.repos.cameras.get(cameraId);
    return cam !== undefined && maySee(p, cam.siteId);
  };
  const principal = (c: ViewerCredentials, cameraId: string): Promise<Principal> =>
    c.ticket ? d.auth.verifyMediaTicket(c.ticket, { kind: 'camera', cameraId }) : d.auth.verify(c.token ?? '');
  return {
    log: d.log,
    async authorizeViewer(credentials, cameraId, req: IncomingMessage) {
      try {
        const p = await principal(credentials, cameraId);
        if (!(await mayWatch(p, cameraId))) return null;
        const address = clientAddress(req, d.trustProxy ?? TRUST_NONE);
        return { user: p.username, session: p.jti, expiresAt: p.expiresAt, address };
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        d.log.info({ cameraId, err: err.message }, 'video: viewer refused');
        return null;
      }
    },
    async recheckViewer(grant, cameraId) {
      if (!grant.session) return false;
      try {
        return await mayWatch(await d.auth.verifySession(grant.user, grant.session), cameraId);
      } catch (err) {
        if (err instanceof AuthError) return false;
        throw err;
      }
    },
    onView(cameraId, grant, kind) {
      return d.views?.view({ user: grant.user, address: grant.address, cameraId, kind }) ?? (() => undefined);
    },
    async authorizeIngest(header, cameraId, remoteAddress) {
      const identity = await d.agentCreds.verifyBasic(header, remoteAddress);
      if (!identity) return false;
      const cam = await d.repos.cameras.get(cameraId);
      // The owner is the agent: the gateway caps how many pushes one agent feeds (F21).
      return cam?.agentId === identity.agentId ? { owner: identity.agentId } : false;
    },
    async startUpstream(cameraId): Promise<Upstream> {
      const row = await d.repos.cameras.get(cameraId);
      if (row && !row.agentId) {
        // A direct camera: the gateway dials it itself (native RTSP client, ffmpeg fallback).
        const url = await d.direct?.upstreamUrl(cameraId);
        if (!url) throw new UnknownCameraError(cameraId);
        return { kind: 'rtsp', url };
      }
      const cam = await owned(cameraId);
      d.commands.post(cam.siteId, cam.agentId, 'stream.start', {
        cameraId,
        url: `${d.videoBaseUrl}/video/ingest/${cameraId}`,
      });
      return { kind: 'push' };
    },
    async stopUpstream(cameraId) {
      const row = await d.repos.cameras.get(cameraId);
      if (!row?.agentId) return; // direct or deleted: the gateway's own pull has ended
      const cam = await owned(cameraId);
      d.commands.post(cam.siteId, cam.agentId, 'stream.stop', { cameraId });
    },
    onCameraState(cameraId, state) {
      void d.repos.cameras
        .get(cameraId)
        .then(async (cam) => {
          if (!cam) return;
          d.alarms?.cameraState(cameraId, cam.siteId, state, Date.now());
          await d.repos.cameras.setState(cameraId, state);
          d.live.camera({ cameraId, siteId: cam.siteId, state });
        })
        .catch((err: Error) => d.log.error({ cameraId, err: err.message }, 'video: camera state not stored'));
    },
    // Issue 20: a frozen picture on a flowing stream raises camera-frozen (camera-loss family).
    onStreamCondition(cameraId, condition, active) {
      const sink = d.alarms?.cameraCondition ? { cameraCondition: d.alarms.cameraCondition.bind(d.alarms) } : undefined;
      if (!sink) return;
      void d.repos.cameras
        .get(cameraId)
        .then((cam) => {
          if (cam)
            raiseCameraCondition(
              sink,
              { cameraId, siteId: cam.siteId, kind: condition, active, source: 'gateway' },
              Date.now(),
            );
        })
        .catch((err: Error) => d.log.error({ cameraId, err: err.message }, 'video: stream condition not applied'));
    },
  };
}

/** A revoked agent's video pushes end at once (F4), not when its ffmpeg next reconnects. */
export async function endAgentPushes(
  agentId: string,
  repos: Pick<Repositories, 'cameras'>,
  gateway: { endPush(cameraId: string): boolean },
): Promise<number> {
  let ended = 0;
  for (const cam of await repos.cameras.list('*', { agentId })) if (gateway.endPush(cam.cameraId)) ended++;
  return ended;
}
