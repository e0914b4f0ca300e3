import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeTs } from '../../media/test/support/fixture.js';
import { inspectTs } from '../../media/test/support/ts-check.js';
import { waitFor } from '../../testkit/index.js';
import { AGENT_AUTH, GOOD_TOKEN, type Harness, openViewer, startHarness } from './support/harness.js';
import { startPush } from './support/push.js';

const QUEUE_BOUND = 256 * 1024;

/** A WebSocket client that completes the handshake and then never reads (a frozen browser tab). */
function stalledViewer(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    s.once('data', (d) => {
      if (!d.toString().startsWith('HTTP/1.1 101')) reject(new Error(d.toString()));
      s.pause();
      resolve(s);
    });
    s.once('error', reject);
  });
}

describe('slow and stalled viewers', () => {
  let h: Harness;
  let gop: Buffer;
  before(async () => {
    // A high-bitrate capture so the test pushes tens of MB in seconds.
    gop = makeTs({ seconds: 2, width: 640, height: 360, fps: 25, gop: 25, bitrate: '4M' });
    h = await startHarness({ cam: { kind: 'push' } }, { maxViewerQueueBytes: QUEUE_BOUND, stalledViewerDropMs: 1500 });
  });
  after(async () => {
    await h.close();
  });

  it('a viewer that never reads stays within the queue bound, is skipped, then dropped; others keep up', async () => {
    const port = Number(new URL(h.base).port);
    const stalled = await stalledViewer(port, `/video/cam?token=${GOOD_TOKEN}`);
    const healthy = await openViewer(`${h.wsBase}/video/cam?token=${GOOD_TOKEN}`);
    const push = startPush(h.base, 'cam', AGENT_AUTH);
    let maxQueue = 0;
    let pushed = 0;
    const deadline = Date.now() + 20_000;
    while (!h.gw.health('cam')?.droppedViewers && Date.now() < deadline) {
      if (!push.write(gop)) await new Promise((r) => setTimeout(r, 5));
      pushed += gop.length;
      maxQueue = Math.max(maxQueue, h.gw.health('cam')?.maxViewerQueueBytes ?? 0);
      await new Promise((r) => setImmediate(r));
    }
    const health = h.gw.health('cam');
    // A paused client socket never sees the FIN, so ask the gateway: one viewer left, one dropped.
    assert.equal(health?.droppedViewers, 1, 'the stalled viewer was dropped');
    assert.equal(health?.viewers, 1);
    assert.ok(pushed > 8 * 1024 * 1024, `pushed ${pushed} bytes, far more than the bound`);
    // The server-side queue never holds more than the bound plus one segment (a GOP-sized burst).
    assert.ok(maxQueue <= QUEUE_BOUND + gop.length, `queue peaked at ${maxQueue}`);
    assert.ok((health?.skippedSegments ?? 0) > 0);
    // The healthy viewer got a valid stream throughout.
    await waitFor(() => healthy.bytes() > pushed / 2, 10_000);
    const ts = inspectTs(healthy.all().subarray(0, 188 * 20_000));
    assert.ok(ts.synced);
    push.end();
    await healthy.close();
    stalled.destroy();
  });
});
