import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, keyIdOf, loadPrivateKey } from '../src/keys.js';

describe('key files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-keys-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes private 0600 and public 0644, keyId derived from the public key', async () => {
    const k = await generateKeyPair(join(dir, 'a'));
    assert.equal((await stat(k.privatePath)).mode & 0o777, 0o600);
    assert.equal((await stat(k.publicPath)).mode & 0o777, 0o644);
    assert.match(k.keyId, /^[0-9a-f]{16}$/);
    assert.equal(keyIdOf(await readFile(k.publicPath, 'utf8')), k.keyId);
    assert.equal(keyIdOf(await loadPrivateKey(k.privatePath)), k.keyId);
  });

  it('never overwrites an existing key pair', async () => {
    await generateKeyPair(join(dir, 'b'));
    await assert.rejects(generateKeyPair(join(dir, 'b')), /keys: .* already holds a key pair/);
  });

  it('refuses a private key that group or others can read', async () => {
    const k = await generateKeyPair(join(dir, 'c'));
    await chmod(k.privatePath, 0o644);
    await assert.rejects(
      loadPrivateKey(k.privatePath),
      /keys: .*private\.pem is accessible by group or others \(mode 0644\); run: chmod 600/,
    );
    await chmod(k.privatePath, 0o640);
    await assert.rejects(loadPrivateKey(k.privatePath), /mode 0640/);
    await chmod(k.privatePath, 0o600);
    await loadPrivateKey(k.privatePath);
  });

  it('refuses a key of another type', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { writeFile } = await import('node:fs/promises');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const path = join(dir, 'rsa.pem');
    await writeFile(path, rsa, { mode: 0o600 });
    await assert.rejects(loadPrivateKey(path), /keys: .* is not an Ed25519 private key/);
  });
});
