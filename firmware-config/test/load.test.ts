import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { publicKeyPem } from '../src/keys.js';
import { ConfigFileError, loadConfigFile } from '../src/load.js';
import { signConfig } from '../src/sign.js';
import { type Doc, sampleConfig, set } from './fixtures.js';

const key = generateKeyPairSync('ed25519').privateKey;

async function refusal(file: string, opts = {}): Promise<string[]> {
  try {
    await loadConfigFile(file, opts);
  } catch (err) {
    if (err instanceof ConfigFileError) return err.errors;
    throw err;
  }
  assert.fail('expected a ConfigFileError');
}

describe('loadConfigFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-load-'));
    await writeFile(join(dir, 'center-public.pem'), publicKeyPem(key));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a bare document with defaults, and lists its errors', async () => {
    await writeFile(join(dir, 'plain.json'), JSON.stringify(sampleConfig()));
    const r = await loadConfigFile(join(dir, 'plain.json'));
    assert.equal(r.envelope, undefined);
    assert.equal(r.document.logging.level, 'info');
    const bad = sampleConfig() as Doc;
    set(bad, 'field', undefined);
    await writeFile(join(dir, 'bad.json'), JSON.stringify(bad));
    assert.deepEqual(await refusal(join(dir, 'bad.json')), ['field: required']);
  });

  it('verifies a signed envelope with the key its document pins (relative to the file)', async () => {
    const doc = sampleConfig() as Doc;
    set(doc, 'central.configPublicKeyFile', 'center-public.pem');
    const env = signConfig(doc, key);
    await writeFile(join(dir, 'signed.json'), JSON.stringify(env));
    const r = await loadConfigFile(join(dir, 'signed.json'));
    assert.equal(r.envelope?.version, env.version);
    assert.equal(r.document.agentId, 'suwon-gw-01');
    set(env, 'document.dataDir', '/tmp/elsewhere');
    await writeFile(join(dir, 'tampered.json'), JSON.stringify(env));
    assert.deepEqual(await refusal(join(dir, 'tampered.json')), [
      '(signature): verify: bad signature (document or envelope altered, or signed by another key)',
    ]);
  });

  it('refuses an envelope without a key to check it against', async () => {
    await writeFile(join(dir, 'nokey.json'), JSON.stringify(signConfig(sampleConfig(), key)));
    assert.deepEqual(await refusal(join(dir, 'nokey.json')), [
      'central.configPublicKeyFile: required to verify a signed config',
    ]);
    const ok = await loadConfigFile(join(dir, 'nokey.json'), { publicKeyPem: publicKeyPem(key) });
    assert.equal(ok.document.siteId, 'suwon');
  });
});
