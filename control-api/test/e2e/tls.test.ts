/**
 * GWANJE_TLS_CERT / GWANJE_TLS_KEY: the center serves HTTPS on its HTTP port and the embedded
 * broker MQTTS, with a certificate from a throwaway CA made by openssl here; clients pin that CA.
 * A plain-text client is refused on both ports.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { makeTestCa } from '../../../testkit/index.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'tls-Control-r00m-7!';
let dir: string;
let center: TestCenter;
let ca: Buffer;
let httpPort: number;
let mqttPort: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gwanje-tls-'));
  makeTestCa(dir);
  ca = readFileSync(join(dir, 'ca.pem'));
  center = await startTestCenter({
    password: PASSWORD,
    dataDir: join(dir, 'data'),
    env: { GWANJE_TLS_CERT: join(dir, 'server.pem'), GWANJE_TLS_KEY: join(dir, 'server.key') },
  });
  ({ httpPort, mqttPort } = center);
  assert.equal(center.started.mqttUrl, `mqtts://127.0.0.1:${mqttPort}`);
});

after(async () => {
  await center?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function https(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: httpPort, path, method, ca, servername: 'localhost', headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('HTTPS /healthz with the CA pinned; plain HTTP is refused', async () => {
  const res = await https('GET', '/healthz');
  assert.equal(res.status, 200, res.body);
  assert.equal((JSON.parse(res.body) as { mqtt: string }).mqtt, 'up');
  await assert.rejects(fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.text()));
});

test('F13: with TLS on, responses tell browsers to use HTTPS only (HSTS)', async () => {
  for (const path of ['/healthz', '/api/v1/sites', '/']) {
    const res = await https('GET', path);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000', path);
  }
});

test('an agent connects over MQTTS with the CA pinned; an unpinned client is refused', async () => {
  const login = await https('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
  assert.equal(login.status, 200, login.body);
  const token = (JSON.parse(login.body) as { token: string }).token;
  const created = await https('POST', '/api/v1/agents', token, { agentId: 'tls-agent', siteId: 'osan', name: 'tls' });
  assert.equal(created.status, 201, created.body);
  const creds = (JSON.parse(created.body) as { mqtt: { url: string; username: string; password: string } }).mqtt;
  assert.equal(creds.url, `mqtts://127.0.0.1:${mqttPort}`);
  const opts = { protocolVersion: 4 as const, username: creds.username, password: creds.password, reconnectPeriod: 0 };
  const agent = await mqtt.connectAsync(creds.url, { ...opts, ca, servername: 'localhost', clientId: 'tls-agent' });
  assert.equal(agent.connected, true);
  await agent.endAsync();
  await assert.rejects(mqtt.connectAsync(creds.url, { ...opts, clientId: 'tls-agent-2' }), /certificate/i);
});
