/**
 * Media tickets (security review F6, CONTRACT `POST /api/v1/video/tickets`): what a console puts
 * in a video, snapshot or clip URL instead of its API token. A ticket names one camera (or one
 * alarm clip), lasts 60 s, and is a JWT with its own audience, so it is never accepted as a
 * Bearer token (readToken pins `aud=gwanje-api`). It carries the issuing session (`sid`): a
 * ticket dies with its session, and so does a stream opened with it. Stateless, so any center
 * instance sharing the signing key honours it.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AuthError } from './errors.js';
import type { SigningKey } from './tokens.js';

export const MEDIA_TICKET_TTL_MS = 60_000;
const ISSUER = 'gwanje';
const AUDIENCE = 'gwanje-media';
const MAX_TICKET_LENGTH = 2048;

/** What a ticket opens: one camera's live video and snapshots, or one recorded alarm clip. */
export type MediaScope = { kind: 'camera'; cameraId: string } | { kind: 'clip'; alarmId: string; clipId: string };

export interface MediaTicketClaims {
  username: string;
  /** The session (jti of the API token) that asked for it. */
  sid: string;
  scope: MediaScope;
}

const scopeKey = (s: MediaScope): string =>
  s.kind === 'camera' ? `camera:${s.cameraId}` : `clip:${s.alarmId}/${s.clipId}`;

export async function signMediaTicket(
  key: SigningKey,
  c: MediaTicketClaims,
  now: number,
  ttlMs = MEDIA_TICKET_TTL_MS,
): Promise<{ ticket: string; expiresAt: number }> {
  // JWT times are whole seconds: the ticket never outlives the promised 60 s.
  const exp = Math.floor((now + ttlMs) / 1000);
  const ticket = await new SignJWT({ sid: c.sid, scope: scopeKey(c.scope) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.username)
    .setJti(randomUUID())
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(key);
  return { ticket, expiresAt: exp * 1000 };
}

/** Checks signature, audience, expiry and that the ticket opens `want`; returns who and which session. */
export async function readMediaTicket(
  key: SigningKey,
  ticket: string,
  want: MediaScope,
  now: number,
): Promise<{ username: string; sid: string }> {
  if (ticket.length > MAX_TICKET_LENGTH) throw new AuthError('invalid-token', 'auth: ticket is not valid');
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
    if (err instanceof errors.JWTExpired) throw new AuthError('token-expired', 'auth: ticket has expired');
    throw new AuthError('invalid-token', 'auth: ticket is not valid');
  }
  const { sub, sid, scope } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof scope !== 'string') {
    throw new AuthError('invalid-token', 'auth: ticket is not valid');
  }
  if (scope !== scopeKey(want)) throw new AuthError('forbidden', 'auth: ticket is for another camera or clip');
  return { username: sub, sid };
}
