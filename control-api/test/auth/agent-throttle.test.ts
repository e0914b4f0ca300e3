/**
 * Security review F9: agent credential checks are reachable without authentication (MQTT CONNECT,
 * video-ingest Basic auth). A wrong password costs an HMAC, never scrypt; failures are throttled
 * per address and per agentId and a failed pair is answered from memory; credentials issued
 * before the fast check existed still work, rationed, and gain the fast check on first success.
 * On the real store with the injected clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { authPortsFromRepositories } from '../../src/auth/adapter.js';
import { AgentCredentials } from '../../src/auth/agent-credentials.js';
import { AuditLog } from '../../src/auth/audit.js';
import { hashPassword } from '../../src/auth/password.js';
import { createHarness, type Harness } from '../http/harness.js';

describe('F9: agent login throttle', () => {
  let h: Harness;
  let creds: AgentCredentials;
  const refused: string[] = [];
  const count = (reason: string) => refused.filter((r) => r === reason).length;

  before(async () => {
    h = await createHarness();
    const ports = authPortsFromRepositories(h.repos);
    creds = new AgentCredentials({
      agents: ports.agents,
      audit: new AuditLog(ports.audit, h.clock.now, h.deps.log),
      log: h.deps.log,
      now: h.clock.now,
      onRefused: (r) => refused.push(r),
    });
  });
  after(() => h.close());

  test('F9: wrong passwords cost no scrypt: 400 distinct guesses from 400 addresses', async () => {
    const c = await creds.provision('suwon-f9-1', 'suwon');
    assert.match((await h.repos.agents.get('suwon-f9-1'))?.mqttPasswordCheck ?? '', /^hmac-sha256\$/);
    const slow0 = creds.slowChecksRun;
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        creds.verifyBroker('suwon-f9-1', `wrong-${i}`, `10.1.${i >> 8}.${i & 255}`),
      ),
    );
    assert.ok(
      results.every((r) => r === null),
      'all refused',
    );
    // No scrypt (N=2^15, 32 MiB and tens of ms on the shared thread pool) for any of them.
    assert.equal(creds.slowChecksRun, slow0);
    assert.equal(count('bad-password'), 400);
    assert.deepEqual(await creds.verifyBroker('suwon-f9-1', c.password, '10.9.9.9'), {
      agentId: 'suwon-f9-1',
      siteId: 'suwon',
    });
  });

  test('F9: an address with 30 failures in 5 minutes is refused outright, then let in again', async () => {
    const c = await creds.provision('suwon-f9-2', 'suwon');
    for (let i = 0; i < 30; i++) assert.equal(await creds.verifyBroker('suwon-f9-2', `guess-${i}`, '10.2.0.1'), null);
    // Even the right password from that address waits; from another address it works.
    assert.equal(await creds.verifyBroker('suwon-f9-2', c.password, '10.2.0.1'), null);
    assert.equal(count('throttled-address'), 1);
    assert.ok(await creds.verifyBroker('suwon-f9-2', c.password, '10.2.0.2'));
    // A cached success is no new check: the agent already connected keeps reconnecting.
    assert.ok(await creds.verifyBroker('suwon-f9-2', c.password, '10.2.0.1'));
    h.clock.advance(5 * 60_000 + 1);
    assert.ok(await creds.verifyBroker('suwon-f9-2', c.password, '10.2.0.1'));
  });

  test('F9: the same wrong pair is answered from memory; video-ingest Basic shares the throttle', async () => {
    await creds.provision('suwon-f9-3', 'suwon');
    assert.equal(await creds.verifyBroker('suwon-f9-3', 'same-wrong', '10.3.0.1'), null);
    assert.equal(await creds.verifyBroker('suwon-f9-3', 'same-wrong', '10.3.0.2'), null);
    assert.equal(count('cached-failure'), 1);
    const basic = (p: string) => `Basic ${Buffer.from(`suwon-f9-3:${p}`).toString('base64')}`;
    for (let i = 0; i < 30; i++) assert.equal(await creds.verifyBasic(basic(`b-${i}`), '10.3.0.9'), null);
    const before = count('throttled-address');
    assert.equal(await creds.verifyBroker('suwon-f9-3', 'mqtt-try', '10.3.0.9'), null);
    assert.equal(count('throttled-address'), before + 1);
  });

  test('F9: credentials from before the fast check: scrypt, not for an agentId under attack, then upgraded', async () => {
    const c = await creds.provision('suwon-f9-4', 'suwon');
    // As issued by the previous release: only the scrypt hash.
    await sql`UPDATE agents SET mqtt_password_check = NULL, mqtt_password_hash = ${await hashPassword(c.password)}
      WHERE agent_id = 'suwon-f9-4'`.execute(h.repos.db.kysely);
    const slow0 = creds.slowChecksRun;
    for (let i = 0; i < 10; i++) assert.equal(await creds.verifyBroker('suwon-f9-4', `old-${i}`, `10.4.0.${i}`), null);
    assert.equal(creds.slowChecksRun, slow0 + 10);
    assert.equal(await creds.verifyBroker('suwon-f9-4', c.password, '10.4.1.1'), null);
    assert.equal(count('throttled-agent'), 1);
    assert.equal(creds.slowChecksRun, slow0 + 10);
    h.clock.advance(5 * 60_000 + 1);
    assert.ok(await creds.verifyBroker('suwon-f9-4', c.password, '10.4.1.1'));
    await new Promise((r) => setTimeout(r, 50));
    assert.match((await h.repos.agents.get('suwon-f9-4'))?.mqttPasswordCheck ?? '', /^hmac-sha256\$/);
    h.clock.advance(61_000);
    assert.ok(await creds.verifyBroker('suwon-f9-4', c.password, '10.4.1.1'));
    assert.equal(creds.slowChecksRun, slow0 + 11, 'upgraded credentials need no scrypt');
  });

  test('F2: agentIds with the prefix reserved for the center are refused', async () => {
    await assert.rejects(creds.provision('gwanje-center', 'suwon'), /reserved/);
  });
});
