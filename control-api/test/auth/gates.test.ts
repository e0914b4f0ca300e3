/**
 * auth/gates.ts, the one gate module the runtime uses (video/wiring.ts for viewers and pushes,
 * live/hub.ts and live/module.ts for Socket.IO): decisions on principals and camera rows.
 * The same gates on the real store and the real AuthService: test/video/wiring.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingestGate, liveScope, liveViewer, mayWatch } from '../../src/auth/gates.js';
import type { Principal } from '../../src/auth/permissions.js';

const cams = new Map([
  ['suwon-cam-1', { siteId: 'suwon', agentId: 'suwon-a1' }],
  ['osan-cam-1', { siteId: 'osan', agentId: 'osan-a1' }],
  // Re-homed by an admin to osan; its agent is still registered for suwon.
  ['moved-cam-1', { siteId: 'osan', agentId: 'suwon-a1' }],
]);
const cameras = { get: async (id: string) => cams.get(id) };
const who = (sites: string[]): Principal => ({ username: 'kim', role: 'viewer', sites, jti: 'j1' });

test('push: the owning agent, on the site it is registered for, and nobody else', async () => {
  assert.equal(await ingestGate({ cameras }, { agentId: 'suwon-a1', siteId: 'suwon' }, 'suwon-cam-1'), true);
  assert.equal(await ingestGate({ cameras }, { agentId: 'osan-a1', siteId: 'osan' }, 'suwon-cam-1'), false);
  assert.equal(await ingestGate({ cameras }, { agentId: 'suwon-a1', siteId: 'suwon' }, 'moved-cam-1'), false);
  assert.equal(await ingestGate({ cameras }, { agentId: 'suwon-a1', siteId: 'suwon' }, 'nowhere-cam'), false);
  assert.equal(await ingestGate({ cameras }, null, 'suwon-cam-1'), false);
});

test('watch: the camera site in scope; all-sites sees every camera', async () => {
  assert.equal(await mayWatch(cameras, who(['suwon']), 'suwon-cam-1'), true);
  assert.equal(await mayWatch(cameras, who(['suwon']), 'osan-cam-1'), false);
  assert.equal(await mayWatch(cameras, who(['*']), 'osan-cam-1'), true);
  assert.equal(await mayWatch(cameras, who(['*']), 'nowhere-cam'), false);
});

test('live: rooms are the sites in scope, narrowed by subscribe, never "*" as a site', async () => {
  assert.deepEqual(liveScope({ sites: ['suwon', 'osan'] }), ['suwon', 'osan']);
  assert.deepEqual(liveScope({ sites: ['suwon'] }, ['suwon', 'osan', '*']), ['suwon']);
  assert.equal(liveScope({ sites: ['*'] }), '*');
  assert.deepEqual(liveScope({ sites: ['*'] }, ['osan', '*', 'BAD ID']), ['osan']);
  const auth = { verify: async (t: string) => (t === 'ok' ? who(['suwon']) : Promise.reject(new Error('bad'))) };
  assert.equal((await liveViewer(auth, 'ok')).username, 'kim');
  await assert.rejects(liveViewer(auth, 'nope'));
});
