/**
 * The video gates the center really runs (video/wiring.ts) on the real store: who may watch (a
 * ticket for that camera or a token, own sites only), who may push (the owning agent), and the
 * re-check that closes a viewer when the session or the rights behind it go (F4, F6).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { GatewayDeps } from '@gwanje/gateway';
import pino from 'pino';
import { videoGatewayDeps } from '../../src/video/wiring.js';
import { createHarness, type Harness } from '../http/harness.js';

const PW = 'north-gate-lamp-31';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const req = { headers: {}, socket: { remoteAddress: '10.1.2.3' } } as unknown as IncomingMessage;

describe('video gates (center wiring)', () => {
  let h: Harness;
  let gates: GatewayDeps;
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
      await h.repos.cameras.upsert({ cameraId, siteId, agentId, name: cameraId, ptz: false, profiles: [] });
    }
    await h.auth.users.create({ username: 'viewer', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
    gates = videoGatewayDeps({
      log: pino({ level: 'silent' }),
      auth: h.auth,
      agentCreds: h.agentCreds,
      repos: h.repos,
      commands: { post: () => 'cmd' },
      bus: h.bus,
      videoBaseUrl: 'http://center.invalid',
    });
  });
  after(() => h.close());

  test('viewer: token or ticket, own sites only, unknown camera refused, revoked session refused', async () => {
    const { token } = await h.auth.login('viewer', PW, '127.0.0.1');
    const grant = await gates.authorizeViewer({ token }, 'suwon-cam-1', req);
    assert.equal(grant?.user, 'viewer');
    assert.equal(grant?.address, '10.1.2.3');
    assert.ok((grant?.expiresAt ?? 0) > h.clock.now(), 'closed when the session ends');
    assert.equal(await gates.authorizeViewer({ token }, 'osan-cam-1', req), null);
    assert.equal(await gates.authorizeViewer({ token }, 'nowhere-cam-1', req), null);
    assert.equal(await gates.authorizeViewer({}, 'suwon-cam-1', req), null);
    assert.equal(await gates.authorizeViewer({ token: 'garbage' }, 'suwon-cam-1', req), null);

    const p = await h.auth.verify(token);
    const { ticket } = await h.auth.mintMediaTicket(p, { kind: 'camera', cameraId: 'suwon-cam-1' });
    assert.equal((await gates.authorizeViewer({ ticket }, 'suwon-cam-1', req))?.user, 'viewer');
    assert.equal(await gates.authorizeViewer({ ticket }, 'osan-cam-1', req), null, 'a ticket opens its camera only');
    assert.equal(await gates.recheckViewer?.(grant as NonNullable<typeof grant>, 'suwon-cam-1'), true);

    await h.auth.logout(p, null);
    assert.equal(await gates.authorizeViewer({ token }, 'suwon-cam-1', req), null);
    assert.equal(await gates.authorizeViewer({ ticket }, 'suwon-cam-1', req), null, 'a ticket dies with its session');
    assert.equal(await gates.recheckViewer?.(grant as NonNullable<typeof grant>, 'suwon-cam-1'), false);
  });

  test('F6: a ticket expires after 60 s and is never a Bearer token', async () => {
    const { token } = await h.auth.login('viewer', PW, '127.0.0.1');
    const p = await h.auth.verify(token);
    const { ticket, expiresAt } = await h.auth.mintMediaTicket(p, { kind: 'camera', cameraId: 'suwon-cam-1' });
    assert.ok(expiresAt <= h.clock.now() + 60_000);
    assert.equal((await h.call('GET', '/api/v1/me', { token: ticket })).status, 401);
    h.clock.advance(61_000);
    assert.equal(await gates.authorizeViewer({ ticket }, 'suwon-cam-1', req), null);
  });

  test('ingest: only the agent that owns the camera, with its current password', async () => {
    assert.deepEqual(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'suwon-cam-1'), {
      owner: 'suwon-agent-1',
    });
    assert.equal(await gates.authorizeIngest(basic('osan-agent-1', osanPw), 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', osanPw), 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeIngest(undefined, 'suwon-cam-1'), false);
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'unknown-cam'), false);
    // Issue 18: the runtime gate makes the site check too. A camera re-homed by an admin to another
    // site (its agent still registered for the old one) takes no push from that agent.
    await h.repos.cameras.upsert({
      cameraId: 'suwon-cam-2',
      siteId: 'osan',
      agentId: 'suwon-agent-1',
      name: 'moved',
      ptz: false,
      profiles: [],
    });
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'suwon-cam-2'), false);
    await h.agentCreds.revoke('suwon-agent-1');
    assert.equal(await gates.authorizeIngest(basic('suwon-agent-1', suwonPw), 'suwon-cam-1'), false);
  });
});
