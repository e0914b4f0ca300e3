/** openDatabase: where SQLite lives and in which mode, and a clear error for a wrong URL. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { openDatabase } from '../../src/store/db.js';

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
  await assert.rejects(openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', dataDir: tmpdir(), log }));
});
