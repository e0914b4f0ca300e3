/**
 * Password hashing with node:crypto scrypt (memory-hard, RFC 7914) and the password policy.
 * Encoded as `scrypt$N$r$p$salt$hash` (base64url) so the cost can be raised later while old
 * hashes keep verifying with the parameters they were made with. Pure apart from the KDF.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and tens of ms per hash here. OWASP's cheat sheet suggests
 * 2^17; 2^15 keeps a 2-core center responsive under a login burst, and stored hashes carry
 * their parameters so the cost can be raised without a migration.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LEN = 32;
const SALT_LEN = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must exceed 128 * N * r bytes or scrypt refuses.
  const maxmem = 256 * params.N * params.r;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, { ...params, maxmem }, (err, key) =>
      err ? reject(new Error(`auth: scrypt failed: ${err.message}`)) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parseEncoded(encoded: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  // Refuse absurd parameters from a tampered row rather than allocating gigabytes.
  if (!Number.isInteger(Math.log2(N)) || N < 2 ** 10 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16)
    return undefined;
  const salt = Buffer.from(parts[4], 'base64url');
  const key = Buffer.from(parts[5], 'base64url');
  if (salt.length < 8 || key.length !== KEY_LEN) return undefined;
  return { params: { N, r, p }, salt, key };
}

/** Constant-time verification; false (never a throw) for a malformed stored hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseEncoded(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** A hash of a random password, used to spend the same time when the user does not exist. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/**
 * A fast verifier for machine secrets (security review F9): `hmac-sha256$key$mac`, a per-secret
 * random 32-byte key and HMAC-SHA256(key, secret). A slow KDF protects guessable human passwords;
 * an agent's broker password is 192 random bits (`generatePassword`), which no offline search can
 * reach, so checking it needs no scrypt, and a wrong guess costs one HMAC instead of 32 MiB and
 * tens of ms on the thread pool that logins and file I/O share.
 */
export function machineSecretCheck(secret: string): string {
  const key = randomBytes(32);
  const mac = createHmac('sha256', key).update(secret, 'utf8').digest();
  return ['hmac-sha256', key.toString('base64url'), mac.toString('base64url')].join('$');
}

/** true when `secret` matches a `machineSecretCheck`; undefined when `encoded` is not one. */
export function verifyMachineSecret(secret: string, encoded: string): boolean | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 3 || parts[0] !== 'hmac-sha256') return undefined;
  const key = Buffer.from(parts[1], 'base64url');
  const mac = Buffer.from(parts[2], 'base64url');
  if (key.length < 16 || mac.length !== 32) return undefined;
  return timingSafeEqual(createHmac('sha256', key).update(secret, 'utf8').digest(), mac);
}

/** 24 random bytes as base64url: 32 characters, 192 bits. Never logged. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * A short list of the passwords that lead breach corpora and local habits (keyboard walks on
 * the Korean 2-set layout share the QWERTY keys). Compared case-insensitively.
 */
const COMMON = new Set([
  'password1234',
  'password12345',
  'password123456',
  'passw0rd1234',
  '123456789012',
  '1234567890123',
  'qwerty123456',
  'qwertyuiop12',
  'qwer1234qwer',
  '1q2w3e4r5t6y',
  '1q2w3e4r5t6y7u',
  'q1w2e3r4t5y6',
  'asdf1234asdf',
  'zxcvbnm12345',
  'iloveyou1234',
  'admin1234567',
  'administrator',
  'welcome12345',
  'letmein12345',
  'changeme1234',
  'gwanje123456',
  'gwanjeadmin1',
  'abcd1234abcd',
  'a1b2c3d4e5f6',
  '111111111111',
  '000000000000',
  'aaaaaaaaaaaa',
  'sunshine1234',
  'dragon123456',
  'football1234',
]);

/** Returns why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  const user = username.toLowerCase();
  if (user && (lower === user || lower.includes(user))) return 'must not contain the username';
  if (COMMON.has(lower)) return 'is too common';
  if (new Set(lower).size < 4) return 'must use at least 4 different characters';
  return undefined;
}
