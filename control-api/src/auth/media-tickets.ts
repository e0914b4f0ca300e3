/**
 * Media tickets (security review F6, CONTRACT `POST /api/v1/video/tickets`): what a console puts
 * in a video, snapshot or clip URL instead of its API token. A ticket names one camera (or one
 * alarm clip), lasts 60 s, and is a JWT with its own audience, so it is never accepted as a
 * Bearer token (readToken pins `aud=gwanje-api`). It carries the issuing session (`sid`): a
 * ticket dies with its session, and so does a stream opened with it. Stateless, so any center
 * instance sharing the signing key honours it.
 */
import { AuthError } from './errors.js';
import { readTicket, signTicket } from './ticket-jwt.js';
import type { SigningKey } from './tokens.js';

export const MEDIA_TICKET_TTL_MS = 60_000;
const AUDIENCE = 'gwanje-media';

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
  const claims = { sid: c.sid, scope: scopeKey(c.scope) };
  const ticket = await signTicket(key, { audience: AUDIENCE, subject: c.username, claims, now, expSec: exp });
  return { ticket, expiresAt: exp * 1000 };
}

/** Checks signature, audience, expiry and that the ticket opens `want`; returns who and which session. */
export async function readMediaTicket(
  key: SigningKey,
  ticket: string,
  want: MediaScope,
  now: number,
): Promise<{ username: string; sid: string }> {
  const { sub, sid, scope } = await readTicket(key, ticket, AUDIENCE, now, 'ticket');
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof scope !== 'string') {
    throw new AuthError('invalid-token', 'auth: ticket is not valid');
  }
  if (scope !== scopeKey(want)) throw new AuthError('forbidden', 'auth: ticket is for another camera or clip');
  return { username: sub, sid };
}
