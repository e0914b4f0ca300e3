/**
 * F17 (security review 2026-12): the data directory is the center user's only. Reproduction from
 * the review: with the JWT secret in the 0644 SQLite file, any local user could sign a token for
 * a live session (jti from the same file). After `npm start`'s entry (main.ts, which also sets
 * the umask) the directory is 0700, the database 0600, the secret lives in a 0600 key file and a
 * secret left in the database from before is retired, so the forged token is refused.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { SignJWT } from 'jose';
import type { Spawned } from '../../../testkit/index.js';
import { spawnCenter, startTestCenter } from '../support/center.js';

const PASSWORD = 'data-Dir-Control-r00m-7';
const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-datadir-'));
let proc: Spawned | undefined;

after(async () => {
  await proc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const mode = (p: string): number => statSync(p).mode & 0o777;

async function login(base: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  return ((await r.json()) as { token: string }).token;
}

test('F17: data dir 0700, database and key file 0600, no JWT secret in the database', { timeout: 90_000 }, async () => {
  // A center of the previous kind: its secret in the settings table, world-readable files.
  const first = await startTestCenter({ password: PASSWORD, dataDir });
  await login(first.base);
  await first.stop();
  const dbFile = join(dataDir, 'gwanje.db');
  const legacy = 'legacy-secret-that-sat-in-a-0644-file-000';
  const db = new SQLite(dbFile);
  db.prepare('insert or replace into settings (key, value, updated_at) values (?, ?, ?)').run(
    'auth.jwtSecret',
    legacy,
    Date.now(),
  );
  const jti = (db.prepare("select jti from sessions where username = 'admin'").get() as { jti: string }).jti;
  db.close();
  rmSync(join(dataDir, 'keys'), { recursive: true, force: true });
  chmodSync(dataDir, 0o755);
  chmodSync(dbFile, 0o644);

  // What a local user could do with the file (the review's jose snippet).
  const forged = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('admin')
    .setJti(jti)
    .setIssuer('gwanje')
    .setAudience('gwanje-api')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(legacy));

  const started = await spawnCenter({ password: PASSWORD, dataDir });
  proc = started.proc;
  const base = started.base;

  assert.equal(mode(dataDir), 0o700, 'data directory');
  assert.equal(mode(dbFile), 0o600, 'SQLite database');
  assert.equal(mode(`${dbFile}-wal`), 0o600, 'SQLite WAL');
  assert.equal(mode(join(dataDir, 'keys')), 0o700, 'key directory');
  assert.equal(mode(join(dataDir, 'keys', 'jwt-secret')), 0o600, 'JWT key file');
  const status = readFileSync(`/proc/${proc.proc.pid}/status`, 'utf8');
  assert.match(status, /^Umask:\s+0077$/m, 'whatever the center creates later is its own');
  const check = new SQLite(dbFile, { readonly: true });
  const row = check.prepare("select value from settings where key = 'auth.jwtSecret'").get();
  check.close();
  assert.equal(row, undefined, 'the JWT secret is no longer in the database');

  const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(me.status, 401, 'a token signed with the old database secret is refused');
  const token = await login(base);
  assert.equal((await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
});
