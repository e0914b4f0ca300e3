/**
 * F11 behind a reverse proxy: GWANJE_TRUST_PROXY names the proxy, and then the login throttle and
 * the audit see each client's own address (X-Forwarded-For as the trusted proxy wrote it), so one
 * attacker behind the proxy cannot slow everybody down. Without the setting the header is ignored:
 * a client cannot pick an address to escape the throttle.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadSettings, SettingsError } from '../../src/settings.js';
import { createHarness, type Harness } from './harness.js';

const PW = 'east-gate-lamp-77';
const login = (h: Harness, password: string, xff?: string) =>
  h.call('POST', '/api/v1/auth/login', {
    body: { username: 'park', password },
    headers: xff ? { 'x-forwarded-for': xff } : {},
  });

describe('GWANJE_TRUST_PROXY', () => {
  let proxied: Harness;
  let direct: Harness;
  before(async () => {
    [proxied, direct] = await Promise.all([createHarness({ trustProxy: 'loopback' }), createHarness()]);
    for (const h of [proxied, direct])
      await h.auth.users.create({ username: 'park', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
  });
  after(async () => {
    await proxied.close();
    await direct.close();
  });

  test("F11: behind a trusted proxy, one client's failures slow that client only; the audit names it", async () => {
    for (let i = 0; i < 4; i++) assert.equal((await login(proxied, `bad-${i}-password`, '203.0.113.7')).status, 401);
    assert.equal((await login(proxied, PW, '203.0.113.7')).status, 429);
    assert.equal((await login(proxied, PW, '198.51.100.20')).status, 200, 'another client behind the same proxy');
    const root = await proxied.auth.users
      .create({ username: 'root', password: PW, role: 'admin', sites: ['*'] }, 'test', null)
      .then(() => proxied.auth.login('root', PW, '127.0.0.1'));
    const trail = await proxied.call('GET', '/api/v1/audit?actor=park&action=login.failure', { token: root.token });
    assert.ok(
      (trail.json as Array<{ ip: string }>).every((r) => r.ip === '203.0.113.7'),
      trail.text,
    );
  });

  test('without it, X-Forwarded-For is ignored: a client cannot change its address to escape the delay', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await login(direct, `bad-${i}-password`, `203.0.113.${i}`)).status, 401);
    assert.equal((await login(direct, PW, '198.51.100.99')).status, 429);
  });

  test('the setting is checked at start: "true", junk and over-long hop counts are refused, naming the variable', () => {
    const base = { GWANJE_SIMULATE: '0' };
    for (const bad of ['true', 'not-an-address', '99']) {
      assert.throws(
        () => loadSettings({ ...base, GWANJE_TRUST_PROXY: bad }),
        (e: unknown) => e instanceof SettingsError && e.errors.some((m) => m.startsWith('GWANJE_TRUST_PROXY: ')),
        bad,
      );
    }
    for (const good of ['loopback', '10.0.0.1, 192.168.0.0/16', '1', 'false'])
      assert.equal(loadSettings({ ...base, GWANJE_TRUST_PROXY: good }).trustProxy, good);
  });
});
