/**
 * Security review I3: the center serves Socket.IO only on `/live` (with its token check); a
 * client connecting to the default namespace `/` is refused, with or without a token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io } from 'socket.io-client';
import { startTestCenter, type TestCenter } from '../support/center.js';

let center: TestCenter;

before(async () => {
  center = await startTestCenter({ password: 'i3-Control-r00m-7!' });
});
after(async () => {
  await center?.stop();
});

test('I3: the default Socket.IO namespace refuses unauthenticated sockets', async () => {
  const s = io(center.base, { transports: ['websocket'], reconnection: false });
  try {
    const err = await new Promise<Error | undefined>((resolve) => {
      s.once('connect', () => resolve(undefined));
      s.once('connect_error', resolve);
    });
    assert.ok(err, 'the default namespace accepted the socket');
    assert.match(err.message, /\/live/);
  } finally {
    s.disconnect();
  }
});
