import assert from 'node:assert/strict';
import { sign as edSign, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyIdOf, publicKeyPem } from '../src/keys.js';
import { ConfigVerifyError, InvalidConfigError, signConfig, signingInput, verifySignedConfig } from '../src/sign.js';
import { sampleConfig } from './fixtures.js';

const center = generateKeyPairSync('ed25519');
const intruder = generateKeyPairSync('ed25519');
const pub = publicKeyPem(center.privateKey);
const now = () => 1_763_900_000_000;

function refused(envelope: unknown, reason: string, message: RegExp, key = pub): void {
  assert.throws(
    () => verifySignedConfig(envelope, key),
    (err: unknown) => err instanceof ConfigVerifyError && err.reason === reason && message.test(err.message),
  );
}

describe('signConfig / verifySignedConfig', () => {
  it('signs a valid document and verifies it back with defaults applied', () => {
    const env = signConfig(sampleConfig(), center.privateKey, { now });
    assert.equal(env.issuedAt, 1_763_900_000_000);
    assert.equal(env.keyId, keyIdOf(center.publicKey));
    assert.equal(env.document.version, env.version);
    const doc = verifySignedConfig(JSON.parse(JSON.stringify(env)), pub);
    assert.equal(doc.agentId, 'suwon-gw-01');
    assert.equal(doc.buffer.flushMs, 250);
  });

  it('never signs an invalid document', () => {
    const doc = { ...sampleConfig(), dataDir: '' };
    assert.throws(
      () => signConfig(doc, center.privateKey),
      (err: unknown) =>
        err instanceof InvalidConfigError &&
        err.message === 'sign: refusing to sign an invalid document' &&
        err.errors.join() === 'dataDir: must NOT have fewer than 1 characters',
    );
  });

  it('refuses a tampered document: a changed value', () => {
    const env = signConfig(sampleConfig(), center.privateKey, { now });
    const doc = structuredClone(env.document) as { sensors: Array<{ unit: string }> };
    doc.sensors[0].unit = 'ppm';
    refused({ ...env, document: doc }, 'signature', /verify: bad signature/);
  });

  it('refuses a changed version or issue time', () => {
    const env = signConfig(sampleConfig(), center.privateKey, { now });
    refused({ ...env, version: 'ffffffffffffffff' }, 'signature', /bad signature/);
    refused({ ...env, issuedAt: env.issuedAt + 1 }, 'signature', /bad signature/);
  });

  it('refuses a config signed by another key, even when it claims the pinned key id', () => {
    const forged = signConfig(sampleConfig(), intruder.privateKey, { now });
    refused(
      forged,
      'key-id',
      new RegExp(`wrong key id ${forged.keyId} \\(pinned key is ${keyIdOf(center.publicKey)}\\)`),
    );
    const claimed = { ...forged, keyId: keyIdOf(center.publicKey) };
    refused(claimed, 'signature', /bad signature/);
  });

  it('refuses a well-signed but invalid document', () => {
    // Signed by hand (signConfig would refuse), as an older or broken tool might.
    const document = { ...sampleConfig(), version: 'v1', colour: 'red' };
    const unsigned = { version: 'v1', issuedAt: now(), keyId: keyIdOf(center.publicKey), document };
    const signature = edSign(null, signingInput(unsigned), center.privateKey).toString('base64');
    refused({ ...unsigned, signature }, 'document', /verify: invalid document: colour: unknown key/);
    const mismatched = { ...unsigned, version: 'v2' };
    const sig2 = edSign(null, signingInput(mismatched), center.privateKey).toString('base64');
    refused({ ...mismatched, signature: sig2 }, 'version', /envelope version v2 differs from document version/);
  });

  it('refuses a config for another agent and a malformed envelope', () => {
    const env = signConfig(sampleConfig(), center.privateKey, { now });
    assert.throws(
      () => verifySignedConfig(env, pub, { agentId: 'ansan-gw-01' }),
      /verify: config is for agent suwon-gw-01, not ansan-gw-01/,
    );
    refused({ version: env.version, document: env.document }, 'envelope', /not a signed config/);
  });
});
