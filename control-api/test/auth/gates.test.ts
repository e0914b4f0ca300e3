/**
 * Video and live-push gates on the real store: a viewer sees only cameras of their sites with a
 * valid token; only the agent owning a camera may push its video; Socket.IO rooms follow scope.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { liveRooms, videoGates } from '../../src/auth/gates.js';
import { createHarness, type Harness } from '../http/harness.js';

const PW = 'north-gate-lamp-31';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('video and live gates', () => {
  let h: Harness;
  let gates: ReturnType<typeof videoGates>;
  let suwonPw: string;
  let osanPw: string;
  before(async () => {
    h = await createHarness();
    suwonPw = (await h.agentCreds.provision('suwon-agent-1', 'suwon')).password;
    osanPw = (await h.agentCreds.provision('osan-agent-1', 'osan')).password;
    for (const [cameraId, siteId, agentId] of [
      ['suwon-cam-1', 'suwon', 'suwon-agent-1'],
      ['osan-cam-1', 'osan', 'osan-agent-1'],
    ]) {
      await h.repos.cameras.upsert({ cameraId, siteId, agentId, name: cameraId, ptz: false, profiles: '[]' });
    }
    await h.auth.users.create({ username: 'viewer', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
    gates = videoGates({
      auth: h.auth,
      agentCreds: h.agentCreds,
      cameras: h.repos.cameras,
      log: pino({ level: 'silent' }),
    });
  });
  after(() => h.close());

  test('viewer: token required, own sites only, unknown camera refused, revoked token refused', async () => {
    const { token } = await h.auth.login('viewer', PW, '127.0.0.1');
    assert.equal(await gates.authorizeViewer(token, 'suwon-cam-1'), true);
    assert.equal(await gates.authorizeViewer(token, 'osan-cam-1'), false);
    assert.equal(await gates.authorizeViewer(token, 'nowhere-cam-1'), false);
    assert.equal(await gates.authorizeViewer(undefined, 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeViewer('garbage', 'suwon-cam-1'), false);
    await h.auth.logout(await h.auth.verify(token), null);
    assert.equal(await gates.authorizeViewer(token, 'suwon-cam-1'), false);
  });

  test('ingest: only the agent that owns the camera, with its current password', async () => {
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'suwon-cam-1'), true);
    assert.equal(await gates.authorizeIngest(basic('osan-agent-1', osanPw), 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', osanPw), 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeIngest(undefined, 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'unknown-cam'), false);
    await h.agentCreds.revoke('suwon-agent-1');
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'suwon-cam-1'), false);
  });

  test('live rooms follow the grant and a subscribe can only narrow it', () => {
    const all = ['osan', 'suwon', 'yongin'];
    const p = { username: 'v', role: 'viewer' as const, sites: ['suwon'], jti: 'j' };
    assert.deepEqual(liveRooms(p, all), ['site:suwon']);
    assert.deepEqual(liveRooms(p, all, ['osan', 'suwon']), ['site:suwon']);
    assert.deepEqual(liveRooms(p, all, ['osan']), []);
    assert.deepEqual(liveRooms({ ...p, sites: ['*'] }, all), ['site:osan', 'site:suwon', 'site:yongin']);
    assert.deepEqual(liveRooms({ ...p, sites: ['*'] }, all, ['yongin']), ['site:yongin']);
  });
});
