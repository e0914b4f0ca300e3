/**
 * Peer video tickets (issue 19 "Video across instances"): how one center instance asks the owner
 * of a camera's site for that camera's live stream, so the camera keeps exactly one upstream in the
 * whole cluster. A JWT signed with the key every instance shares (PostgreSQL keeps it), with its
 * own audience (never a Bearer token, never a console's media ticket), naming the asking instance
 * and one camera, valid 60 s (only the opening of the stream needs it). No user session stands
 * behind it: the viewers are audited on the instance they watch, the link under `center:<id>`.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AuthError } from './errors.js';
import type { SigningKey } from './tokens.js';

const ISSUER = 'gwanje';
const AUDIENCE = 'gwanje-peer-video';
export const PEER_TICKET_TTL_MS = 60_000;
const MAX_TICKET_LENGTH = 2048;

export async function signPeerTicket(
  key: SigningKey,
  c: { instanceId: string; cameraId: string },
  now: number,
): Promise<string> {
  return new SignJWT({ cam: c.cameraId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.instanceId)
    .setJti(randomUUID())
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor((now + PEER_TICKET_TTL_MS) / 1000))
    .sign(key);
}

/** The asking instance's id, when the ticket is a valid peer ticket for `cameraId`. */
export async function readPeerTicket(key: SigningKey, ticket: string, cameraId: string, now: number): Promise<string> {
  if (ticket.length > MAX_TICKET_LENGTH) throw new AuthError('invalid-token', 'auth: peer ticket is not valid');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(ticket, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
      clockTolerance: 0,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new AuthError('token-expired', 'auth: peer ticket has expired');
    throw new AuthError('invalid-token', 'auth: peer ticket is not valid');
  }
  if (typeof payload.sub !== 'string' || payload.cam !== cameraId) {
    throw new AuthError('forbidden', 'auth: peer ticket is for another camera');
  }
  return payload.sub;
}
