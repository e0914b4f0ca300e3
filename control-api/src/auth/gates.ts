/**
 * Every way in that is not an HTTP route, decided in one place (issue 9 "enforced everywhere",
 * issue 18 "one tested gate module is the one the runtime uses"): video viewers (a media ticket
 * for that camera, or a token; live session; the camera's site in the user's scope), video pushes
 * (the agent that owns the camera, for the site it was registered for), and Socket.IO `/live`
 * (a live session with `watch`, rooms of the sites it may see). video/wiring.ts and live/hub.ts
 * call these and nothing else; every decision goes through `can` and `maySee`.
 */
import { ID_REGEX } from '@gwanje/protocol';
import type { AgentIdentity } from './agent-credentials.js';
import { AuthError } from './errors.js';
import type { MediaScope } from './media-tickets.js';
import { can, maySee, type Principal } from './permissions.js';

export interface GateCameras {
  get(cameraId: string): Promise<{ siteId: string; agentId?: string | null } | undefined>;
}

export interface GateAuth {
  verify(token: string): Promise<Principal>;
  verifySession(username: string, jti: string): Promise<Principal>;
  verifyMediaTicket(ticket: string, scope: MediaScope): Promise<Principal>;
}

/** What a viewer presents on a video route: `?ticket=` (consoles) or `?token=` (scripts). */
export interface ViewerCredentials {
  token?: string;
  ticket?: string;
}

/** May `p` watch `cameraId` now: the `watch` permission and the camera's site in scope. */
export async function mayWatch(cameras: GateCameras, p: Principal, cameraId: string): Promise<boolean> {
  if (!can(p, 'watch')) return false;
  const cam = await cameras.get(cameraId);
  return cam !== undefined && maySee(p, cam.siteId);
}

/** The viewer's principal if it may watch the camera; null for a bad, expired or foreign credential. */
export async function viewerGate(
  d: { auth: GateAuth; cameras: GateCameras },
  c: ViewerCredentials,
  cameraId: string,
): Promise<Principal | null> {
  try {
    const p = c.ticket
      ? await d.auth.verifyMediaTicket(c.ticket, { kind: 'camera', cameraId })
      : await d.auth.verify(c.token ?? '');
    return (await mayWatch(d.cameras, p, cameraId)) ? p : null;
  } catch (err) {
    if (err instanceof AuthError) return null;
    throw err;
  }
}

/** A watching viewer's session and rights, again (logout, password change, sites narrowed: F4). */
export async function viewerStillAllowed(
  d: { auth: GateAuth; cameras: GateCameras },
  grant: { user: string; session?: string },
  cameraId: string,
): Promise<boolean> {
  if (!grant.session) return false;
  try {
    return await mayWatch(d.cameras, await d.auth.verifySession(grant.user, grant.session), cameraId);
  } catch (err) {
    if (err instanceof AuthError) return false;
    throw err;
  }
}

/**
 * A video push: only the agent that owns the camera, and only while the camera is on the site the
 * agent is registered for (an admin who re-homes a camera to another site cuts its old agent off;
 * CONTRACT "an agent's cameras message cannot move it to another site or agent").
 */
export async function ingestGate(
  d: { cameras: GateCameras },
  identity: AgentIdentity | null,
  cameraId: string,
): Promise<boolean> {
  if (!identity) return false;
  const cam = await d.cameras.get(cameraId);
  return cam !== undefined && cam.agentId === identity.agentId && cam.siteId === identity.siteId;
}

/** A Socket.IO `/live` connection's viewer: a live session with `watch` (a token is not enough). */
export async function liveViewer(auth: Pick<GateAuth, 'verify'>, token: string): Promise<Principal> {
  const p = await auth.verify(token);
  if (!can(p, 'watch')) throw new AuthError('forbidden', 'live: this role may not watch');
  return p;
}

/** The sites a `/live` socket gets: what the viewer may see now, narrowed to `requested`; '*' is never a site. */
export function liveScope(viewer: Pick<Principal, 'sites'>, requested?: readonly string[]): string[] | '*' {
  const all = viewer.sites.includes('*');
  if (requested === undefined) return all ? '*' : viewer.sites.filter((s) => ID_REGEX.test(s));
  const asked = [...new Set(requested)].filter((s) => s !== '*' && ID_REGEX.test(s));
  return all ? asked : asked.filter((s) => viewer.sites.includes(s));
}
