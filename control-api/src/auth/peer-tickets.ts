/**
 * Peer video tickets (issue 19 "Video across instances"): how one center instance asks the owner
 * of a camera's site for that camera's live stream, so the camera keeps exactly one upstream in the
 * whole cluster. A JWT signed with the key every instance shares (PostgreSQL keeps it), with its
 * own audience (never a Bearer token, never a console's media ticket), naming the asking instance
 * and one camera, valid 60 s (only the opening of the stream needs it). No user session stands
 * behind it: the viewers are audited on the instance they watch, the link under `center:<id>`.
 */
import { AuthError } from './errors.js';
import { readTicket, signTicket } from './ticket-jwt.js';
import type { SigningKey } from './tokens.js';

const AUDIENCE = 'gwanje-peer-video';
export const PEER_TICKET_TTL_MS = 60_000;

export async function signPeerTicket(
  key: SigningKey,
  c: { instanceId: string; cameraId: string },
  now: number,
): Promise<string> {
  const expSec = Math.floor((now + PEER_TICKET_TTL_MS) / 1000);
  return signTicket(key, { audience: AUDIENCE, subject: c.instanceId, claims: { cam: c.cameraId }, now, expSec });
}

/** The asking instance's id, when the ticket is a valid peer ticket for `cameraId`. */
export async function readPeerTicket(key: SigningKey, ticket: string, cameraId: string, now: number): Promise<string> {
  const payload = await readTicket(key, ticket, AUDIENCE, now, 'peer ticket');
  if (typeof payload.sub !== 'string' || payload.cam !== cameraId) {
    throw new AuthError('forbidden', 'auth: peer ticket is for another camera');
  }
  return payload.sub;
}
