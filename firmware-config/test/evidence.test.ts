/** Issue 21: the evidence manifest (sign on the center, check offline) without a ZIP in between. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { checkEvidence, type EntryDigest, EVIDENCE_FORMAT, sha256Hex, signEvidenceManifest } from '../src/evidence.js';
import { publicKeyPem } from '../src/keys.js';

const files = new Map<string, Buffer>([
  ['alarm.json', Buffer.from('{"alarm":{}}')],
  ['trace/suwon-ch4-1.csv', Buffer.from('ts,value\r\n1,60\r\n')],
]);
const digests = (m: Map<string, Buffer>) =>
  new Map<string, EntryDigest>([...m].map(([p, b]) => [p, { sha256: sha256Hex(b), bytes: b.length }]));

function bundle() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const manifest = signEvidenceManifest(
    {
      format: EVIDENCE_FORMAT,
      alarmId: 'a-1',
      siteId: 'suwon',
      createdAt: 1_763_900_000_000,
      createdBy: 'kim',
      lang: 'ko',
      masked: 'none',
      files: [...digests(files)].map(([path, d]) => ({ path, ...d })),
    },
    privateKey,
  );
  return { manifest, pem: publicKeyPem(privateKey) };
}

test('a signed manifest checks out against its key; facts are reported', () => {
  const { manifest, pem } = bundle();
  const r = checkEvidence(JSON.stringify(manifest), digests(files), { pinned: pem });
  assert.deepEqual(r.problems, []);
  assert.equal(r.ok, true);
  assert.equal(r.pinned, true);
  assert.equal(r.alarmId, 'a-1');
  assert.equal(r.files, 2);
});

test('an altered, missing or extra file, an edited manifest or another key is refused with a reason', () => {
  const { manifest, pem } = bundle();
  const altered = new Map(files);
  altered.set('trace/suwon-ch4-1.csv', Buffer.from('ts,value\r\n1,6\r\n'));
  assert.match(checkEvidence(JSON.stringify(manifest), digests(altered), { pinned: pem }).problems.join(), /differs/);
  const missing = digests(files);
  missing.delete('alarm.json');
  assert.match(checkEvidence(JSON.stringify(manifest), missing, { pinned: pem }).problems.join(), /not in the bundle/);
  const extra = digests(files);
  extra.set('planted.exe', { sha256: '00', bytes: 1 });
  assert.match(checkEvidence(JSON.stringify(manifest), extra, { pinned: pem }).problems.join(), /not in the manifest/);
  const edited = { ...manifest, createdBy: 'someone-else' };
  assert.match(checkEvidence(JSON.stringify(edited), digests(files), { pinned: pem }).problems.join(), /signature/);
  const other = bundle().pem;
  assert.match(checkEvidence(JSON.stringify(manifest), digests(files), { pinned: other }).problems.join(), /keyId/);
  const unpinned = checkEvidence(JSON.stringify(manifest), digests(files), { bundled: pem });
  assert.equal(unpinned.ok, true);
  assert.equal(unpinned.pinned, false);
  assert.equal(checkEvidence(undefined, digests(files), { pinned: pem }).ok, false);
  assert.equal(checkEvidence('{not json', digests(files), { pinned: pem }).ok, false);
});
