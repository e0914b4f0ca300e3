/**
 * Logout reaches the live sockets (SECURITY follow-up): in a real center, a console logged in
 * twice keeps the socket of the other session but loses the one whose token was logged out,
 * and that token cannot reconnect.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../../../testkit/index.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'live-Control-r00m-7!';
let center: TestCenter;
let base: string;
const sockets: Socket[] = [];

before(async () => {
  center = await startTestCenter({ password: PASSWORD });
  base = center.base;
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await center?.stop();
});

async function login(): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

function connect(token: string): Promise<Socket> {
  const socket = io(`${base}/live`, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('alarms:snapshot', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

test('logging out disconnects the live sockets of that token only, and it cannot reconnect', async () => {
  const [a, b] = [await login(), await login()];
  const [sa, sb] = [await connect(a), await connect(b)];
  const logout = await fetch(`${base}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${a}` },
  });
  assert.ok(logout.status === 200 || logout.status === 204, `logout answered ${logout.status}`);
  await waitFor(() => !sa.connected, 5_000);
  // The other session's socket stays up.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(sb.connected, true);
  await assert.rejects(connect(a), /invalid or expired token/);
});
