/**
 * AuthService on the real store (SQLite and PostgreSQL): first admin, login, throttling and
 * lockout, token expiry on an injected clock, revocation, logout everywhere, role changes that
 * apply at once, the persisted signing key, and the audit rows each of these leaves.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { authPortsFromRepositories } from '../../src/auth/adapter.js';
import { AuthError } from '../../src/auth/errors.js';
import { AuthService } from '../../src/auth/service.js';
import { createHarness, type Harness } from '../http/harness.js';

const PW = 'amber-valve-4471';
const IP = '203.0.113.7';

async function rejects(p: Promise<unknown>, code: string): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AuthError, `expected AuthError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected AuthError ${code}, but it resolved`);
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`AuthService (${backend})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness({ backend, throttle: { maxIpFailures: 12 } });
      await h.auth.users.create({ username: 'kim', password: PW, role: 'operator', sites: ['suwon'] }, 'test', null);
    });
    after(() => h.close());

    test('first admin: generated once and printed, never a default; a weak GWANJE_ADMIN_PASSWORD is refused', async () => {
      // The center made the first admin at start with a generated password (what `npm start` prints).
      const generated = h.adminPassword ?? '';
      assert.match(generated, /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(await h.auth.ensureAdmin(undefined), { created: false });
      const r = await h.auth.login('admin', generated, IP);
      assert.deepEqual(r.user, { username: 'admin', role: 'admin', sites: ['*'] });
      assert.deepEqual(await h.auth.ensureAdmin('another-strong-pass-1'), { created: false });
      await h.auth.users.create({ username: 'admin2', password: PW, role: 'admin', sites: ['*'] }, 'admin', IP);
      await h.auth.users.delete('admin', 'admin2', IP);
      await assert.rejects(
        h.auth.ensureAdmin('admin'),
        /GWANJE_ADMIN_PASSWORD is refused: password: must be at least 12/,
      );
      assert.deepEqual(await h.auth.ensureAdmin('signal-tower-0815'), { created: true });
      assert.equal((await h.auth.login('admin', 'signal-tower-0815', IP)).user.role, 'admin');
    });

    test('login returns a token that verifies to the user; wrong passwords and unknown users are 401 and audited', async () => {
      const r = await h.auth.login('  KIM ', PW, IP);
      const p = await h.auth.verify(r.token);
      assert.deepEqual(
        { ...p, jti: typeof p.jti },
        { username: 'kim', role: 'operator', sites: ['suwon'], jti: 'string', expiresAt: r.expiresAt },
      );
      assert.equal(r.expiresAt, h.clock.now() + 12 * 3600_000);
      await rejects(h.auth.login('kim', 'wrong-password-1', IP), 'unauthorized');
      await rejects(h.auth.login('nobody', PW, IP), 'unauthorized');
      const rows = await h.audit.list({ actor: 'kim' });
      const actions = rows.map((x) => x.action);
      assert.ok(actions.includes('login.success') && actions.includes('login.failure'), actions.join());
      assert.equal(rows.find((x) => x.action === 'login.failure')?.ip, IP);
      for (const row of await h.audit.list({}))
        assert.ok(!(row.detail ?? '').includes(PW), 'no password in the audit trail');
      h.auth.unlock('kim');
    });

    test('F11: failures slow that user from that address only (progressive delay), never a lock', async () => {
      await h.auth.users.create({ username: 'lee', password: PW, role: 'viewer', sites: ['*'] }, 'test', null);
      const attacker = '198.51.100.1';
      for (let i = 0; i < 4; i++) await rejects(h.auth.login('lee', `wrong-${i}-password`, attacker), 'unauthorized');
      // Three free failures; the fourth makes the next attempt from there wait 1 s, then 2 s, ...
      const slowed = await rejects(h.auth.login('lee', PW, attacker), 'too-many-attempts');
      assert.equal(slowed.status, 429);
      assert.equal(slowed.retryAfterS, 1);
      // The legitimate user, from any other address, is not affected; the right password works.
      assert.equal((await h.auth.login('lee', PW, '198.51.100.2')).user.username, 'lee');
      h.clock.advance(1000);
      await rejects(h.auth.login('lee', 'wrong-5-password', attacker), 'unauthorized');
      assert.equal((await rejects(h.auth.login('lee', PW, attacker), 'too-many-attempts')).retryAfterS, 2);
      h.clock.advance(2000);
      assert.equal((await h.auth.login('lee', PW, attacker)).user.username, 'lee', 'the delay passes, no lock');
      assert.ok((await h.audit.list({ actor: 'lee', action: 'login.blocked' })).length >= 2);
    });

    test('F11: a guess spread over many addresses slows unknown addresses, never a known client', async () => {
      await h.auth.users.create({ username: 'moon', password: PW, role: 'operator', sites: ['*'] }, 'test', null);
      const console = '10.20.30.40';
      assert.equal((await h.auth.login('moon', PW, console)).user.username, 'moon');
      // Ten free failures over every address; the eleventh delays unknown addresses.
      for (let i = 0; i < 11; i++)
        await rejects(h.auth.login('moon', `wrong-${i}-password`, `203.0.113.${i}`), 'unauthorized');
      await rejects(h.auth.login('moon', PW, '203.0.113.200'), 'too-many-attempts');
      // The control-room console the operator logged in from before still logs in at once.
      assert.equal((await h.auth.login('moon', PW, console)).user.username, 'moon');
      assert.equal((await h.auth.users.get('moon'))?.locked, true, 'shown to admins as slowed down');
      h.auth.unlock('moon');
      assert.equal((await h.auth.login('moon', PW, '203.0.113.200')).user.username, 'moon');
    });

    test('an address that fails too often is blocked (429) for every username; others are not', async () => {
      const bad = '192.0.2.66';
      for (let i = 0; i < 12; i++) await rejects(h.auth.login(`guess${i}`, 'hunter2-hunter2', bad), 'unauthorized');
      const e = await rejects(h.auth.login('kim', PW, bad), 'too-many-attempts');
      assert.equal(e.status, 429);
      assert.ok((e.retryAfterS ?? 0) > 0);
      assert.equal((await h.auth.login('kim', PW, '192.0.2.67')).user.username, 'kim');
      h.clock.advance(15 * 60_000 + 1);
      assert.equal((await h.auth.login('kim', PW, bad)).user.username, 'kim');
    });

    test('a token expires after its lifetime on the injected clock', async () => {
      const { token } = await h.auth.login('kim', PW, IP);
      h.clock.advance(12 * 3600_000 - 1000);
      assert.equal((await h.auth.verify(token)).username, 'kim');
      h.clock.advance(2000);
      await rejects(h.auth.verify(token), 'token-expired');
    });

    test('logout ends this token only; logout-all ends every token of the user', async () => {
      const events: { username: string; jti?: string }[] = [];
      h.bus.on('test', 'sessions.changed', (ev) => events.push(ev));
      const a = await h.auth.login('kim', PW, IP);
      const b = await h.auth.login('kim', PW, IP);
      const pa = await h.auth.verify(a.token);
      await h.auth.logout(pa, IP);
      await rejects(h.auth.verify(a.token), 'token-revoked');
      const pb = await h.auth.verify(b.token);
      const c = await h.auth.login('kim', PW, IP);
      await h.auth.logoutAll(pb, IP);
      await rejects(h.auth.verify(b.token), 'token-revoked');
      await rejects(h.auth.verify(c.token), 'token-revoked');
      // Live connections are told, so open sockets of these sessions can be dropped.
      assert.deepEqual(events, [{ username: 'kim', jti: pa.jti }, { username: 'kim' }]);
      // Same millisecond as the logout-all: a fresh login still works.
      const d = await h.auth.login('kim', PW, IP);
      assert.equal((await h.auth.verify(d.token)).username, 'kim');
    });

    test('role, site and password changes apply to existing tokens at once; a deleted user is out', async () => {
      await h.auth.users.create({ username: 'park', password: PW, role: 'supervisor', sites: ['suwon'] }, 'test', null);
      const { token } = await h.auth.login('park', PW, IP);
      await h.auth.users.update('park', { role: 'viewer', sites: ['osan', 'suwon'] }, 'admin2', IP);
      assert.deepEqual((await h.auth.verify(token)).sites, ['osan', 'suwon']);
      assert.equal((await h.auth.verify(token)).role, 'viewer');
      await h.auth.users.update('park', { password: 'fresh-valve-2290' }, 'admin2', IP);
      await rejects(h.auth.verify(token), 'token-revoked');
      const t2 = (await h.auth.login('park', 'fresh-valve-2290', IP)).token;
      await h.auth.users.delete('park', 'admin2', IP);
      await rejects(h.auth.verify(t2), 'token-revoked');
    });

    test('the signing key is generated once and kept; a forged or re-signed token is refused', async () => {
      const { token } = await h.auth.login('kim', PW, IP);
      // SQLite: a 0600 key file in the data dir (F17); PostgreSQL: the settings table every instance shares.
      const jwtKeyFile = backend === 'sqlite' ? join(h.dataDir, 'keys', 'jwt-secret') : undefined;
      const secret = jwtKeyFile
        ? readFileSync(jwtKeyFile, 'utf8').trim()
        : await h.repos.settings.get('auth.jwtSecret');
      assert.match(secret ?? '', /^[A-Za-z0-9_-]{43}$/);
      const log = pino({ level: 'silent' });
      const ports = authPortsFromRepositories(h.repos);
      const restarted = new AuthService({ ports, audit: h.audit, log, now: h.clock.now, jwtKeyFile });
      await restarted.start();
      assert.equal((await restarted.verify(token)).username, 'kim');
      const other = new AuthService({ ports, audit: h.audit, log, now: h.clock.now, jwtSecret: 'x'.repeat(40) });
      await other.start();
      await rejects(other.verify(token), 'invalid-token');
      const [head, body] = token.split('.');
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
      const forgedBody = Buffer.from(JSON.stringify({ ...claims, sub: 'admin2' })).toString('base64url');
      await rejects(h.auth.verify(`${head}.${forgedBody}.${token.split('.')[2]}`), 'invalid-token');
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      await rejects(h.auth.verify(`${none}.${body}.`), 'invalid-token');
      await rejects(h.auth.verify('x'.repeat(5000)), 'invalid-token');
      await assert.rejects(
        new AuthService({ ports, audit: h.audit, log, jwtSecret: 'short' }).start(),
        /GWANJE_JWT_SECRET must be at least 32/,
      );
    });

    test('the last all-sites administrator cannot be deleted or demoted', async () => {
      const admins = (await h.auth.users.list()).filter((u) => u.role === 'admin' && u.sites.includes('*'));
      for (const a of admins.slice(1)) await h.auth.users.delete(a.username, 'test', null);
      const last = admins[0].username;
      await rejects(h.auth.users.delete(last, 'test', null), 'conflict');
      await rejects(h.auth.users.update(last, { role: 'supervisor' }, 'test', null), 'conflict');
      await rejects(h.auth.users.update(last, { sites: ['suwon'] }, 'test', null), 'conflict');
    });
  });
}
