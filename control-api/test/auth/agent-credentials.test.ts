/**
 * Agent broker credentials on the real store: issued once, stored hashed, verified by the broker
 * on CONNECT (with a short positive cache), revoked, and the topic ACL of CONTRACT.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authPortsFromRepositories } from '../../src/auth/adapter.js';
import { AgentCredentials } from '../../src/auth/agent-credentials.js';
import { AuthError } from '../../src/auth/errors.js';
import { createHarness, type Harness } from '../http/harness.js';

describe('AgentCredentials', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  test('provision returns the password once and stores only a scrypt hash', async () => {
    const c = await h.agentCreds.provision('suwon-agent-1', 'suwon', 'Suwon plant A', 'admin', '10.0.0.5');
    assert.match(c.password, /^[A-Za-z0-9_-]{32}$/);
    const row = await h.repos.agents.get('suwon-agent-1');
    assert.ok(row?.mqttPasswordHash.startsWith('scrypt$'));
    assert.ok(!row?.mqttPasswordHash.includes(c.password));
    assert.deepEqual(await h.agentCreds.verifyBroker('suwon-agent-1', c.password), {
      agentId: 'suwon-agent-1',
      siteId: 'suwon',
    });
    assert.deepEqual(await h.agentCreds.verifyBroker('suwon-agent-1', Buffer.from(c.password)), {
      agentId: 'suwon-agent-1',
      siteId: 'suwon',
    });
    assert.equal(await h.agentCreds.verifyBroker('suwon-agent-1', `${c.password}x`), null);
    assert.equal(await h.agentCreds.verifyBroker('osan-agent-1', c.password), null);
    assert.equal(await h.agentCreds.verifyBroker(undefined, c.password), null);
    assert.equal(await h.agentCreds.verifyBroker('suwon-agent-1', undefined), null);
    const audit = await h.audit.list({ action: 'agent.provision' });
    assert.equal(audit[0].target, 'suwon-agent-1');
    assert.equal(audit[0].ip, '10.0.0.5');
    assert.ok(!(audit[0].detail ?? '').includes(c.password));
  });

  test('a second provision of a live agent is a conflict; after revoke it re-issues in the same site only', async () => {
    await assert.rejects(
      h.agentCreds.provision('suwon-agent-1', 'suwon'),
      (e) => e instanceof AuthError && e.code === 'conflict',
    );
    const old = await h.agentCreds.provision('osan-agent-1', 'osan');
    assert.ok(await h.agentCreds.verifyBroker('osan-agent-1', old.password));
    const dropped: string[] = [];
    h.bus.on('test', 'agent.revoked', ({ agentId }) => dropped.push(agentId));
    assert.equal(await h.agentCreds.revoke('osan-agent-1', 'admin', '10.0.0.5'), true);
    assert.deepEqual(dropped, ['osan-agent-1']);
    // The cached success must not outlive the revocation.
    assert.equal(await h.agentCreds.verifyBroker('osan-agent-1', old.password), null);
    assert.equal(await h.agentCreds.revoke('osan-agent-1'), false);
    await assert.rejects(h.agentCreds.provision('osan-agent-1', 'suwon'), /belongs to site osan/);
    const fresh = await h.agentCreds.provision('osan-agent-1', 'osan');
    assert.equal(await h.agentCreds.verifyBroker('osan-agent-1', old.password), null);
    assert.ok(await h.agentCreds.verifyBroker('osan-agent-1', fresh.password));
  });

  test('a verified password is cached briefly: repeated CONNECTs do not read the store, the cache expires on the clock', async () => {
    const c = await h.agentCreds.provision('hanam-agent-1', 'hanam');
    const ports = authPortsFromRepositories(h.repos);
    let reads = 0;
    const counted = new AgentCredentials({
      agents: {
        ...ports.agents,
        get: (id) => {
          reads++;
          return ports.agents.get(id);
        },
      },
      audit: h.audit,
      log: h.deps.log,
      now: h.clock.now,
    });
    assert.ok(await counted.verifyBroker('hanam-agent-1', c.password));
    for (let i = 0; i < 100; i++) assert.ok(await counted.verifyBroker('hanam-agent-1', c.password));
    assert.equal(reads, 1);
    h.clock.advance(61_000);
    assert.ok(await counted.verifyBroker('hanam-agent-1', c.password));
    assert.equal(reads, 2, 'an expired cache entry checks the credentials again');
  });

  test('HTTP Basic for video ingest uses the same credentials', async () => {
    const c = await h.agentCreds.provision('guri-agent-1', 'guri');
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    assert.deepEqual(await h.agentCreds.verifyBasic(basic('guri-agent-1', c.password)), {
      agentId: 'guri-agent-1',
      siteId: 'guri',
    });
    assert.equal(await h.agentCreds.verifyBasic(basic('guri-agent-1', 'nope')), null);
    assert.equal(await h.agentCreds.verifyBasic('Bearer abc'), null);
    assert.equal(await h.agentCreds.verifyBasic(undefined), null);
    assert.equal(await h.agentCreds.verifyBasic(`Basic ${Buffer.from('no-colon').toString('base64')}`), null);
  });

  test('topic ACL: own prefix only, uplink out, downlink in (CONTRACT topic table)', () => {
    const cases: [string, 'publish' | 'subscribe', boolean][] = [
      ['gwanje/v1/suwon/suwon-agent-1/telemetry', 'publish', true],
      ['gwanje/v1/suwon/suwon-agent-1/status', 'publish', true],
      ['gwanje/v1/suwon/suwon-agent-1/cmd/result', 'publish', true],
      ['gwanje/v1/suwon/suwon-agent-1/cmd', 'subscribe', true],
      ['gwanje/v1/suwon/suwon-agent-1/config', 'subscribe', true],
      ['gwanje/v1/suwon/suwon-agent-1/cmd', 'publish', false],
      ['gwanje/v1/suwon/suwon-agent-1/telemetry', 'subscribe', false],
      ['gwanje/v1/osan/suwon-agent-1/telemetry', 'publish', false],
      ['gwanje/v1/suwon/suwon-agent-2/telemetry', 'publish', false],
      ['gwanje/v1/suwon/+/telemetry', 'subscribe', false],
      ['gwanje/v1/#', 'subscribe', false],
      ['gwanje/v1/suwon/suwon-agent-1/#', 'subscribe', false],
    ];
    for (const [topic, op, want] of cases)
      assert.equal(h.agentCreds.mayUse('suwon-agent-1', 'suwon', topic, op), want, `${op} ${topic}`);
  });
});
