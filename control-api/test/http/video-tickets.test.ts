/**
 * F6 (security review 2026-12) for recorded clips: a console opens an alarm clip with a 60 s
 * ticket for that clip, never its API token; the file is `Cache-Control: no-store` (no CCTV in
 * browser or proxy caches) and each viewing is in the audit trail (PIPA) with its duration.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ViewAudit } from '../../src/video/view-audit.js';
import { createHarness, type Harness } from './harness.js';

const PW = 'south-gate-lamp-42';

describe('clip tickets', () => {
  let h: Harness;
  let viewer: string;
  let alarmId: string;
  let clipId: string;
  let otherClip: string;
  const timers: Array<{ at: number; fn: () => void }> = [];
  before(async () => {
    h = await createHarness();
    await h.seedDevices(['suwon', 'osan']);
    await h.auth.users.create({ username: 'viewer', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
    viewer = await h.login('viewer', PW);
    alarmId = await h.newAlarm('suwon');
    clipId = h.addClip(alarmId, 'suwon-cam-1', Buffer.alloc(4096, 1));
    h.clock.advance(1);
    otherClip = h.addClip(alarmId, 'suwon-cam-1', Buffer.alloc(16, 2));
    h.deps.views = new ViewAudit(h.audit, {
      now: h.clock.now,
      setTimeout: (fn, ms) => timers.push({ at: h.clock.now() + ms, fn }),
      clearTimeout: () => undefined,
    });
  });
  after(() => h.close());

  test('F6: a clip ticket opens that clip only, for 60 s, never cached and never as a Bearer token', async () => {
    const r = await h.call('POST', '/api/v1/video/tickets', { token: viewer, body: { alarmId, clipId } });
    assert.equal(r.status, 200, r.text);
    const t = r.json as { ticket: string; expiresAt: number; url: string };
    assert.equal(t.url, `/video/clips/${alarmId}/${clipId}.mp4?ticket=${encodeURIComponent(t.ticket)}`);
    assert.ok(t.expiresAt <= h.clock.now() + 60_000);
    assert.ok(!t.url.includes(viewer), 'the API token is not in the URL');

    const file = await h.call('GET', t.url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'video/mp4');
    assert.equal(file.headers.get('cache-control'), 'no-store');
    const part = await h.call('GET', t.url, { headers: { range: 'bytes=0-9' } });
    assert.equal(part.status, 206);

    const other = `/video/clips/${alarmId}/${otherClip}.mp4?ticket=${encodeURIComponent(t.ticket)}`;
    assert.equal((await h.call('GET', other)).status, 403, 'a ticket names one clip');
    assert.equal((await h.call('GET', '/api/v1/me', { token: t.ticket })).status, 401, 'not a Bearer token');
    h.clock.advance(61_000);
    assert.equal((await h.call('GET', t.url)).status, 401, 'expired after 60 s');
  });

  test('tickets are for what the caller may see: another site is 404, a bad body 400', async () => {
    const osanAlarm = await h.newAlarm('osan');
    const osanClip = h.addClip(osanAlarm, 'osan-cam-1', Buffer.from('mp4'));
    const cases: [unknown, number][] = [
      [{ alarmId: osanAlarm, clipId: osanClip }, 404],
      [{ alarmId, clipId: 'nope' }, 404],
      [{ cameraId: 'osan-cam-1' }, 404],
      [{ alarmId }, 400],
      [{ cameraId: 'suwon-cam-1', alarmId, clipId }, 400],
      [{ cameraId: '../x' }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await h.call('POST', '/api/v1/video/tickets', { token: viewer, body });
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    }
    const cam = await h.call('POST', '/api/v1/video/tickets', { token: viewer, body: { cameraId: 'suwon-cam-1' } });
    const camTicket = (cam.json as { ticket: string }).ticket;
    const asClip = await h.call('GET', `/video/clips/${alarmId}/${clipId}.mp4?ticket=${encodeURIComponent(camTicket)}`);
    assert.equal(asClip.status, 403, 'a camera ticket does not open a clip');
  });

  test('PIPA: opening a clip is audited, its Range requests as one viewing with its duration', async () => {
    const fire = () => {
      for (const t of timers.splice(0)) if (t.at <= h.clock.now()) t.fn();
    };
    h.clock.advance(61_000);
    fire(); // the viewings of the tests above end
    const r = await h.call('POST', '/api/v1/video/tickets', { token: viewer, body: { alarmId, clipId } });
    const url = (r.json as { url: string }).url;
    // The server finishes a response (and marks the viewing) just after the client has it all.
    const settle = () => new Promise((r) => setTimeout(r, 50));
    await h.call('GET', url, { headers: { range: 'bytes=0-99' } });
    await settle();
    h.clock.advance(5_000);
    await h.call('GET', url, { headers: { range: 'bytes=100-' } });
    await settle();
    h.clock.advance(61_000);
    fire();
    await settle();
    const root = await h.login('admin-root', PW).catch(async () => {
      await h.auth.users.create({ username: 'admin-root', password: PW, role: 'admin', sites: ['*'] }, 'test', null);
      return h.login('admin-root', PW);
    });
    const trail = await h.call('GET', '/api/v1/audit?actor=viewer&limit=50', { token: root });
    const rows = (trail.json as Array<{ action: string; target: string; detail: string }>).filter((x) =>
      x.action.startsWith('video.view'),
    );
    const end = rows.find((x) => x.action === 'video.view.end' && JSON.parse(x.detail).clip === `${alarmId}/${clipId}`);
    assert.ok(end, JSON.stringify(rows));
    assert.equal(end.target, 'suwon-cam-1');
    assert.equal(JSON.parse(end.detail).durationMs, 5_000);
    assert.equal(JSON.parse(end.detail).requests, 2);
  });
});
