import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseVideoRoute } from '../src/routes.js';

const tok = (token?: string, ticket?: string) => ({ token, ticket });

describe('parseVideoRoute (CONTRACT "Video: gateway" URLs)', () => {
  const table: Array<[string | undefined, ReturnType<typeof parseVideoRoute>]> = [
    ['/video/cam-1?token=t', { kind: 'live', cameraId: 'cam-1', credentials: tok('t'), format: 'mpegts' }],
    ['/video/cam-1?token=t&format=mpeg1', { kind: 'live', cameraId: 'cam-1', credentials: tok('t'), format: 'mpeg1' }],
    ['/video/cam%201', { kind: 'live', cameraId: 'cam 1', credentials: tok(undefined), format: 'mpegts' }],
    ['/video/cam-1/snapshot.jpg?token=t', { kind: 'snapshot', cameraId: 'cam-1', credentials: tok('t') }],
    ['/video/cam-1?ticket=k', { kind: 'live', cameraId: 'cam-1', credentials: tok(undefined, 'k'), format: 'mpegts' }],
    ['/video/cam-1/snapshot.jpg?ticket=k', { kind: 'snapshot', cameraId: 'cam-1', credentials: tok(undefined, 'k') }],
    ['/video/ingest/site-01-cam-1', { kind: 'ingest', cameraId: 'site-01-cam-1' }],
    ['/video/', undefined],
    ['/video/%E0%A4%A', undefined],
    ['/video/cam-1/other', undefined],
    ['/socket.io/?EIO=4', undefined],
    [undefined, undefined],
  ];
  for (const [url, want] of table) {
    it(`${url}`, () => assert.deepEqual(parseVideoRoute(url), want));
  }
});
