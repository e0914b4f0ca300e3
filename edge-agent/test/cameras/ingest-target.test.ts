/**
 * Where a `stream.start` may send a camera's video (review F18), and issue 19: in a cluster the
 * owner of the camera's site names itself, so any instance listed in `central.videoUrls` is
 * accepted - still only the camera's own ingest path, never a stranger's host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkIngestUrl } from '../../src/cameras/ingest-target.js';

const A = 'https://center-a.example:8443';
const B = 'https://center-b.example:8443';

test('the configured center and the listed instances are accepted for the camera ingest path only', () => {
  assert.equal(checkIngestUrl(A, 'cam-1', `${A}/video/ingest/cam-1`).href, `${A}/video/ingest/cam-1`);
  assert.equal(checkIngestUrl(A, 'cam-1', `${B}/video/ingest/cam-1`, [B]).href, `${B}/video/ingest/cam-1`);
  assert.throws(() => checkIngestUrl(A, 'cam-1', `${B}/video/ingest/cam-1`), /must be https:\/\/center-a/);
  assert.throws(() => checkIngestUrl(A, 'cam-1', `${B}/video/ingest/cam-2`, [B]), /must be/);
  assert.throws(() => checkIngestUrl(A, 'cam-1', 'https://evil.example/video/ingest/cam-1', [B]), /must be/);
  assert.throws(
    () => checkIngestUrl(A, 'cam-1', `https://u:p@center-b.example:8443/video/ingest/cam-1`, [B]),
    /must be/,
  );
});
