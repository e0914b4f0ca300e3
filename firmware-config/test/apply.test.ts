import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigApplier, type ConfigDecision } from '../src/apply.js';
import { publicKeyPem } from '../src/keys.js';
import { signConfig } from '../src/sign.js';
import { type Doc, sampleConfig, set } from './fixtures.js';

const center = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const pub = publicKeyPem(center.privateKey);

function signed(edit: (d: Doc) => void, issuedAt: number, key = center.privateKey) {
  const d = sampleConfig() as Doc;
  edit(d);
  return signConfig(d, key, { now: () => issuedAt });
}

function applyOf(d: ConfigDecision): Extract<ConfigDecision, { action: 'apply' }> {
  assert.equal(d.action, 'apply', JSON.stringify(d));
  return d as Extract<ConfigDecision, { action: 'apply' }>;
}

describe('ConfigApplier', () => {
  let root: string;
  let n = 0;
  const t0 = 1_763_900_000_000;
  const applier = async (opts: { unpinned?: boolean } = {}) => {
    const publicKey = opts.unpinned ? undefined : pub;
    const a = new ConfigApplier({
      dir: join(root, `a${n++}`),
      publicKey,
      agentId: 'suwon-gw-01',
      siteId: 'suwon',
      now: () => t0,
    });
    await a.start();
    return a;
  };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gwanje-apply-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('applies a valid config, persists it as lastGood.json (0600) and reports applied', async () => {
    const a = await applier();
    const env = signed(() => {}, t0);
    const d = applyOf(a.decide(Buffer.from(JSON.stringify(env))));
    assert.equal(a.status()?.outcome, 'pending');
    await a.commit(d);
    assert.deepEqual(a.status(), { version: env.version, outcome: 'applied' });
    const path = join(root, `a${n - 1}`, 'lastGood.json');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), env);
    // A restarted agent finds it again, verified.
    const again = new ConfigApplier({
      dir: join(root, `a${n - 1}`),
      publicKey: pub,
      agentId: 'suwon-gw-01',
      siteId: 'suwon',
    });
    assert.equal((await again.start())?.envelope.version, env.version);
  });

  it('treats the retained copy delivered again as unchanged, and names the changed sections', async () => {
    const a = await applier();
    const first = signed(() => {}, t0);
    await a.commit(applyOf(a.decide(first)));
    assert.deepEqual(a.decide(first), { action: 'unchanged', version: first.version });
    const next = applyOf(a.decide(signed((d) => set(d, 'logging', { level: 'debug' }), t0 + 1000)));
    assert.deepEqual(next.sections, ['logging']);
    assert.deepEqual(next.changes, [{ path: 'logging', before: undefined, after: { level: 'debug' } }]);
  });

  it('rejects tampered, foreign-key, other-agent, replayed and undecodable configs with a reason', async () => {
    const a = await applier();
    const good = signed(() => {}, t0 + 5000);
    await a.commit(applyOf(a.decide(good)));
    const tampered = structuredClone(good) as Doc;
    set(tampered, 'document.central.url', 'mqtt://evil:1883');
    const cases: Array<[unknown, string]> = [
      [tampered, 'signature'],
      [signed((d) => set(d, 'name', 'x'), t0 + 6000, other.privateKey), 'key-id'],
      [signed((d) => set(d, 'agentId', 'suwon-gw-02'), t0 + 6000), 'identity'],
      [signed((d) => set(d, 'name', 'older'), t0 + 1000), 'stale'],
      ['{"version":', 'decode'],
    ];
    for (const [payload, reason] of cases) {
      const d = a.decide(payload);
      assert.equal(d.action === 'reject' && d.reason, reason, JSON.stringify(d));
      assert.equal(a.status()?.outcome, 'rejected');
    }
    assert.match(a.status()?.error ?? '', /^decode: json: /);
    assert.equal(a.current()?.envelope.version, good.version, 'the applied config is untouched');
  });

  it('rolls back to the last good config and does not retry the failed version after a restart', async () => {
    const dir = join(root, 'rollback');
    const a = new ConfigApplier({ dir, publicKey: pub, agentId: 'suwon-gw-01', siteId: 'suwon', now: () => t0 });
    await a.start();
    const good = signed(() => {}, t0);
    await a.commit(applyOf(a.decide(good)));
    const bad = signed((d) => set(d, 'drivers.1.host', '10.255.255.1'), t0 + 1000);
    applyOf(a.decide(bad));
    // The agent failed to start its Modbus driver with it:
    const restored = await a.rollback(bad.version, 'modbus-tcp plc: connect ETIMEDOUT 10.255.255.1:502');
    assert.equal(restored?.envelope.version, good.version);
    assert.deepEqual(a.status(), {
      version: bad.version,
      outcome: 'rolled-back',
      error: 'modbus-tcp plc: connect ETIMEDOUT 10.255.255.1:502',
    });
    const b = new ConfigApplier({ dir, publicKey: pub, agentId: 'suwon-gw-01', siteId: 'suwon' });
    assert.equal((await b.start())?.envelope.version, good.version);
    const retry = b.decide(bad);
    assert.equal(retry.action === 'reject' && retry.reason, 'failed-before');
  });

  it('refuses a lastGood.json altered on disk, and every push when no key is pinned', async () => {
    const dir = join(root, 'altered');
    const a = new ConfigApplier({ dir, publicKey: pub, agentId: 'suwon-gw-01', siteId: 'suwon' });
    await a.start();
    await a.commit(applyOf(a.decide(signed(() => {}, t0))));
    const text = await readFile(join(dir, 'lastGood.json'), 'utf8');
    await writeFile(join(dir, 'lastGood.json'), text.replace('s3cret-pass', 'other-pass'));
    const b = new ConfigApplier({ dir, publicKey: pub, agentId: 'suwon-gw-01', siteId: 'suwon' });
    assert.equal(await b.start(), undefined);
    const unpinned = await applier({ unpinned: true });
    const d = unpinned.decide(signed(() => {}, t0));
    assert.equal(d.action === 'reject' && d.reason, 'no-key');
  });
});
