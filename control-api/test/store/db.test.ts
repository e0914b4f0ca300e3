/** openDatabase: where SQLite lives and in which mode, and a clear error for a wrong URL. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pino from 'pino';
import { openDatabase } from '../../src/store/db.js';
import { cachingSqlite } from '../../src/store/sqlite-statements.js';

const log = pino({ level: 'silent' });

test('without a URL: SQLite at <dataDir>/gwanje.db in WAL mode, the directory created', async () => {
  const base = mkdtempSync(join(tmpdir(), 'gwanje-db-'));
  const dataDir = join(base, 'nested', 'data');
  try {
    const db = await openDatabase({ dataDir, log });
    try {
      assert.equal(db.dialect, 'sqlite');
      assert.ok(existsSync(join(dataDir, 'gwanje.db')));
      const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db.kysely.withoutPlugins());
      assert.equal(mode.rows[0].journal_mode, 'wal');
    } finally {
      await db.close();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a URL that is not postgres:// is refused with the variable named', async () => {
  await assert.rejects(
    openDatabase({ url: 'mysql://root@localhost/gwanje', dataDir: tmpdir(), log }),
    /store: GWANJE_DATABASE_URL must start with postgres:\/\//,
  );
});

test('an unreachable PostgreSQL fails open() instead of starting half-way', async () => {
  await assert.rejects(
    openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', dataDir: tmpdir(), log, waitMs: 0 }),
  );
});

test('SQLite statements are prepared once per SQL text, LRU-bounded, never shared while iterating', () => {
  const raw = new SQLite(':memory:');
  let prepared = 0;
  const counting = new Proxy(raw, {
    get(target, key) {
      if (key === 'prepare')
        return (text: string) => {
          prepared++;
          return target.prepare(text);
        };
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const db = cachingSqlite(counting, 2);
  db.prepare('CREATE TABLE t (x INTEGER)').run([]);
  const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
  for (let i = 0; i < 5; i++) assert.equal(db.prepare('INSERT INTO t (x) VALUES (?)'), insert);
  for (let i = 0; i < 5; i++) insert.run([i]);
  assert.equal(prepared, 2);
  // A streamed query still iterating gets a fresh statement for the same SQL.
  const select = 'SELECT x FROM t ORDER BY x';
  const it = db.prepare(select).iterate([]);
  it.next();
  assert.deepEqual(db.prepare(select).all([]), [{ x: 0 }, { x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }]);
  it.return?.();
  assert.equal(prepared, 4);
  // Bounded: at most `max` cached, the least recently used evicted.
  assert.equal(db.cached, 2);
  db.prepare('SELECT 1');
  assert.equal(db.cached, 2);
  db.prepare('INSERT INTO t (x) VALUES (?)');
  assert.equal(prepared, 6);
  db.close();
});
