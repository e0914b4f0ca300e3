/**
 * A prepared-statement cache between Kysely and better-sqlite3. Kysely's SQLite driver calls
 * `prepare(sql)` for every query, and better-sqlite3 compiles each time: on the center's hot
 * paths (alarm upserts, journal appends, the per-second newest-value update) compiling cost more
 * than running the statement, synchronously on the event loop. Statements are keyed by their SQL
 * text (parameters are bound at run time), least recently used evicted beyond `max`. A statement
 * still iterating (a streamed query) is never handed out twice: a fresh one is prepared instead.
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

export function cachingSqlite(db: SQLite.Database, max = 256): SqliteDatabase & { readonly cached: number } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    get cached() {
      return cache.size;
    },
    close() {
      cache.clear();
      db.close();
    },
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return stmt;
    },
  };
}
