/**
 * Which sites GWANJE_SIMULATE=n simulates (issue 21 regression: the evidence e2e's leak at suwon had
 * no camera and so no alarm clip, because the first site by id, ansan, was simulated instead of
 * the first of the seed file). Read against the real Gyeonggi seed file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulatedSites } from '../../src/sim/access.js';
import { readSeed } from '../../src/store/repositories.js';

const SEED = new URL('../../../seed/gyeonggi-sites.json', import.meta.url).pathname;

test('GWANJE_SIMULATE=1 simulates suwon, the first site of the Gyeonggi seed, not ansan (first by id)', async () => {
  const order = (await readSeed(SEED)).map((s) => s.siteId);
  const byId = [...order].sort();
  assert.equal(byId[0], 'ansan');
  assert.deepEqual(simulatedSites(byId, order, 1), ['suwon']);
  assert.deepEqual(simulatedSites(byId, order, 3), order.slice(0, 3));
  assert.deepEqual(simulatedSites(byId, order, 31), order);
});

test('sites an admin added come after the seeded ones, by id; seeded sites since removed are skipped', () => {
  const seed = ['suwon', 'seongnam', 'osan'];
  assert.deepEqual(simulatedSites(['zeta', 'osan', 'alpha', 'suwon'], seed, 10), ['suwon', 'osan', 'alpha', 'zeta']);
  assert.deepEqual(simulatedSites(['b', 'a'], [], 1), ['a'], 'no readable seed: by id');
  assert.deepEqual(simulatedSites(['suwon'], seed, 0), []);
});
