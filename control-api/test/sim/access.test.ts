/**
 * Issue 18: the simulator is a process beside the center and gets its agents' credentials through
 * a one-time provisioning token (sim/access.ts), never the admin password. On the real center
 * (module table, embedded broker, SQLite): the token file is 0600, only that token provisions, only
 * the simulated agents of the first GWANJE_SIMULATE seeded sites, only once, every use and refusal
 * is audited, the issued credentials open the real broker, and neither the token nor a password
 * reaches the log.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { SimulatorAgentsResponse } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { createLogger } from '../../src/logger.js';
import { simulatedSites } from '../../src/sim/access.js';
import { readSeed } from '../../src/store/repositories.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'sim-Access-t3st-pw!';

async function post(base: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/api/v1/simulator/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: '{}',
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('simulator provisioning (GWANJE_SIMULATE=2)', () => {
  let c: TestCenter;
  let logged = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });

  before(async () => {
    c = await startTestCenter({
      password: PASSWORD,
      env: { GWANJE_SIMULATE: '2' },
      log: createLogger('debug', sink),
      simulator: false,
    });
  });
  after(async () => {
    await c?.stop();
  });

  test('the token file is 0600 and names the center; only that token, once, provisions the first 2 sites', async () => {
    const file = join(c.dataDir, 'simulator-token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const { url, token } = JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
    assert.equal(new URL(url).port, String(c.httpPort));

    // No token, a wrong one, and an admin's own API token are all refused.
    assert.equal((await post(c.base)).status, 401);
    assert.equal((await post(c.base, `${token.slice(0, -2)}xx`)).status, 401);
    const admin = await login(c.base);
    assert.equal((await post(c.base, admin)).status, 401);

    const first = await post(c.base, token);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const { agents } = first.body as SimulatorAgentsResponse;
    const sites = (
      (await (await fetch(`${c.base}/api/v1/sites`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
        siteId: string;
      }[]
    ).map((s) => s.siteId);
    // The first two of the seed file's order (suwon first), not the first two by id (issue 21).
    const seedOrder = (await readSeed(new URL('../../../seed/gyeonggi-sites.json', import.meta.url).pathname)).map(
      (s) => s.siteId,
    );
    const expected = simulatedSites(sites, seedOrder, 2);
    assert.equal(expected[0], 'suwon');
    assert.deepEqual(
      agents.map((a) => [a.agentId, a.siteId]),
      expected.map((s) => [`${s}-sim-1`, s]),
    );

    // Spent: the file is gone and the same token no longer works.
    assert.equal(existsSync(file), false);
    assert.equal((await post(c.base, token)).status, 401);

    // The issued credentials open the center's broker, under their own prefix.
    const a = agents[0];
    const client = await mqtt.connectAsync(a.mqtt.url, {
      username: a.mqtt.username,
      password: a.mqtt.password,
      clientId: a.agentId,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await client.publishAsync(
      `gwanje/v1/${a.siteId}/${a.agentId}/status`,
      JSON.stringify({ state: 'online', version: 'test', uptimeS: 1, buffered: 0, ts: Date.now() }),
      { qos: 1 },
    );
    await client.endAsync();

    // Audited: one provisioning, and each refusal; the token and passwords are in no log line.
    const audit = (await (
      await fetch(`${c.base}/api/v1/audit?kind=simulator`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { action: string; actor: string }[];
    assert.equal(audit.filter((r) => r.action === 'simulator.provision').length, 1);
    assert.equal(audit.filter((r) => r.action === 'simulator.refused').length, 4);
    assert.ok(logged.includes('simulator-access'), 'the log was captured');
    for (const secret of [token, ...agents.map((x) => x.mqtt.password)]) assert.ok(!logged.includes(secret));
  });
});

describe('simulator provisioning off (GWANJE_SIMULATE=0)', () => {
  test('no token file is written and the route refuses', async () => {
    const c = await startTestCenter({ password: PASSWORD });
    try {
      assert.equal(existsSync(join(c.dataDir, 'simulator-token')), false);
      const r = await post(c.base, 'anything');
      assert.equal(r.status, 401);
      assert.match(JSON.stringify(r.body), /GWANJE_SIMULATE=0/);
    } finally {
      await c.stop();
    }
  });
});
