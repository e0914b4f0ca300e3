/**
 * Issue 23 regression: an agent's video push is one chunked POST lasting as long as the camera
 * streams. Node's default requestTimeout (300 s) cut every push after five minutes, found with a
 * fire-watch camera in the running center (camera-loss every 5 min, push restarted). The server
 * must not limit the time to receive a request, plain or TLS; headers stay time-bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTestCa } from '../../../testkit/tls.js';
import { createCenterServer } from '../../src/http/server.js';

test('#23: a long video push is never cut by the request timeout (plain and TLS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-server-'));
  try {
    makeTestCa(dir);
    const servers = [
      createCenterServer(() => {}),
      createCenterServer(() => {}, { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') }),
    ];
    for (const s of servers) {
      assert.equal(s.requestTimeout, 0, 'no limit on receiving a whole request');
      assert.ok(s.headersTimeout > 0 && s.headersTimeout <= 120_000, 'headers still time-bounded');
      assert.ok(s.keepAliveTimeout > 60_000, 'idle keep-alive outlives clients and proxies (client closes first)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
