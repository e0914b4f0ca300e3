/**
 * Wires the video gateway into the center: who may watch (a media ticket for that camera, or a
 * token, whose session is live and whose user may see the camera's site), for how long (until the
 * session ends or a re-check fails: logout, password change, deletion, sites narrowed; security
 * review F4), who may push (the owning agent's Basic credentials, CONTRACT "the same Basic
 * credentials authenticate its video pushes"), how an upstream starts (a `cmd` stream.start to the
 * owning agent, which then POSTs MPEG-TS to /video/ingest/{cameraId}), and the audit of every view.
 *
 * Several instances (issue 19, peer-link.ts): only the owner of a camera's site starts, accepts or
 * pulls its upstream and records its state; another instance takes the stream from the owner.
 */

import type { IncomingMessage } from 'node:http';
import { type GatewayDeps, UnknownCameraError, type Upstream } from '@gwanje/gateway';
import type { AgentCredentials } from '../auth/agent-credentials.js';
import { type GateAuth, ingestGate, viewerGate, viewerStillAllowed } from '../auth/gates.js';
import type { CommandChannel } from '../broker/commands.js';
import type { EventSink } from '../bus.js';
import { clientAddress, TRUST_NONE, type TrustProxy } from '../http/client-address.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../store/repositories.js';
import { type CameraConditionSink, raiseCameraCondition } from './camera-conditions.js';
import type { DirectCameras } from './direct-cameras.js';
import { isPeerViewer, type PeerVideoLinks } from './peer-link.js';
import type { ViewAudit } from './view-audit.js';

export interface VideoWiringDeps {
  log: Logger;
  auth: GateAuth;
  agentCreds: Pick<AgentCredentials, 'verifyBasic'>;
  repos: Pick<Repositories, 'cameras'>;
  commands: Pick<CommandChannel, 'post'>;
  /** `camera.state` (camera-loss in detection, the live push) once the state is stored. */
  bus: EventSink;
  /** Base URL agents push video to (the center's public URL). */
  videoBaseUrl: string;
  /** Stream conditions (issue 20: camera-frozen, camera-black) go to the alarm service's cameraCondition. */
  alarms?: Partial<CameraConditionSink>;
  /** PIPA view records. */
  views?: Pick<ViewAudit, 'view'>;
  /** GWANJE_TRUST_PROXY: which address a viewer is audited under. */
  trustProxy?: TrustProxy;
  /** Direct cameras (issue 20): the URL the gateway pulls, credentials included. */
  direct?: Pick<DirectCameras, 'upstreamUrl'>;
  /** Issue 19: links to the instances owning other sites' cameras (unset: a lone instance). */
  peers?: Pick<PeerVideoLinks, 'owns' | 'open' | 'close' | 'admit'>;
}

export function videoGatewayDeps(d: VideoWiringDeps): GatewayDeps {
  const owned = async (cameraId: string) => {
    const cam = await d.repos.cameras.get(cameraId);
    if (!cam) throw new UnknownCameraError(cameraId);
    if (!cam.agentId) throw new Error(`video: camera ${cameraId} has no agent to stream from`);
    return { ...cam, agentId: cam.agentId };
  };
  const gate = { auth: d.auth, cameras: d.repos.cameras };
  return {
    log: d.log,
    async authorizeViewer(credentials, cameraId, req: IncomingMessage) {
      const p = await viewerGate(gate, credentials, cameraId);
      if (!p && credentials.ticket && d.peers) {
        // Another center instance taking this camera from its owner (issue 19).
        const peer = await d.peers.admit(credentials.ticket, cameraId, (await d.repos.cameras.get(cameraId))?.siteId);
        if (peer) return { user: peer, address: clientAddress(req, d.trustProxy ?? TRUST_NONE) };
      }
      if (!p) {
        d.log.info({ cameraId }, 'video: viewer refused');
        return null;
      }
      const address = clientAddress(req, d.trustProxy ?? TRUST_NONE);
      return { user: p.username, session: p.jti, expiresAt: p.expiresAt, address };
    },
    recheckViewer: async (grant, cameraId) => {
      if (!isPeerViewer(grant.user)) return viewerStillAllowed(gate, grant, cameraId);
      const cam = await d.repos.cameras.get(cameraId);
      return cam !== undefined && (d.peers?.owns(cam.siteId) ?? false);
    },
    onView(cameraId, grant, kind) {
      return d.views?.view({ user: grant.user, address: grant.address, cameraId, kind }) ?? (() => undefined);
    },
    async authorizeIngest(header, cameraId, remoteAddress) {
      const identity = await d.agentCreds.verifyBasic(header, remoteAddress);
      const site = identity && d.peers ? (await d.repos.cameras.get(cameraId))?.siteId : undefined;
      if (site !== undefined && !d.peers?.owns(site)) {
        // A push to an instance that no longer owns the site (an old stream.start): one upstream only.
        d.log.info({ cameraId, siteId: site }, 'video: push refused: another instance owns the site');
        return false;
      }
      if (!(await ingestGate(gate, identity, cameraId))) {
        if (identity) d.log.warn({ agentId: identity.agentId, cameraId }, 'video: push refused: camera not owned');
        return false;
      }
      // The owner is the agent: the gateway caps how many pushes one agent feeds (F21).
      return { owner: (identity as NonNullable<typeof identity>).agentId };
    },
    async startUpstream(cameraId): Promise<Upstream> {
      const row = await d.repos.cameras.get(cameraId);
      if (row && d.peers && !d.peers.owns(row.siteId)) {
        await d.peers.open(cameraId, row.siteId);
        return { kind: 'push' }; // the owner's bytes arrive through the peer link
      }
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
      if (d.peers?.close(cameraId)) return;
      const row = await d.repos.cameras.get(cameraId);
      if (!row?.agentId) return; // direct or deleted: the gateway's own pull has ended
      const cam = await owned(cameraId);
      d.commands.post(cam.siteId, cam.agentId, 'stream.stop', { cameraId });
    },
    onCameraState(cameraId, state) {
      void d.repos.cameras
        .get(cameraId)
        .then(async (cam) => {
          // The owner's relay tells the camera's state; a peer's view of it is second-hand.
          if (!cam || (d.peers && !d.peers.owns(cam.siteId))) return;
          await d.repos.cameras.setState(cameraId, state);
          d.bus.emit('camera.state', { cameraId, siteId: cam.siteId, state });
        })
        .catch((err: Error) => d.log.error({ cameraId, err: err.message }, 'video: camera state not stored'));
    },
    // Issue 20: a frozen or black picture on a flowing stream raises camera-frozen / camera-black.
    onStreamCondition(cameraId, condition, active) {
      const sink = d.alarms?.cameraCondition ? { cameraCondition: d.alarms.cameraCondition.bind(d.alarms) } : undefined;
      if (!sink) return;
      void d.repos.cameras
        .get(cameraId)
        .then((cam) => {
          if (cam && (d.peers?.owns(cam.siteId) ?? true))
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
