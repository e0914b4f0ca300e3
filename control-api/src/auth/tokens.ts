/**
 * Access tokens: JWT (RFC 7519) signed HS256 with jose. The secret comes from
 * GWANJE_JWT_SECRET, else from a 0600 key file in the data directory (SQLite deployments:
 * security review F17, the database file must not be enough to forge tokens), else from the
 * settings table (PostgreSQL, where several center instances must share it); it is generated on
 * first start and never logged. A token only proves who and until when: role and sites are read
 * fresh on every verify, and revocation lives in the sessions table (jti).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AuthError } from './errors.js';
import type { SettingsStore } from './ports.js';

export const JWT_SECRET_SETTING = 'auth.jwtSecret';
const ISSUER = 'gwanje';
const AUDIENCE = 'gwanje-api';
const MAX_TOKEN_LENGTH = 4096;

export type SigningKey = webcrypto.CryptoKey;

export interface SigningKeySource {
  settings: SettingsStore;
  /** GWANJE_JWT_SECRET: wins, and is stored nowhere. */
  fromEnv?: string;
  /** Key file (0600); set for SQLite. A secret still in the settings table is then retired. */
  keyFile?: string;
}

/** Reads the key file (narrowing it to 0600), or creates it with a new secret. */
function fileSecret(file: string): { secret: string; created: boolean } {
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return { secret, created: false };
    throw new Error(`auth: ${file} holds no usable secret (at least 32 characters); remove it to generate one`);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  // 'wx': never overwrite a key another process just wrote.
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, created: true };
}

/**
 * Loads or creates the signing key. Imported once as a non-extractable WebCrypto key: jose would
 * otherwise import raw bytes on every verify. Moving from the settings table to a key file
 * generates a new secret (the old one sat in a readable file): sessions must log in again once.
 */
export async function loadSigningKey(src: SigningKeySource): Promise<SigningKey> {
  let secret: string;
  const { fromEnv, keyFile, settings } = src;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 32) throw new Error('auth: GWANJE_JWT_SECRET must be at least 32 characters');
    secret = fromEnv;
  } else if (keyFile) {
    secret = fileSecret(keyFile).secret;
    if ((await settings.get(JWT_SECRET_SETTING)) !== undefined) await settings.remove(JWT_SECRET_SETTING);
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
