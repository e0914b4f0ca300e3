import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NAL_IDR } from '@gwanje/media';
import pino from 'pino';
import { StreamPush } from '../../edge-agent/src/cameras/stream.js';
import { makeTs } from '../../media/test/support/fixture.js';
import { inspectTs } from '../../media/test/support/ts-check.js';
import { makeTestCa, waitFor } from '../../testkit/index.js';
import { ManualClock } from './support/clock.js';
import { AGENT_AUTH, GOOD_TOKEN, type Harness, openViewer, startHarness } from './support/harness.js';
import { startPush } from './support/push.js';

describe('push ingest (POST /video/ingest/{cameraId})', () => {
  let h: Harness;
  let capture: Buffer;
  before(async () => {
    capture = makeTs({ seconds: 2, fps: 15, gop: 15 });
    h = await startHarness({ pushed: { kind: 'push' } });
  });
  after(async () => {
    await h.close();
  });

  it('answers 401 without credentials and 403 with wrong ones or a foreign camera', async () => {
    const none = startPush(h.base, 'pushed');
    assert.equal(await none.status, 401);
    const wrong = startPush(h.base, 'pushed', `Basic ${Buffer.from('cam-agent:nope').toString('base64')}`);
    assert.equal(await wrong.status, 403);
    const foreign = startPush(h.base, 'other-cam', AGENT_AUTH);
    assert.equal(await foreign.status, 403);
    assert.equal(h.gw.health('pushed')?.bytesIn ?? 0, 0, 'nothing refused reached the relay');
  });

  it('F9: a push with refused credentials is answered only after refusalDelayMs (injected clock)', async () => {
    const clock = new ManualClock();
    const s = await startHarness({ cam: { kind: 'push' } }, { clock, refusalDelayMs: 1000 });
    try {
      let answered = 0;
      const wrong = startPush(s.base, 'cam', `Basic ${Buffer.from('cam-agent:nope').toString('base64')}`);
      void wrong.status.then((st) => {
        answered = st;
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(answered, 0, 'answered before the delay');
      clock.advance(500); // (the manual clock also moves with real time: a margin)
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(answered, 0);
      clock.advance(600);
      assert.equal(await wrong.status, 403);
      // No credentials at all: the 401 challenge comes at once.
      assert.equal(await startPush(s.base, 'cam').status, 401);
    } finally {
      await s.close();
    }
  });

  it('F21: one agent feeds at most maxPushesPerOwner pushes at once; the next is 429', async () => {
    const s = await startHarness(
      { a: { kind: 'push' }, b: { kind: 'push' }, c: { kind: 'push' } },
      { maxPushesPerOwner: 2 },
    );
    try {
      const a = startPush(s.base, 'a', AGENT_AUTH);
      const b = startPush(s.base, 'b', AGENT_AUTH);
      a.write(capture);
      b.write(capture);
      await waitFor(() => (s.gw.health('a')?.bytesIn ?? 0) > 0 && (s.gw.health('b')?.bytesIn ?? 0) > 0, 5000);
      assert.equal(await startPush(s.base, 'c', AGENT_AUTH).status, 429);
      a.end();
      assert.equal(await a.status, 204);
      const c = startPush(s.base, 'c', AGENT_AUTH);
      c.write(capture);
      await waitFor(() => (s.gw.health('c')?.bytesIn ?? 0) > 0, 5000);
      c.end();
      b.end();
      assert.equal(await c.status, 204);
    } finally {
      await s.close();
    }
  });

  it('relays an authorized push to a viewer; a second push replaces the first', async () => {
    const v = await openViewer(`${h.wsBase}/video/pushed?token=${GOOD_TOKEN}`);
    await waitFor(() => h.starts.includes('pushed'));
    const first = startPush(h.base, 'pushed', AGENT_AUTH);
    first.write(capture);
    await waitFor(() => v.bytes() >= capture.length - 188 * 20, 5000);
    const ts = inspectTs(v.all());
    assert.ok(ts.synced);
    assert.deepEqual(ts.pids.slice(0, 2), [0, 0x1000]);
    assert.ok(ts.nalTypes.includes(NAL_IDR));
    assert.equal(h.gw.health('pushed')?.state, 'live');

    const before = v.bytes();
    const second = startPush(h.base, 'pushed', AGENT_AUTH);
    second.write(capture);
    assert.equal(await first.status, 204, 'the replaced push is ended');
    await waitFor(() => v.bytes() >= before + capture.length / 2, 5000);
    second.end();
    assert.equal(await second.status, 204);
    await v.close();
  });

  it('a push that stalls is reported lost and the agent is asked again (injected clock)', async () => {
    const clock = new ManualClock();
    const s = await startHarness({ cam: { kind: 'push' } }, { clock, stallMs: 5000, retryMs: 2000, graceMs: 60_000 });
    try {
      const v = await openViewer(`${s.wsBase}/video/cam?token=${GOOD_TOKEN}`);
      await waitFor(() => s.starts.length === 1);
      const push = startPush(s.base, 'cam', AGENT_AUTH);
      push.write(capture);
      await waitFor(() => s.gw.health('cam').state === 'live', 5000);
      clock.advance(4000);
      assert.equal(s.gw.health('cam').state, 'live', 'within stallMs');
      clock.advance(2000);
      assert.equal(s.gw.health('cam').state, 'lost');
      assert.deepEqual(
        s.states.map(([, st]) => st),
        ['live', 'lost'],
      );
      clock.advance(2100);
      await waitFor(() => s.starts.length === 2, 2000); // stream.start sent again after retryMs
      push.write(capture);
      await waitFor(() => s.gw.health('cam').state === 'live', 5000);
      push.end();
      await v.close();
    } finally {
      await s.close();
    }
  });

  it("the edge agent's push (BRIEF 'Video push') is relayed, and ends when the gateway stops it", async () => {
    const s = await startHarness({ cam: { kind: 'push' } }, { graceMs: 300 });
    try {
      const v = await openViewer(`${s.wsBase}/video/cam?token=${GOOD_TOKEN}`);
      await waitFor(() => s.starts.length === 1);
      // What control-api's stream.start makes the agent run (virtual camera: testsrc -> x264).
      const states: string[] = [];
      const agent = new StreamPush(
        'cam',
        `${s.base}/video/ingest/cam`,
        { testPattern: true },
        { authorization: AGENT_AUTH, redact: (t) => t },
        { log: pino({ level: 'silent' }), onState: (state) => states.push(state) },
      );
      agent.start();
      try {
        await waitFor(() => inspectTs(v.all()).nalTypes.includes(NAL_IDR), 15_000);
        assert.equal(s.gw.health('cam').upstream, 'push');
        await v.close();
        // Last viewer gone: after the grace period stopUpstream is called and the push is closed.
        await waitFor(() => s.stops.includes('cam'), 5000);
        await waitFor(() => states.includes('ended') && agent.pid === undefined, 5000).catch(() => {
          throw new Error(`the agent kept pushing: ${states.join(',')}`);
        });
      } finally {
        await agent.stop();
      }
    } finally {
      await s.close();
    }
  });

  it('over HTTPS: a push and a wss:// viewer get the same pre-framed stream through TLS sockets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
    const pki = makeTestCa(dir);
    const ca = readFileSync(pki.ca);
    const s = await startHarness(
      { cam: { kind: 'push' } },
      {},
      {
        cert: readFileSync(pki.cert),
        key: readFileSync(pki.key),
      },
    );
    try {
      const v = await openViewer(`${s.wsBase}/video/cam?token=${GOOD_TOKEN}`, ca);
      const push = startPush(s.base, 'cam', AGENT_AUTH, ca);
      push.write(capture);
      await waitFor(() => v.bytes() >= capture.length - 188 * 20, 5000);
      const ts = inspectTs(v.all());
      assert.ok(ts.synced);
      assert.ok(ts.nalTypes.includes(NAL_IDR));
      assert.ok(
        v.messages.every((m) => m.length % 188 === 0),
        'every message whole TS packets',
      );
      push.end();
      assert.equal(await push.status, 204);
      await v.close();
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
