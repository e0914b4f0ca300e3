/**
 * Viewers live only as long as their grant (security review F4) and within per-user caps (F14),
 * through the real gateway on a real server with real WebSocket clients: the session's end
 * (injected clock) and a failed re-check close them with 4401, a user holds at most N viewers
 * and M MPEG1 ones, a viewer cannot make the gateway buffer a large message, snapshots are capped
 * per user, and every view is reported (PIPA) with its end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { makeTs } from '../../media/test/support/fixture.js';
import { waitFor } from '../../testkit/index.js';
import type { ViewerGrant } from '../src/index.js';
import { ManualClock } from './support/clock.js';
import { AGENT_AUTH, type Harness, openViewer, startHarness } from './support/harness.js';
import { startPush } from './support/push.js';

describe('viewer sessions (F4, F14)', () => {
  let h: Harness;
  const clock = new ManualClock();
  const revoked = new Set<string>();
  const views: string[] = [];
  before(async () => {
    h = await startHarness(
      { cam: { kind: 'push' }, cam2: { kind: 'push' }, cam3: { kind: 'push' } },
      { clock, maxViewersPerUser: 2, maxMpeg1ViewersPerUser: 1, maxSnapshotsPerUser: 1, snapshotTimeoutMs: 2000 },
      undefined,
      {
        // The token names the user; "short" sessions end 60 s after the open, on the injected clock.
        authorizeViewer: async (c) =>
          c.token
            ? ({
                user: c.token.split('.')[0],
                session: c.token,
                expiresAt: c.token.endsWith('.short') ? clock.now() + 60_000 : undefined,
              } satisfies ViewerGrant)
            : null,
        recheckViewer: async (g) => !revoked.has(g.session ?? ''),
        onView: (cameraId, g, kind) => {
          views.push(`open ${g.user} ${cameraId} ${kind}`);
          return () => views.push(`end ${g.user} ${cameraId} ${kind}`);
        },
      },
    );
    const push = startPush(h.base, 'cam', AGENT_AUTH);
    push.write(makeTs({ seconds: 2, fps: 15, gop: 15 }));
  });
  after(() => h.close());

  const closeCode = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));

  it('F4: closes a viewer when its session ends (injected clock), with 4401', async () => {
    const v = await openViewer(`${h.wsBase}/video/cam?token=ann.short`);
    const closed = closeCode(v.ws);
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(v.ws.readyState, WebSocket.OPEN);
    clock.advance(2_000);
    assert.equal(await closed, 4401);
    await waitFor(() => views.includes('end ann cam live'));
  });

  it('F4: closes the viewers whose grant a re-check refuses, and only those', async () => {
    const a = await openViewer(`${h.wsBase}/video/cam?token=bob.1`);
    const b = await openViewer(`${h.wsBase}/video/cam?token=bob.2`);
    const closed = closeCode(a.ws);
    revoked.add('bob.1');
    assert.equal(await h.gw.recheckViewers('bob'), 1);
    assert.equal(await closed, 4401);
    assert.equal(b.ws.readyState, WebSocket.OPEN);
    await b.close();
  });

  it('F14: a user holds at most maxViewersPerUser viewers and maxMpeg1ViewersPerUser MPEG1 ones', async () => {
    const a = await openViewer(`${h.wsBase}/video/cam?token=cy.1`);
    const b = await openViewer(`${h.wsBase}/video/cam2?token=cy.1`);
    await assert.rejects(openViewer(`${h.wsBase}/video/cam3?token=cy.1`), /status 429/);
    const other = await openViewer(`${h.wsBase}/video/cam3?token=dee.1`);
    await b.close();
    const m = await openViewer(`${h.wsBase}/video/cam?token=cy.1&format=mpeg1`);
    await a.close();
    await assert.rejects(openViewer(`${h.wsBase}/video/cam2?token=cy.1&format=mpeg1`), /status 429/);
    await m.close();
    await other.close();
  });

  it('F14: a viewer sending more than 1 KiB is disconnected (1009), nothing is buffered for it', async () => {
    const v = await openViewer(`${h.wsBase}/video/cam?token=eve.1`);
    const closed = closeCode(v.ws);
    v.ws.send(Buffer.alloc(64 * 1024));
    assert.equal(await closed, 1009);
  });

  it('F14: snapshots are capped per user; each one is reported as a view', async () => {
    const first = fetch(`${h.base}/video/cam3/snapshot.jpg?token=fay.1`);
    await waitFor(() => views.includes('open fay cam3 snapshot'));
    const second = await fetch(`${h.base}/video/cam2/snapshot.jpg?token=fay.1`);
    assert.equal(second.status, 429);
    clock.advance(3000);
    assert.equal((await first).status, 503, 'cam3 has no picture (no push), after snapshotTimeoutMs');
    assert.ok(views.includes('end fay cam3 snapshot'));
  });
});
