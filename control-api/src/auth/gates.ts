/**
 * The same checks for the other ways in (issue 9: "enforced everywhere, not just in the
 * console"): video viewers and snapshots (token + camera's site), video ingest (only the agent
 * that owns the camera may push), and Socket.IO `/live` site rooms. The runtime passes these to
 * the VideoGateway and the live namespace; every decision goes through `can` and `maySee`.
 */
import { siteRoom } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { AgentIdentity } from './agent-credentials.js';
import { AuthError } from './errors.js';
import { can, maySee, type Principal, seesAllSites } from './permissions.js';

export interface CameraLookup {
  get(cameraId: string): Promise<{ cameraId: string; siteId: string; agentId: string | null } | undefined>;
}

export interface GateDeps {
  auth: { verify(token: string): Promise<Principal> };
  agentCreds: { verifyBasic(header: string | undefined): Promise<AgentIdentity | null> };
  cameras: CameraLookup;
  log: Logger;
}

/** Token -> principal, or undefined for a missing/invalid/expired/revoked token (never throws for those). */
export async function principalOf(auth: GateDeps['auth'], token: string | undefined): Promise<Principal | undefined> {
  if (!token) return undefined;
  try {
    return await auth.verify(token);
  } catch (err) {
    if (err instanceof AuthError) return undefined;
    throw err;
  }
}

/** `VideoGateway` deps: `authorizeViewer` (live WebSocket, snapshot, clip) and `authorizeIngest` (agent push). */
export function videoGates(d: GateDeps): {
  authorizeViewer(token: string | undefined, cameraId: string): Promise<boolean>;
  authorizeIngest(authorizationHeader: string | undefined, cameraId: string): Promise<boolean>;
} {
  const log = d.log.child({ module: 'auth-gates' });
  return {
    async authorizeViewer(token, cameraId) {
      const p = await principalOf(d.auth, token);
      if (!p || !can(p, 'watch')) return false;
      const cam = await d.cameras.get(cameraId);
      return cam !== undefined && maySee(p, cam.siteId);
    },
    async authorizeIngest(header, cameraId) {
      const agent = await d.agentCreds.verifyBasic(header);
      if (!agent) return false;
      const cam = await d.cameras.get(cameraId);
      // Only the agent that reported the camera (its inventory) may push its video.
      const ok = cam !== undefined && cam.agentId === agent.agentId && cam.siteId === agent.siteId;
      if (!ok)
        log.warn({ agentId: agent.agentId, cameraId }, 'auth-gates: video push refused: camera not owned by agent');
      return ok;
    },
  };
}

/**
 * Socket.IO `/live` rooms (protocol's `siteRoom`) for a principal: the sites it may see, narrowed by a client
 * `subscribe {siteIds}` when given (a request for a site outside the grant is ignored, not
 * honoured). `allSiteIds` is the province's list, used for an all-sites grant.
 */
export function liveRooms(p: Principal, allSiteIds: readonly string[], requested?: readonly string[]): string[] {
  if (!can(p, 'watch')) return [];
  const visible = seesAllSites(p) ? allSiteIds : allSiteIds.filter((s) => p.sites.includes(s));
  const chosen = requested ? visible.filter((s) => requested.includes(s)) : visible;
  return chosen.map(siteRoom);
}
