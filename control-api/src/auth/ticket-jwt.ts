/**
 * The JWT both kinds of ticket are (media tickets for consoles, peer tickets between center
 * instances): HS256 with the center's shared key, issuer `gwanje`, an audience of their own so
 * neither is ever accepted as the other or as a Bearer token, whole-second times, no clock
 * tolerance. Which claims each carries is up to its module.
 */
import { randomUUID } from 'node:crypto';
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { AuthError } from './errors.js';
import type { SigningKey } from './tokens.js';

const ISSUER = 'gwanje';
const MAX_TICKET_LENGTH = 2048;

export function signTicket(
  key: SigningKey,
  t: { audience: string; subject: string; claims: Record<string, string>; now: number; expSec: number },
): Promise<string> {
  return new SignJWT(t.claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(t.subject)
    .setJti(randomUUID())
    .setIssuer(ISSUER)
    .setAudience(t.audience)
    .setIssuedAt(Math.floor(t.now / 1000))
    .setExpirationTime(t.expSec)
    .sign(key);
}

/** The verified payload; AuthError `token-expired` or `invalid-token` (messages name `what`). */
export async function readTicket(
  key: SigningKey,
  ticket: string,
  audience: string,
  now: number,
  what: string,
): Promise<JWTPayload> {
  if (ticket.length > MAX_TICKET_LENGTH) throw new AuthError('invalid-token', `auth: ${what} is not valid`);
  try {
    const { payload } = await jwtVerify(ticket, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience,
      currentDate: new Date(now),
      clockTolerance: 0,
    });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new AuthError('token-expired', `auth: ${what} has expired`);
    throw new AuthError('invalid-token', `auth: ${what} is not valid`);
  }
}
