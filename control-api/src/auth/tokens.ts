/**
 * Access tokens: JWT (RFC 7519) signed HS256 with jose. The secret comes from
 * GWANJE_JWT_SECRET or the settings table, where it is generated on first start; it is never
 * logged. A token only proves who and until when: role and sites are read fresh on every verify,
 * and revocation lives in the sessions table (jti).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AuthError } from './errors.js';
import type { SettingsStore } from './ports.js';

export const JWT_SECRET_SETTING = 'auth.jwtSecret';
const ISSUER = 'gwanje';
const AUDIENCE = 'gwanje-api';
const MAX_TOKEN_LENGTH = 4096;

export type SigningKey = webcrypto.CryptoKey;

/**
 * Loads or creates the signing key. `fromEnv` wins and is not stored. Imported once as a
 * non-extractable WebCrypto key: jose would otherwise import raw bytes on every verify.
 */
export async function loadSigningKey(settings: SettingsStore, fromEnv?: string): Promise<SigningKey> {
  let secret: string;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 32) throw new Error('auth: GWANJE_JWT_SECRET must be at least 32 characters');
    secret = fromEnv;
  } else {
    const stored = await settings.get(JWT_SECRET_SETTING);
    secret = stored ?? randomBytes(32).toString('base64url');
    if (!stored) await settings.set(JWT_SECRET_SETTING, secret);
  }
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

export interface TokenClaims {
  username: string;
  jti: string;
  /** ms */
  issuedAt: number;
  /** ms */
  expiresAt: number;
}

export async function signToken(key: SigningKey, c: TokenClaims): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.username)
    .setJti(c.jti)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(c.issuedAt / 1000))
    .setExpirationTime(Math.floor(c.expiresAt / 1000))
    .sign(key);
}

/** Checks signature, algorithm, issuer, audience and expiry against the injected clock. */
export async function readToken(
  key: SigningKey,
  token: string,
  now: number,
): Promise<{ username: string; jti: string }> {
  if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('invalid-token', 'auth: token is not valid');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
      clockTolerance: 0,
    });
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
      throw new AuthError('invalid-token', 'auth: token is not valid');
    }
    return { username: payload.sub, jti: payload.jti };
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof errors.JWTExpired) throw new AuthError('token-expired', 'auth: token has expired, log in again');
    throw new AuthError('invalid-token', 'auth: token is not valid');
  }
}
