/**
 * HTTPS with a self-signed CA (issue 9 "Optional TLS ... tested with a self-signed CA"): openssl
 * makes a CA and a server certificate for 127.0.0.1; a client trusting the CA logs in over TLS,
 * a client that does not is refused, and TLS 1.1 is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestCa } from '../../../testkit/index.js';
import { createCenterServer } from '../../src/http/server.js';
import { createHarness, type Harness } from './harness.js';

const PW = 'lantern-bridge-9034';

function post(
  port: number,
  path: string,
  body: unknown,
  tls: { ca?: Buffer; maxVersion?: 'TLSv1.1' },
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...tls,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('HTTPS with a self-signed CA', () => {
  let dir: string;
  let h: Harness;
  let server: ReturnType<typeof createCenterServer>;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gwanje-tls-'));
    makeTestCa(dir);
    h = await createHarness();
    await h.auth.users.create({ username: 'kang', password: PW, role: 'viewer', sites: ['*'] }, 'test', null);
    server = createCenterServer(h.app, { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a client trusting the CA logs in over TLS', async () => {
    const r = await post(
      port,
      '/api/v1/auth/login',
      { username: 'kang', password: PW },
      { ca: readFileSync(join(dir, 'ca.pem')) },
    );
    assert.equal(r.status, 200);
    assert.equal((r.json as { user: { username: string } }).user.username, 'kang');
  });

  test('a client without the CA, or limited to TLS 1.1, is refused', async () => {
    await assert.rejects(
      post(port, '/api/v1/auth/login', { username: 'kang', password: PW }, {}),
      /self-signed|unable to verify|SELF_SIGNED/i,
    );
    await assert.rejects(
      post(
        port,
        '/api/v1/auth/login',
        { username: 'kang', password: PW },
        { ca: readFileSync(join(dir, 'ca.pem')), maxVersion: 'TLSv1.1' },
      ),
      /protocol|version|alert/i,
    );
  });

  test('a missing certificate file is a clear error', () => {
    assert.throws(
      () => createCenterServer(h.app, { certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'server.key') }),
      /http: cannot read TLS certificate or key/,
    );
  });
});
