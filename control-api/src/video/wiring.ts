/**
 * Wires the video gateway into the center: who may watch (a token whose user may see the
 * camera's site), who may push (the owning agent's Basic credentials, CONTRACT "the same Basic
 * credentials authenticate its video pushes"), and how an upstream starts (a `cmd` stream.start
 * to the owning agent, which then POSTs MPEG-TS to /video/ingest/{cameraId}).
 */

import { type GatewayDeps, UnknownCameraError, type Upstream } from '@gwanje/gateway';
import type { LiveCamera } from '@gwanje/protocol';
import type { AgentCredentials } from '../auth/agent-credentials.js';
import { maySee } from '../auth/permissions.js';
import type { AuthService } from '../auth/service.js';
import type { CommandChannel } from '../broker/commands.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../store/repositories.js';

export interface VideoWiringDeps {
  log: Logger;
  auth: Pick<AuthService, 'verify'>;
  agentCreds: Pick<AgentCredentials, 'verifyBasic'>;
  repos: Pick<Repositories, 'cameras'>;
  commands: Pick<CommandChannel, 'post'>;
  live: { camera(c: LiveCamera): void };
  /** Base URL agents push video to (the center's public URL). */
  videoBaseUrl: string;
  /** Camera-loss alarms: the alarm service's cameraState. */
  alarms?: { cameraState(cameraId: string, siteId: string, state: 'live' | 'idle' | 'lost', now: number): void };
}

export function videoGatewayDeps(d: VideoWiringDeps): GatewayDeps {
  const owned = async (cameraId: string) => {
    const cam = await d.repos.cameras.get(cameraId);
    if (!cam) throw new UnknownCameraError(cameraId);
    if (!cam.agentId) throw new Error(`video: camera ${cameraId} has no agent to stream from`);
    return { ...cam, agentId: cam.agentId };
  };
  return {
    log: d.log,
    async authorizeViewer(token, cameraId) {
      if (!token) return false;
      try {
        const principal = await d.auth.verify(token);
        const cam = await d.repos.cameras.get(cameraId);
        return cam !== undefined && maySee(principal, cam.siteId);
      } catch (err) {
        d.log.info({ cameraId, err: (err as Error).message }, 'video: viewer refused');
        return false;
      }
    },
    async authorizeIngest(header, cameraId, remoteAddress) {
      const identity = await d.agentCreds.verifyBasic(header, remoteAddress);
      if (!identity) return false;
      const cam = await d.repos.cameras.get(cameraId);
      // The owner is the agent: the gateway caps how many pushes one agent feeds (F21).
      return cam?.agentId === identity.agentId ? { owner: identity.agentId } : false;
    },
    async startUpstream(cameraId): Promise<Upstream> {
      const cam = await owned(cameraId);
      d.commands.post(cam.siteId, cam.agentId, 'stream.start', {
        cameraId,
        url: `${d.videoBaseUrl}/video/ingest/${cameraId}`,
      });
      return { kind: 'push' };
    },
    async stopUpstream(cameraId) {
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
  };
}
