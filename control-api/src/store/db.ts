/**
 * Relational state: SQLite (better-sqlite3, WAL) when no URL is given, PostgreSQL (pg) for
 * `postgres://` URLs. Both sit behind one Kysely instance so every query has one code path.
 * Opening runs the migrations (migrations/) before anything else touches the tables.
 */
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { privateFiles, securePrivateDir } from './data-dir.js';
import { migrateToLatest } from './migrations/index.js';
import { cachingSqlite } from './sqlite-statements.js';
import { StoredJson } from './stored-json.js';
import type { Database } from './tables.js';

export type DbDialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DbDialect;
  /** The one decoder of stored JSON columns (logs and counts a corrupt value; stored-json.ts). */
  json: StoredJson;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://...` (or `postgresql://`); unset means SQLite at `${dataDir}/gwanje.db`. */
  url?: string;
  dataDir: string;
  log: Logger;
  /** How long to keep retrying a PostgreSQL that does not answer yet (a compose set starting up). */
  waitMs?: number;
}

/** Errors that mean "PostgreSQL is not there yet", not "the migration is wrong". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', '57P03']);

function unreachable(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|the database system is starting up/.test(String((e as Error).message)))
      return true;
  }
  return false;
}

/** Retries `run` with capped exponential backoff while the database is unreachable, up to `waitMs`. */
async function untilReachable(run: () => Promise<void>, log: Logger, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let delay = 250;
  for (;;) {
    try {
      return await run();
    } catch (err) {
      if (!unreachable(err) || Date.now() + delay > deadline) throw err;
      log.warn({ err: (err as Error).message, retryMs: delay }, 'store: database unreachable, retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(5_000, delay * 2);
    }
  }
}

const PG_INT8_OID = 20;

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Db> {
  const log = opts.log.child({ module: 'store' });
  const url = opts.url?.trim();
  let dialect: DbDialect;
  let kysely: Kysely<Database>;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error('store: GWANJE_DATABASE_URL must start with postgres:// (unset for SQLite)');
    }
    dialect = 'postgres';
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      // Epoch-ms columns are bigint; they fit a JS number exactly until year 287396.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8_OID
            ? (v: string) => Number(v)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    pool.on('error', (err) => log.error({ err: err.message }, 'store: idle PostgreSQL client failed'));
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    log.info({ dialect, host: new URL(url).host }, 'store: opening PostgreSQL');
  } else {
    dialect = 'sqlite';
    securePrivateDir(opts.dataDir, log);
    const file = join(opts.dataDir, 'gwanje.db');
    const sqlite = new SQLite(file);
    // WAL: readers (API) never block the writer (ingest); NORMAL sync is durable across a
    // process crash, which is the failure that matters for a single-node center.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Hashes and sessions live here (F17); SQLite gives -wal and -shm the database file's mode.
    privateFiles([file, `${file}-wal`, `${file}-shm`], log);
    kysely = new Kysely<Database>({
      dialect: new SqliteDialect({ database: cachingSqlite(sqlite) }),
      plugins: [new CamelCasePlugin()],
    });
    log.info({ dialect, file }, 'store: opening SQLite');
  }
  try {
    await untilReachable(() => migrateToLatest(kysely.withoutPlugins(), dialect, log), log, opts.waitMs ?? 60_000);
  } catch (err) {
    await kysely.destroy();
    throw err;
  }
  return { kysely, dialect, json: new StoredJson(log), close: () => kysely.destroy() };
}

/** One round trip to the database (`/healthz`): throws when it does not answer. */
export async function pingDatabase(db: Db): Promise<void> {
  try {
    await sql`select 1`.execute(db.kysely);
  } catch (err) {
    throw new Error(`database: ${(err as Error).message}`);
  }
}
