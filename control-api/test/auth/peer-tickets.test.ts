/**
 * Issue 19 peer tickets (how one center instance opens a camera's stream at the owner of its site):
 * valid only for the camera they name, for 60 s, with their own audience - a console's media
 * ticket is not a peer ticket and a peer ticket is not a media ticket - and only under the key the
 * instances share.
 */
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { test } from 'node:test';
import { readMediaTicket, signMediaTicket } from '../../src/auth/media-tickets.js';
import { PEER_TICKET_TTL_MS, readPeerTicket, signPeerTicket } from '../../src/auth/peer-tickets.js';

const hmac = (secret: string) =>
  webcrypto.subtle.importKey('raw', Buffer.from(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const now = 1_800_000_000_000;

test('a peer ticket opens the camera it names, at any instance sharing the key, for 60 s', async () => {
  const key = await hmac('shared-by-every-instance-0123456789abcdef');
  const t = await signPeerTicket(key, { instanceId: 'center-b', cameraId: 'suwon-cam-1' }, now);
  assert.equal(await readPeerTicket(key, t, 'suwon-cam-1', now + 1000), 'center-b');
  await assert.rejects(readPeerTicket(key, t, 'suwon-cam-2', now), /another camera/);
  await assert.rejects(readPeerTicket(key, t, 'suwon-cam-1', now + PEER_TICKET_TTL_MS + 1000), /expired/);
  await assert.rejects(
    readPeerTicket(await hmac('another-key-0123456789abcdef-000000'), t, 'suwon-cam-1', now),
    /not valid/,
  );
  await assert.rejects(readPeerTicket(key, `${t}x`.repeat(300), 'suwon-cam-1', now), /not valid/);
});

test('peer and media tickets are never taken for each other', async () => {
  const key = await hmac('shared-by-every-instance-0123456789abcdef');
  const peer = await signPeerTicket(key, { instanceId: 'center-b', cameraId: 'suwon-cam-1' }, now);
  const scope = { kind: 'camera' as const, cameraId: 'suwon-cam-1' };
  await assert.rejects(readMediaTicket(key, peer, scope, now), /not valid/);
  const media = await signMediaTicket(key, { username: 'op', sid: 'jti-1', scope }, now);
  await assert.rejects(readPeerTicket(key, media.ticket, 'suwon-cam-1', now), /not valid/);
  assert.deepEqual(await readMediaTicket(key, media.ticket, scope, now), { username: 'op', sid: 'jti-1' });
});
