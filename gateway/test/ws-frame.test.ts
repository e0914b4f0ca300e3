/** binaryFrame: RFC 6455 §5.2 headers for the three payload length forms, parsed by ws's receiver. */
import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import * as wsModule from 'ws';
import { binaryFrame, FrameCache } from '../src/ws-frame.js';

/** ws's frame parser (what a client runs on server frames); @types/ws does not declare it. */
const { Receiver } = wsModule as unknown as { Receiver: new (o: { isServer: boolean }) => Writable };

describe('binaryFrame', () => {
  for (const bytes of [0, 125, 126, 65_535, 65_536, 300_000]) {
    it(`a ${bytes}-byte payload parses as one binary message`, async () => {
      const payload = Buffer.alloc(bytes, 0xab);
      const tail = Buffer.from([1, 2, 3]);
      const frame = binaryFrame(payload, tail);
      const received = await new Promise<Buffer>((resolve, reject) => {
        // The client side of ws parses what a browser would (unmasked server frames).
        const r = new Receiver({ isServer: false });
        r.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? resolve(data) : reject(new Error('text'))));
        r.on('error', reject);
        r.write(frame);
      });
      assert.equal(received.length, bytes + 3);
      assert.ok(received.subarray(0, bytes).equals(payload));
      assert.ok(received.subarray(bytes).equals(tail));
    });
  }

  it('FrameCache frames a segment once for all its viewers', () => {
    const cache = new FrameCache();
    const a = Buffer.alloc(200, 1);
    const b = Buffer.alloc(200, 2);
    const fa = cache.of(a);
    assert.equal(cache.of(a), fa);
    const fb = cache.of(b);
    assert.notEqual(fb, fa);
    assert.equal(fb[fb.length - 1], 2);
  });
});
