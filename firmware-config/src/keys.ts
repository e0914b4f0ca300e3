/**
 * Ed25519 key files for config signing. The private key never leaves the center's operator
 * machine: it is written 0600 and refused when group or world can read it (like ssh does with
 * identity files), so a leaked-permission key is noticed before it signs anything.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_KEY_FILE = 'private.pem';
export const PUBLIC_KEY_FILE = 'public.pem';

export class KeyFileError extends Error {
  constructor(message: string) {
    super(`keys: ${message}`);
    this.name = 'KeyFileError';
  }
}

/** keyId: the first 16 hex digits of SHA-256 over the public key's SPKI DER encoding. */
export function keyIdOf(key: KeyObject | string): string {
  const pub = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Creates `dir/private.pem` (0600) and `dir/public.pem` (0644); never overwrites a key. */
export async function generateKeyPair(
  dir: string,
): Promise<{ privatePath: string; publicPath: string; keyId: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const publicPath = join(dir, PUBLIC_KEY_FILE);
  try {
    // 'wx': fail if present, so an existing signing key is never silently replaced.
    await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    await writeFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileError(`${dir} already holds a key pair`);
    throw err;
  }
  // The process umask may have narrowed the modes; set them exactly.
  await chmod(privatePath, 0o600);
  await chmod(publicPath, 0o644);
  return { privatePath, publicPath, keyId: keyIdOf(publicKey) };
}

/** Reads an Ed25519 private key, refusing a file that group or others may read. */
export async function loadPrivateKey(path: string): Promise<KeyObject> {
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new KeyFileError(`${path} is accessible by group or others (mode ${mode}); run: chmod 600 ${path}`);
  }
  const key = createPrivateKey(await readFile(path, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyFileError(`${path} is not an Ed25519 private key`);
  return key;
}

/** Parses a PEM public key (or derives it from a private key object). */
export function publicKeyOf(key: KeyObject | string): KeyObject {
  const pub = typeof key === 'string' ? createPublicKey(key) : createPublicKey(key);
  if (pub.asymmetricKeyType !== 'ed25519') throw new KeyFileError('not an Ed25519 public key');
  return pub;
}

export function publicKeyPem(key: KeyObject): string {
  return publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString();
}
